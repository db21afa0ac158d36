import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { regionGeometrySchema, type RegionGeometry } from '../../src-main/api/annotation-schemas';
import { createDispatch, type Dispatch } from '../../src-main/api/dispatch';
import {
  attentionGallerySchema,
  fairnessSummarySchema,
  type AttentionGallery,
  type AttentionGalleryQueryInput,
  type ConditionSummary,
  type FairnessQueryInput,
  type FairnessSummary,
  type SeedSummary,
} from '../../src-main/api/fairness-schemas';
import { createHandlers } from '../../src-main/api/handlers';
import { rasterizeRegions } from '../../src-main/core/annotations/rasterize';
import { AppContext } from '../../src-main/core/app-context';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import {
  attentionIoU,
  attentionPeak,
  fairnessReport,
  parsePredictionsCsv,
  pointingHit,
} from '../../src-main/core/evaluation';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/paths';
import {
  buildFairnessWorkspace,
  fairnessFinding,
  fairnessTestSources,
  trainFairnessRuns,
} from '../helpers/fairness-workspace';
import { readPredictions, withDb } from '../helpers/trainer-workspace';

/**
 * The Fairness view's back end end to end: a workspace made by `aligner simulate --into-db`, micro runs trained
 * by the built CLI (two alignment levels × two seeds, two epochs), then `fairnessSummary` and `attentionGallery`
 * through the real dispatch and app context. Every number is checked against an independent computation from
 * the stored predictions: the classification metrics by `aligner metrics` on an exported CSV, the hit rate and
 * mIoU by rasterising each image's full human mask and playing the pointing game image by image.
 */
const dir = tempDir('aligner-fairness-');
let db = '';
let env: NodeJS.ProcessEnv = {};
const finding = fairnessFinding;
const testSources = fairnessTestSources;

interface Trained {
  readonly runId: number;
  readonly alignment: number;
  readonly seed: number;
}
const trained: Trained[] = [];
let noTestRun = 0;
let ctx: AppContext;
let dispatch: Dispatch;

beforeAll(async () => {
  const ws = await buildFairnessWorkspace(dir.path);
  ({ db, env } = ws);
  // Alignment 0 and 1, seeds 0 and 1, and one run without test sources.
  const plan = [
    { alignment: 1, seed: 1 },
    { alignment: 0, seed: 0 },
    { alignment: 1, seed: 0 },
    { alignment: 0, seed: 1 },
    { alignment: 0, seed: 2, test: false },
  ];
  const ids = await trainFairnessRuns(ws, plan);
  plan.forEach(({ alignment, seed, test }, i) => {
    if (test === false) noTestRun = ids[i]!;
    else trained.push({ runId: ids[i]!, alignment, seed });
  });
  ctx = new AppContext({
    host: 'browser',
    version: '0.0.0-test',
    userDataDir: join(dir.path, 'user-data'),
    probeBackend: selectBackend,
  });
  ctx.openWorkspace(db);
  dispatch = createDispatch(createHandlers(ctx), (name, err) => {
    throw new Error(`${name}: ${String(err)}`);
  });
}, 150_000);

afterAll(() => {
  ctx?.close();
  dir.remove();
});

async function call<T>(name: string, input: unknown, schema: z.ZodType<T>): Promise<T> {
  const answer = await dispatch(name, input);
  if (!answer.ok) throw new Error(`${name} failed: ${JSON.stringify(answer.error)}`);
  return schema.parse(answer.value);
}
const summary = (input: FairnessQueryInput = {}): Promise<FairnessSummary> =>
  call('fairnessSummary', input, fairnessSummarySchema);
const gallery = (input: AttentionGalleryQueryInput): Promise<AttentionGallery> =>
  call('attentionGallery', input, attentionGallerySchema);

// ---------------------------------------------------------------- the independent computation

interface TestImage {
  readonly id: number;
  readonly source: string;
  readonly label: 0 | 1;
  readonly sex: string;
  readonly age: number | null;
  readonly rows: number;
  readonly cols: number;
}

