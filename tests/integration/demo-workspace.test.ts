import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { regionGeometrySchema } from '../../src-main/api/annotation-schemas';
import { buildDemoWorkspace, type DemoProgress } from '../../src-main/core/demo/build-demo';
import { openWorkspace } from '../../src-main/core/db/open-workspace';
import { listSources } from '../../src-main/core/library/sources';
import { demoCohortPlan } from '../../src-main/core/simulator';
import { tempDir } from '../helpers/paths';

const dir = tempDir();
afterAll(() => dir.remove());

describe('demo workspace', () => {
  it('imports every simulated site with its role, labels and readers regions through the normal import path', async () => {
    const ws = openWorkspace(join(dir.path, 'demo.db'));
    try {
      const progress: DemoProgress[] = [];
      const size = 128;
      const summary = await buildDemoWorkspace(ws, { size, onProgress: (p) => progress.push(p) });
      const plan = demoCohortPlan(undefined, size);
      expect(summary.cancelled).toBe(false);
      const sources = listSources(ws.db);
      expect(sources.map((s) => [s.name, s.role, s.imageCount]).sort()).toEqual(
        plan.sites.map((s) => [s.source, s.role, s.options.n]).sort(),
      );
      expect(sources.map((s) => s.role).sort()).toEqual(['ood-test', 'train', 'train', 'validation']);
      const labelled = ws.db
        .prepare("SELECT count(DISTINCT image_id) FROM labels WHERE finding = 'nodule'")
        .pluck()
        .get();
      expect(labelled).toBe(plan.totalImages);
      const annotations = summary.sources.reduce((sum, s) => sum + s.annotations, 0);
      expect(annotations).toBeGreaterThan(0);
      // Every stored region is on a positive image of its finding, in image coordinates.
      const misplaced = ws.db
        .prepare(
          `SELECT count(*) FROM annotations a JOIN labels l ON l.image_id = a.image_id AND l.finding = a.finding
           WHERE l.value <> 1`,
        )
        .pluck()
        .get();
      expect(misplaced).toBe(0);
      const geometry = JSON.parse(
        ws.db.prepare('SELECT geometry FROM annotations LIMIT 1').pluck().get() as string,
      ) as {
        kind: string;
        points: [number, number][];
      };
      expect(geometry.kind).toBe('polygon');
      // The stored form is the Annotate view's region geometry, and it rasterises onto its finding.
      expect(() => regionGeometrySchema.parse(geometry)).not.toThrow();
      expect(geometry.points.every(([x, y]) => x >= 0 && y >= 0 && x <= size && y <= size)).toBe(true);
      expect(progress.some((p) => p.stage === 'generating')).toBe(true);
      expect(progress.some((p) => p.stage === 'importing')).toBe(true);
    } finally {
      ws.close();
    }
  });
});
