import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkspaceDb } from '../db/open-workspace';
import { importSimulatedAnnotationsFile } from '../library/import-annotations';
import { importPaths } from '../library/import/import-job';
import { ensureSource } from '../library/sources';
import { demoCohortPlan, generateCohort } from '../simulator';

export interface DemoProgress {
  readonly stage: 'generating' | 'importing';
  readonly site: string;
  /** Images generated or imported so far, over all sites; out of `total` for each stage. */
  readonly done: number;
  readonly total: number;
}

export interface DemoSummary {
  readonly sources: {
    readonly name: string;
    readonly role: string;
    readonly images: number;
    readonly annotations: number;
  }[];
  readonly seconds: number;
  readonly cancelled: boolean;
}

/**
 * Builds the demo workspace: for each site of the demo plan, simulates its
 * cohort into a temporary folder and imports it through the normal import path
 * (labels CSV included), then stores the simulated readers' polygons as
 * annotations. The temporary folders are removed at the end.
 */
export async function buildDemoWorkspace(
  ws: WorkspaceDb,
  control: { onProgress?: (p: DemoProgress) => void; signal?: AbortSignal; size?: number } = {},
): Promise<DemoSummary> {
  const started = performance.now();
  const plan = demoCohortPlan(undefined, control.size);
  const root = await mkdtemp(join(tmpdir(), 'aligner-demo-'));
  const sources: DemoSummary['sources'][number][] = [];
  let generated = 0;
  let imported = 0;
  try {
    for (const site of plan.sites) {
      if (control.signal?.aborted) break;
      const out = join(root, site.source);
      const before = generated;
      const cohort = await generateCohort(
        { ...site.options, out },
        {
          ...(control.signal ? { signal: control.signal } : {}),
          onProgress: (p) =>
            control.onProgress?.({
              stage: 'generating',
              site: site.source,
              done: before + p.done,
              total: plan.totalImages,
            }),
        },
      );
      generated += cohort.files.length;
      if (cohort.cancelled) break;
      ensureSource(ws.db, site.source, site.role, site.description);
      const start = imported;
      const summary = await importPaths(ws, [out], {
        source: site.source,
        role: site.role,
        labelsCsv: join(out, 'labels.csv'),
        ...(control.signal ? { signal: control.signal } : {}),
        progressIntervalMs: 250,
        onProgress: (p) =>
          control.onProgress?.({
            stage: 'importing',
            site: site.source,
            done: start + p.done,
            total: plan.totalImages,
          }),
      });
      imported += summary.imported + summary.duplicates;
      const added = await importSimulatedAnnotationsFile(ws.db, out, site.source, site.role);
      sources.push({ name: site.source, role: site.role, images: summary.imported, annotations: added });
      if (summary.cancelled) break;
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return {
    sources,
    seconds: Math.round((performance.now() - started) / 10) / 100,
    cancelled: control.signal?.aborted === true,
  };
}