function testImages(): TestImage[] {
  return withDb(
    db,
    (d) =>
      d
        .prepare(
          `SELECT i.id, s.name AS source, l.value AS label, i.sex, i.age_years AS age, i.rows, i.cols
           FROM images i JOIN sources s ON s.id = i.source_id JOIN labels l ON l.image_id = i.id AND l.finding = ?
           WHERE s.name IN (SELECT value FROM json_each(?)) ORDER BY i.id`,
        )
        .all(finding, JSON.stringify(testSources)) as TestImage[],
  );
}

/** Each image's live regions of the finding, per annotator, oldest first. */
function regionsByImage(): Map<number, Map<string, RegionGeometry[]>> {
  const rows = withDb(
    db,
    (d) =>
      d
        .prepare('SELECT image_id, annotator, geometry FROM annotations WHERE finding = ? AND deleted = 0 ORDER BY id')
        .all(finding) as { image_id: number; annotator: string; geometry: string }[],
  );
  const out = new Map<number, Map<string, RegionGeometry[]>>();
  for (const row of rows) {
    const byAnnotator = out.get(row.image_id) ?? new Map<string, RegionGeometry[]>();
    const list = byAnnotator.get(row.annotator) ?? [];
    list.push(regionGeometrySchema.parse(JSON.parse(row.geometry)));
    byAnnotator.set(row.annotator, list);
    out.set(row.image_id, byAnnotator);
  }
  return out;
}

/** The union of the annotators' full-size masks, or null when it sets no pixel. */
function unionMask(byAnnotator: Map<string, RegionGeometry[]> | undefined, image: TestImage): Uint8Array | null {
  if (!byAnnotator) return null;
  const union = new Uint8Array(image.rows * image.cols);
  for (const regions of byAnnotator.values()) {
    const mask = rasterizeRegions(regions, { columns: image.cols, rows: image.rows });
    for (let i = 0; i < mask.length; i++) union[i] = (union[i] as number) | (mask[i] as number);
  }
  return union.includes(1) ? union : null;
}

interface DirectPointing {
  /** imageId → hit, for the positive images whose union mask is not empty. */
  readonly hits: Map<number, 0 | 1>;
  readonly ious: Map<number, number>;
}

/** The pointing game and IoU of one run, image by image, with full masks. */
function directPointing(runId: number): DirectPointing {
  const predictions = new Map(
    readPredictions(db, runId)
      .filter((p) => p.finding === finding)
      .map((p) => [p.imageId, p]),
  );
  const regions = regionsByImage();
  const hits = new Map<number, 0 | 1>();
  const ious = new Map<number, number>();
  for (const image of testImages()) {
    const map = predictions.get(image.id)?.attention;
    if (image.label !== 1 || !map) continue;
    const mask = unionMask(regions.get(image.id), image);
    if (mask === null) continue;
    const g = Math.round(Math.sqrt(map.length));
    hits.set(image.id, pointingHit(map, g, mask, image.cols, image.rows) as 0 | 1);
    ious.set(image.id, attentionIoU(map, g, mask, image.cols, image.rows) as number);
  }
  return { hits, ious };
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean, sample std and count, written out independently of the code under test. */
function seedSummary(values: (number | null)[]): SeedSummary {
  const defined = values.filter((v): v is number => v !== null);
  const m = mean(defined);
  if (m === null) return { mean: null, std: null, n: 0 };
  if (defined.length < 2) return { mean: m, std: null, n: defined.length };
  const variance = defined.reduce((s, v) => s + (v - m) ** 2, 0) / (defined.length - 1);
  return { mean: m, std: Math.sqrt(variance), n: defined.length };
}

function expectSeedSummary(actual: SeedSummary | undefined, values: (number | null)[], what: string): void {
  const expected = seedSummary(values);
  expect(actual?.n, what).toBe(expected.n);
  for (const key of ['mean', 'std'] as const) {
    if (expected[key] === null) expect(actual?.[key], `${what} ${key}`).toBeNull();
    else expect(actual?.[key], `${what} ${key}`).toBeCloseTo(expected[key], 10);
  }
}

const cliMetrics = z.object({
  n: z.number(),
  positives: z.number(),
  auc: z.number().nullable(),
  accuracy: z.number().nullable(),
  f1: z.number().nullable(),
  sensitivity: z.number().nullable(),
  specificity: z.number().nullable(),
});
const cliOutput = z.object({
  overall: cliMetrics,
  groups: z.record(z.string(), z.record(z.string(), cliMetrics)),
  gaps: z.record(
    z.string(),
    cliMetrics.omit({ n: true, positives: true }).extend({ worstGroupAuc: z.number().nullable() }),
  ),
});
type CliOutput = z.infer<typeof cliOutput>;

/** A CSV of one run's predictions on one source, as `aligner metrics` reads it (score, label, sex, age). */
function exportCsv(runId: number, source: string): string {
  const scores = new Map(
    readPredictions(db, runId)
      .filter((p) => p.finding === finding)
      .map((p) => [p.imageId, p.score]),
  );
  const lines = ['score,label,sex,age'];
  for (const image of testImages()) {
    const score = scores.get(image.id);
    if (image.source !== source || score === undefined) continue;
    lines.push(`${score},${image.label},${image.sex === 'unknown' ? '' : image.sex},${image.age ?? ''}`);
  }
  const file = join(dir.path, `run-${runId}-${source}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const metricsArgs = ['--group', 'sex', '--age-column', 'age', '--bootstrap', '0', '--json'];

/** `aligner metrics` on the exported CSV, through the built CLI. */
async function metricsByCli(runId: number, source: string): Promise<CliOutput> {
  const run = await runCli(['metrics', '--predictions', exportCsv(runId, source), ...metricsArgs], env);
  if (run.code !== 0) throw new Error(`aligner metrics exited ${run.code}:\n${run.stderr}`);
  return cliOutput.parse(JSON.parse(run.stdout));
}

/** What `aligner metrics` computes on the exported CSV, in process (its parser and report: a CLI start is ~1 s here). */
function metricsOfCsv(runId: number, source: string): CliOutput {
  const predictions = parsePredictionsCsv(readFileSync(exportCsv(runId, source), 'utf8'), {
    groupColumns: ['sex'],
    ageColumn: 'age',
  });
  return cliOutput.parse(
    fairnessReport(predictions.scores, predictions.labels, predictions.attributes, { bootstrap: 0 }),
  );
}

const metricKeys = ['auc', 'accuracy', 'f1', 'sensitivity', 'specificity'] as const;

function conditionOf(result: FairnessSummary, alignment: number): ConditionSummary {
  const condition = result.conditions.find((c) => c.alignment === alignment);
  if (!condition) throw new Error(`no condition with alignment ${alignment}`);
  return condition;
}

// ---------------------------------------------------------------- tests

describe('fairnessSummary', () => {
  it('groups the runs into conditions by alignment level, seeds in order, and skips the run without test predictions', async () => {
    const result = await summary();
    expect(result).toMatchObject({ finding, findings: [finding], studyId: null, ageThreshold: 60, threshold: 0.5 });
    expect(result.conditions.map((c) => c.key)).toEqual(['micro|a=0|r=1|random=0', 'micro|a=1|r=1|random=0']);
    for (const condition of result.conditions) {
      const runs = trained.filter((t) => t.alignment === condition.alignment).sort((a, b) => a.seed - b.seed);
      expect(condition.runIds).toEqual(runs.map((r) => r.runId));
      expect(condition.seeds).toEqual([0, 1]);
      expect(condition).toMatchObject({ preset: 'micro', dataRatio: 1, randomAlignment: false });
      expect(condition.sources.map((s) => s.source)).toEqual(testSources);
    }
    expect(result.skipped).toEqual([{ runId: noTestRun, reason: expect.stringMatching(/no test sources/) }]);
  });

  it('gives per-run metrics that equal aligner metrics on the exported predictions, summarised over seeds', async () => {
    const result = await summary();
    // The CLI itself on one run and source; the rest through its parser and report in process.
    const first = result.conditions[0]?.runIds[0] as number;
    expect(await metricsByCli(first, 'summit')).toEqual(metricsOfCsv(first, 'summit'));
    const images = testImages();
    for (const alignment of [0, 1]) {
      const condition = conditionOf(result, alignment);
      for (const source of condition.sources) {
        const perRun = condition.runIds.map((runId) => metricsOfCsv(runId, source.source));
        const what = `a=${alignment} ${source.source}`;
        expect(source.n, what).toBe(images.filter((i) => i.source === source.source).length);
        expect(source.n, what).toBe(perRun[0]?.overall.n);
        expect(source.positives, what).toBe(perRun[0]?.overall.positives);
        for (const metric of metricKeys)
          expectSeedSummary(
            source.performance[metric],
            perRun.map((r) => r.overall[metric]),
            `${what} ${metric}`,
          );
        expect(source.attributes.map((a) => a.attribute)).toEqual(['sex', 'age']);
        for (const attribute of source.attributes) {
          const values = attribute.groups.map((g) => g.value);
          expect(values.sort()).toEqual(Object.keys(perRun[0]?.groups[attribute.attribute] ?? {}).sort());
          for (const metric of [...metricKeys, 'worstGroupAuc'] as const)
            expectSeedSummary(
              attribute.gaps[metric],
              perRun.map((r) => r.gaps[attribute.attribute]?.[metric] ?? null),
              `${what} ${attribute.attribute} gap ${metric}`,
            );
          for (const group of attribute.groups) {
            const cli = perRun.map((r) => r.groups[attribute.attribute]?.[group.value]);
            expect(group.n).toBe(cli[0]?.n);
            expect(group.positives).toBe(cli[0]?.positives);
            for (const metric of metricKeys)
              expectSeedSummary(
                group.performance[metric],
                cli.map((m) => m?.[metric] ?? null),
                `${what} ${attribute.attribute}=${group.value} ${metric}`,
              );
          }
        }
      }
    }
  });

  it('gives hit rates, hit-rate gaps and mIoU equal to the pointing game played image by image', async () => {
    const result = await summary();
    const images = new Map(testImages().map((i) => [i.id, i]));
    for (const alignment of [0, 1]) {
      const condition = conditionOf(result, alignment);
      const direct = condition.runIds.map(directPointing);
      for (const source of condition.sources) {
        const what = `a=${alignment} ${source.source}`;
        const inSource = (id: number): boolean => images.get(id)?.source === source.source;
        const rate = (d: DirectPointing, keep: (id: number) => boolean): number | null =>
          mean([...d.hits].filter(([id]) => keep(id)).map(([, hit]) => hit));
        expect(
          direct.every((d) => [...d.hits.keys()].some(inSource)),
          what,
        ).toBe(true);
        expectSeedSummary(
          source.hitRate,
          direct.map((d) => rate(d, inSource)),
          `${what} hit rate`,
        );
        expectSeedSummary(
          source.miou,
          direct.map((d) => mean([...d.ious].filter(([id]) => inSource(id)).map(([, v]) => v))),
          `${what} mIoU`,
        );
        const sex = source.attributes.find((a) => a.attribute === 'sex');
        const bySex = (d: DirectPointing, value: string): number | null =>
          rate(d, (id) => inSource(id) && images.get(id)?.sex === value);
        for (const group of sex?.groups ?? [])
          expectSeedSummary(
            group.hitRate,
            direct.map((d) => bySex(d, group.value)),
            `${what} sex=${group.value} hit rate`,
          );
        expectSeedSummary(
          sex?.hitRateGap,
          direct.map((d) => {
            const rates = ['F', 'M'].map((v) => bySex(d, v)).filter((r): r is number => r !== null);
            return rates.length < 2 ? null : Math.max(...rates) - Math.min(...rates);
          }),
          `${what} sex hit-rate gap`,
        );
      }
    }
  });

  it('keeps the peaks in the workspace and answers the same from them; follows region edits at once', async () => {
    const first = await summary();
    const cached = withDb(db, (d) => d.prepare('SELECT count(*) FROM run_image_evaluations').pluck().get() as number);
    const annotatedPositives = trained.reduce((n, t) => n + directPointing(t.runId).hits.size, 0);
    expect(cached).toBe(annotatedPositives);
    expect(await summary()).toEqual(first);

    // A new reader outlines the peak of a missed image: the union now holds it, so that image becomes a hit.
    let run: Trained | undefined;
    let item: AttentionGallery['items'][number] | undefined;
    for (const candidate of trained) {
      item = (await gallery({ runId: candidate.runId, finding, outcome: 'miss', limit: 1 })).items[0];
      run = candidate;
      if (item) break;
    }
    if (!run || !item) throw new Error('every run hits every annotated image; no miss to turn into a hit');
    const before = directPointing(run.runId);
    await call('annotatorAdd', { name: 'Zed' }, z.unknown());
    const saved = (await call(
      'regionCreate',
      {
        imageId: item.imageId,
        annotator: 'Zed',
        finding,
        geometry: { kind: 'rect', x: item.peak.x, y: item.peak.y, width: 1, height: 1 }, // exactly the peak pixel
      },
      z.object({ region: z.object({ id: z.number() }) }).passthrough(),
    )) as { region: { id: number } };
    const after = directPointing(run.runId);
    expect(after.hits.get(item.imageId)).toBe(1);
    expect(after.hits.size).toBe(before.hits.size);
    const edited = await summary();
    const sourceName = item.source;
    const source = conditionOf(edited, run.alignment).sources.find((s) => s.source === sourceName);
    expectSeedSummary(source?.hitRate, conditionRates(run.alignment, sourceName), 'hit rate after the edit');
    expect(source?.hitRate.mean).not.toBe(
      conditionOf(first, run.alignment).sources.find((s) => s.source === sourceName)?.hitRate.mean,
    );
    const hits = await gallery({ runId: run.runId, finding, outcome: 'hit', limit: 200 });
    expect(hits.items.map((i) => i.imageId)).toContain(item.imageId);

    // Deleted again: back to the first answer.
    await call('regionDelete', { id: saved.region.id, annotator: 'Zed' }, z.unknown());
    expect(await summary()).toEqual(first);
  });

  it('answers for another age threshold and decision threshold, and refuses an unknown study', async () => {
    const result = await summary({ finding, ageThreshold: 50, threshold: 0.3 });
    const age = result.conditions[0]?.sources[0]?.attributes.find((a) => a.attribute === 'age');
    expect(age?.groups.map((g) => g.value)).toEqual(['<50', '>=50']);
    expect(result).toMatchObject({ ageThreshold: 50, threshold: 0.3 });
    const answer = await dispatch('fairnessSummary', { studyId: 999 });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'studyId' } });
    const effusion = await summary({ finding: 'effusion' });
    expect(effusion).toMatchObject({ finding: 'effusion', findings: [finding], conditions: [], skipped: [] });
  });
});

/** Hit rate of each run of an alignment level on a source (by seed), computed directly from the current regions. */
function conditionRates(alignment: number, source: string): (number | null)[] {
  const images = new Map(testImages().map((i) => [i.id, i]));
  return trained
    .filter((t) => t.alignment === alignment)
    .sort((a, b) => a.seed - b.seed)
    .map((t) =>
      mean([...directPointing(t.runId).hits].filter(([id]) => images.get(id)?.source === source).map(([, hit]) => hit)),
    );
}

describe('attentionGallery', () => {
  it('splits the annotated positives into hits and misses that add up, as the pointing game does', async () => {
    for (const { runId } of trained) {
      const direct = directPointing(runId);
      const hits = await gallery({ runId, finding, outcome: 'hit', limit: 200 });
      const misses = await gallery({ runId, finding, outcome: 'miss', limit: 200 });
      expect(hits.total + misses.total).toBe(direct.hits.size);
      expect(hits.items.map((i) => i.imageId).sort()).toEqual(
        [...direct.hits]
          .filter(([, h]) => h === 1)
          .map(([id]) => id)
          .sort(),
      );
      expect(misses.items.every((i) => i.hit === 0 && i.label === 1)).toBe(true);
      const all = await gallery({ runId, finding });
      expect(all.total).toBe(testImages().length);
    }
  });

  it('filters by source and subgroup, and pages through the images', async () => {
    const runId = trained[0]?.runId as number;
    const images = testImages();
    const summit = await gallery({ runId, finding, source: 'summit', limit: 200 });
    expect(summit.total).toBe(images.filter((i) => i.source === 'summit').length);
    expect(summit.items.every((i) => i.source === 'summit')).toBe(true);
    const women = await gallery({ runId, finding, group: { attribute: 'sex', value: 'F' }, limit: 200 });
    expect(women.total).toBe(images.filter((i) => i.sex === 'F').length);
    expect(women.items.every((i) => i.groups.sex === 'F')).toBe(true);
    const old = await gallery({ runId, finding, group: { attribute: 'age', value: '>=60' }, limit: 200 });
    expect(old.total).toBe(images.filter((i) => i.age !== null && i.age >= 60).length);
    const oldMisses = await gallery({ runId, finding, group: { attribute: 'age', value: '>=60' }, outcome: 'miss' });
    expect(oldMisses.items.every((i) => i.groups.age === '>=60' && i.hit === 0)).toBe(true);

    const pageOne = await gallery({ runId, finding, limit: 7 });
    const pageTwo = await gallery({ runId, finding, limit: 7, offset: 7 });
    const everything = await gallery({ runId, finding, limit: 200 });
    expect(pageOne.items.length).toBe(7);
    expect([...pageOne.items, ...pageTwo.items].map((i) => i.imageId)).toEqual(
      everything.items.slice(0, 14).map((i) => i.imageId),
    );
    expect(new Set(everything.items.map((i) => i.imageId)).size).toBe(everything.total);
    // Sources in the run's test order.
    const sourcesInOrder = everything.items.map((i) => i.source).filter((s, k, a) => k === 0 || a[k - 1] !== s);
    expect(sourcesInOrder).toEqual(testSources);
    const beyond = await gallery({ runId, finding, offset: 500 });
    expect(beyond).toEqual({ total: everything.total, items: [] });
  });

  it('describes each image: model-size thumbnail, normalised attention, peak, hit and the human regions', async () => {
    const runId = trained[0]?.runId as number;
    const predictions = new Map(
      readPredictions(db, runId)
        .filter((p) => p.finding === finding)
        .map((p) => [p.imageId, p]),
    );
    const direct = directPointing(runId);
    const regions = regionsByImage();
    const page = await gallery({ runId, finding, source: 'summit', limit: 12 });
    for (const item of page.items) {
      const map = predictions.get(item.imageId)?.attention as Float32Array;
      expect(item.grid * item.grid).toBe(map.length);
      expect(Math.min(...item.attention)).toBe(0);
      expect(Math.max(...item.attention)).toBe(1);
      const argmax = map.indexOf(Math.max(...map));
      expect(item.attention[argmax]).toBe(1);
      const peak = attentionPeak(map, item.grid, item.columns, item.rows);
      expect(item.peak).toEqual({ x: peak.x, y: peak.y });
      // Positives: the direct pointing game; the simulated negatives carry no region, so no hit.
      expect(item.hit).toBe(item.label === 1 ? (direct.hits.get(item.imageId) ?? null) : null);
      const live = [...(regions.get(item.imageId)?.values() ?? [])].flat();
      expect(item.regions).toEqual(live.length === 0 ? [] : expect.arrayContaining(live));
      expect(item.regions.length).toBe(live.length);
      expect(item.pseudonym).not.toBe('');
      expect(item.score).toBe(predictions.get(item.imageId)?.score);
      const png = Buffer.from(item.thumbnail.replace(/^data:image\/png;base64,/, ''), 'base64');
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64]);
    }
    expect(page.items.some((i) => i.hit === 1 || i.hit === 0)).toBe(true);
  });

  it('refuses an unknown run', async () => {
    const answer = await dispatch('attentionGallery', { runId: 9999, finding });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'runId' } });
  });
});
