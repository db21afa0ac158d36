import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FairnessSummary, SeedSummary } from '../../src-main/api/fairness-schemas';
import { createDispatch } from '../../src-main/api/dispatch';
import { createHandlers } from '../../src-main/api/handlers';
import {
  studyReportResultSchema,
  studyReportSummarySchema,
  type StudyReportResult,
  type StudyReportSummary,
} from '../../src-main/api/report-schemas';
import { trainConfigSchema } from '../../src-main/api/training-schemas';
import { AppContext } from '../../src-main/core/app-context';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import { openWorkspace } from '../../src-main/core/db/open-workspace';
import { table2Csv, table2Rows } from '../../src-main/core/evaluation/charts/table2';
import { fairnessSummary } from '../../src-main/core/evaluation/fairness-summary';
import { createRun } from '../../src-main/core/training/run-store';
import { runCli } from '../helpers/cli';
import { oneLineError } from '../helpers/export-workspace';
import {
  buildFairnessWorkspace,
  fairnessFinding,
  fairnessTestSources,
  trainFairnessRun,
  type FairnessWorkspace,
} from '../helpers/fairness-workspace';
import { dicomIdentifiers } from '../helpers/dicom-identifiers';
import { tempDir } from '../helpers/paths';
import { withDb } from '../helpers/trainer-workspace';

/**
 * `aligner study report` end to end: a simulated cohort imported with `aligner simulate --into-db` (DICOM files
 * with patient names, ids and SOP UIDs), a study of micro runs trained by `aligner study run` on the real trainer
 * (alignment 0 and 1 × seeds 0 and 1, two epochs), a queued run of the study and a finished run outside it, then
 * the report through the built CLI. Every file is parsed, the numbers are checked against the workspace, a fresh
 * fairnessSummary and `aligner metrics` on the report's own predictions, and every file is searched for the
 * cohort's identifiers.
 */
const dir = tempDir('aligner-report-');
const out = join(dir.path, 'report');
let ws: FairnessWorkspace;
let studyId = 0;
let studyRunIds: number[] = [];
let queuedRunId = 0;
let outsideRunId = 0;
let result: StudyReportResult;
let summary: StudyReportSummary;
let fresh: FairnessSummary;

/** The study, run by `aligner study run` (two runs at a time): its id and run ids in queue order. */
async function runStudy(): Promise<{ studyId: number; runIds: number[] }> {
  const file = join(dir.path, 'study.json');
  const config = {
    name: 'Alignment sweep',
    finding: fairnessFinding,
    train: ['riverside'],
    validation: 'hillcrest',
    test: [...fairnessTestSources],
    levels: [0, 1],
    seeds: [0, 1],
    preset: 'micro',
    // The micro preset's own side, learning rate and batch (a study's defaults are the paper's: 224, 5e-5, 32).
    imageSize: 64,
    epochs: 2,
    batchSize: 16,
    lr: 0.001,
    backend: 'wasm',
  };
  writeFileSync(file, JSON.stringify(config));
  const run = await runCli(['study', 'run', file, '--concurrency', '2', '--db', ws.db, '--json'], ws.env);
  if (run.code !== 0) throw new Error(`aligner study run exited ${run.code}:\n${run.stderr}`);
  const { studyId } = JSON.parse(run.stdout) as { studyId: number };
  const runIds = withDb(
    ws.db,
    (db) => db.prepare('SELECT id FROM runs WHERE study_id = ? ORDER BY id').pluck().all(studyId) as number[],
  );
  return { studyId, runIds };
}

/** One more run of the study that has not trained yet (as a paused study has): listed, not evaluated. */
function queueRun(): number {
  return withWritableDb((db) =>
    createRun(
      db,
      trainConfigSchema.parse({
        findings: [fairnessFinding],
        train: ['riverside'],
        validation: ['hillcrest'],
        alignment: 1,
        seed: 2,
      }),
      studyId,
    ),
  );
}

const report = (...args: string[]) => runCli(['study', 'report', ...args, '--db', ws.db], ws.env);

beforeAll(async () => {
  ws = await buildFairnessWorkspace(dir.path);
  ({ studyId, runIds: studyRunIds } = await runStudy());
  // A finished run outside the study: not in its report.
  outsideRunId = await trainFairnessRun(ws, { alignment: 0.5, seed: 0 });
  queuedRunId = queueRun();

  const started = performance.now();
  const run = await report(String(studyId), '--out', out, '--json');
  const wall = (performance.now() - started) / 1000;
  if (run.code !== 0) throw new Error(`aligner study report exited ${run.code}:\n${run.stderr}`);
  result = studyReportResultSchema.parse(JSON.parse(run.stdout));
  summary = studyReportSummarySchema.parse(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')));
  console.log(
    `study report export: ${result.seconds.toFixed(2)} s in the command, ${wall.toFixed(2)} s wall with the CLI's ` +
      `start (${result.files.length} files, ${(result.bytes / 1e6).toFixed(1)} MB, ${result.evaluatedRuns} runs)`,
  );
  const opened = openWorkspace(ws.db);
  try {
    fresh = await fairnessSummary(opened.db, { studyId, finding: 'nodule', ageThreshold: 60, threshold: 0.5 });
  } finally {
    opened.close();
  }
}, 300_000);

afterAll(() => dir.remove());

/** Every file under a folder, '/'-separated relative names, sorted. */
function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return files.sort();
}

function readCsv(name: string): { header: string[]; rows: Record<string, string>[] } {
  const records = parse(readFileSync(join(out, name), 'utf8'), { relaxColumnCount: false }) as string[][];
  const [header, ...rest] = records;
  if (!header) throw new Error(`${name} is empty`);
  return { header, rows: rest.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

/** A CSV cell as the number (or null, when empty) it stands for. */
const cell = (text: string | undefined): number | null => (text === undefined || text === '' ? null : Number(text));

const drawn = ['table2', ...fairnessTestSources.flatMap((s) => [`fig3-${s}`, `alignment-${s}`, `fig6-${s}`])];
const missing = fairnessTestSources.flatMap((s) => [`fig4-${s}`, `fig5-${s}`]);

describe('aligner study report', () => {
  it('writes every file of the layout, and each one parses', async () => {
    const files = listFiles(out);
    expect(files).toEqual(result.files.map((f) => f.name).sort());
    for (const name of ['summary.json', 'runs.csv', 'run-metrics.csv', 'aggregated.csv', 'table2.csv']) {
      expect(files).toContain(name);
    }
    expect(files).toContain('predictions.csv');
    expect(files).toContain('report.html');
    for (const id of drawn) expect(files).toEqual(expect.arrayContaining([`figures/${id}.svg`, `figures/${id}.png`]));
    for (const id of missing) expect(files.filter((f) => f.startsWith(`figures/${id}.`))).toEqual([]);
    expect(result.notes).toHaveLength(missing.length);

    for (const name of files.filter((f) => f.endsWith('.csv'))) {
      const { header, rows } = readCsv(name);
      expect(header.length, name).toBeGreaterThan(3);
      expect(rows.length, name).toBeGreaterThan(0);
    }
    for (const name of files.filter((f) => f.endsWith('.svg'))) {
      const svg = readFileSync(join(out, name), 'utf8');
      expect(svg.startsWith('<svg'), name).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>'), name).toBe(true);
      // Its PNG is the same drawing at twice the size.
      const width = Number(/^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
      const height = Number(/^<svg[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
      const png = readFileSync(join(out, name.replace(/\.svg$/, '.png')));
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      const meta = await sharp(png).metadata();
      expect([meta.width, meta.height], name).toEqual([Math.round(2 * width), Math.round(2 * height)]);
    }
    // The gallery: the baseline's and the most aligned level's first seed, hits and misses.
    expect(summary.gallery.map((g) => g.runId)).toEqual([studyRunIds[0], studyRunIds[1]]);
    for (const g of summary.gallery) {
      expect(g.panels.length).toBeGreaterThan(0);
      expect(g.panels.every((p) => p.hit !== null && /^P-[A-Z2-7]{12}$/.test(p.pseudonym))).toBe(true);
    }
  });

  it('covers the study: its runs only, a queued one listed but not evaluated', () => {
    expect(summary.study.id).toBe(studyId);
    expect(summary.finding).toBe('nodule');
    expect(summary.runs.map((r) => r.runId)).toEqual([...studyRunIds, queuedRunId]);
    expect(summary.runs.map((r) => r.runId)).not.toContain(outsideRunId);
    const queued = summary.runs.find((r) => r.runId === queuedRunId);
    expect(queued).toMatchObject({ status: 'queued', sources: [], testAuc: null });
    expect(summary.seeds).toEqual([0, 1, 2]);
    expect(summary.backends).toEqual(['wasm']);
    expect(summary.devices).toHaveLength(1);
    expect(summary.aggregates.conditions.map((c) => c.alignment)).toEqual([0, 1]);
    expect(result).toMatchObject({ studyId, runs: 5, evaluatedRuns: 4, finding: 'nodule' });
  });

  it('agrees with the runs table, a fresh fairnessSummary and its own per-run numbers', () => {
    // Per-run figures: summary.json = runs table = runs.csv.
    const table = withDb(
      ws.db,
      (db) =>
        db
          .prepare('SELECT id, test_auc, val_auc, best_epoch FROM runs WHERE study_id = ? ORDER BY id')
          .all(studyId) as { id: number; test_auc: number | null; val_auc: number | null; best_epoch: number | null }[],
    );
    const runsCsv = readCsv('runs.csv').rows;
    for (const row of table) {
      const run = summary.runs.find((r) => r.runId === row.id);
      expect(run?.testAuc).toBe(row.test_auc);
      expect(run?.valAuc).toBe(row.val_auc);
      expect(run?.bestEpoch).toBe(row.best_epoch);
      expect(cell(runsCsv.find((r) => Number(r.run) === row.id)?.test_auc)).toBe(row.test_auc);
    }
    expect(table.filter((r) => r.test_auc !== null)).toHaveLength(4);

    // Aggregates: summary.json = a fresh fairnessSummary of the study.
    expect(summary.aggregates).toEqual(fresh);

    // aggregated.csv = summary.json's aggregates, quantity by quantity.
    const rows = readCsv('aggregated.csv').rows;
    let checked = 0;
    for (const row of rows) {
      const value = aggregateOf(summary.aggregates, row);
      expect(value, JSON.stringify(row)).toBeDefined();
      expect([cell(row.mean), cell(row.std), cell(row.n)], JSON.stringify(row)).toEqual([
        value!.mean,
        value!.std,
        value!.n,
      ]);
      checked += 1;
    }
    expect(checked).toBe(countQuantities(summary.aggregates));

    // The aggregates are the mean over the runs of each condition (per-run numbers of summary.json).
    for (const c of summary.aggregates.conditions) {
      for (const s of c.sources) {
        const values = summary.runs
          .filter((r) => c.runIds.includes(r.runId))
          .map((r) => r.sources.find((x) => x.source === s.source)?.performance.auc ?? null)
          .filter((v): v is number => v !== null);
        expect(values).toHaveLength(2);
        expect(s.performance.auc.mean).toBeCloseTo((values[0]! + values[1]!) / 2, 12);
      }
    }

    // run-metrics.csv = summary.json's per-run numbers.
    const metrics = readCsv('run-metrics.csv').rows;
    for (const run of summary.runs) {
      for (const s of run.sources) {
        const overall = metrics.find(
          (m) => Number(m.run) === run.runId && m.source === s.source && m.kind === 'overall',
        );
        expect(cell(overall?.auc)).toBe(s.performance.auc);
        expect(cell(overall?.hit_rate)).toBe(s.hitRate);
        for (const a of s.attributes) {
          const gap = metrics.find(
            (m) =>
              Number(m.run) === run.runId && m.source === s.source && m.kind === 'gap' && m.attribute === a.attribute,
          );
          expect(cell(gap?.auc)).toBe(a.gaps.auc);
          expect(cell(gap?.hit_rate)).toBe(a.hitRateGap);
        }
      }
    }

    // table2.csv is the chart builder's CSV of the same summary.
    expect(readFileSync(join(out, 'table2.csv'), 'utf8')).toBe(table2Csv(table2Rows(fresh)));
  });

  it("matches `aligner metrics` on the report's own predictions.csv, source by source", async () => {
    const { header, rows } = readCsv('predictions.csv');
    expect(header).toEqual(['run', 'score', 'label', 'finding', 'source', 'sex', 'age', 'image', 'view']);
    expect(rows.every((r) => /^P-[A-Z2-7]{12}:\d+$/.test(r.image ?? ''))).toBe(true);
    const counts = withDb(
      ws.db,
      (db) =>
        db
          .prepare(
            `SELECT p.run_id AS run, count(*) AS n FROM predictions p
             JOIN labels l ON l.image_id = p.image_id AND l.finding = p.finding
             WHERE p.run_id IN (SELECT value FROM json_each(?)) AND p.finding = ? GROUP BY p.run_id ORDER BY p.run_id`,
          )
          .all(JSON.stringify(studyRunIds), fairnessFinding) as { run: number; n: number }[],
    );
    expect(counts.map((c) => c.run)).toEqual(studyRunIds);
    for (const { run, n } of counts) expect(rows.filter((r) => Number(r.run) === run)).toHaveLength(n);

    const lines = readFileSync(join(out, 'predictions.csv'), 'utf8').trimEnd().split('\n');
    // The baseline's and the aligned level's first seed (each CLI start costs seconds).
    for (const run of summary.runs.filter((r) => r.runId === studyRunIds[0] || r.runId === studyRunIds[1])) {
      for (const s of run.sources) {
        const file = join(dir.path, `metrics-${run.runId}-${s.source}.csv`);
        const own = lines
          .slice(1)
          .filter((line, i) => Number(rows[i]?.run) === run.runId && rows[i]?.source === s.source);
        writeFileSync(file, [lines[0], ...own].join('\n'));
        const metrics = await runCli(
          ['metrics', '--predictions', file, '--group', 'sex', '--age-column', 'age', '--bootstrap', '0', '--json'],
          ws.env,
        );
        expect(metrics.code, metrics.stderr).toBe(0);
        const answer = JSON.parse(metrics.stdout) as {
          overall: Record<string, number | null>;
          gaps: Record<string, Record<string, number | null>>;
        };
        for (const key of ['auc', 'accuracy', 'f1', 'sensitivity', 'specificity'] as const) {
          expect(answer.overall[key], `${run.runId} ${s.source} ${key}`).toBeCloseTo(
            s.performance[key] ?? Number.NaN,
            12,
          );
        }
        const sex = s.attributes.find((a) => a.attribute === 'sex');
        expect(answer.gaps.sex?.auc ?? null).toBe(sex?.gaps.auc ?? null);
      }
    }
  });

  it('writes a self-contained report.html that shows the numbers and says which figures are missing', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link\b|@import|url\(\s*["']?https?:/i);
    // Per-run test AUC, × 100 with one decimal, in the run's row.
    for (const run of summary.runs.filter((r) => r.testAuc !== null)) {
      const row = new RegExp(`<tr data-run="${run.runId}">.*?</tr>`).exec(html)?.[0] ?? '';
      expect(row).toContain(`data-field="testAuc">${((run.testAuc ?? 0) * 100).toFixed(1)}<`);
    }
    // An aggregate (mean ± std over seeds) in its condition's row.
    const baseline = summary.aggregates.conditions[0]!;
    const s = baseline.sources[0]!;
    const auc = s.performance.auc;
    const aggregateRow =
      new RegExp(`<tr data-condition="${escapeRegExp(baseline.key)}" data-source="${s.source}">.*?</tr>`).exec(
        html,
      )?.[0] ?? '';
    expect(aggregateRow).toContain(`${((auc.mean ?? 0) * 100).toFixed(1)} ± ${((auc.std ?? 0) * 100).toFixed(1)}`);
    // Drawn figures are embedded; missing ones are a note, not an image.
    for (const id of drawn)
      expect(html).toMatch(new RegExp(`data-figure="${id}"><img src="data:image/svg\\+xml;base64,`));
    for (const id of missing)
      expect(html).toMatch(new RegExp(`data-figure="${id}">.*?Not drawn: this study needs`, 's'));
    expect(html).toContain('L = L<sub>CE</sub> + λ·L<sub>AL</sub>');
    expect(html).toContain('w<sub>FP</sub> = 2, α = 1');
  });

  it('holds no patient name, patient id, birth date, SOP UID or file name of the cohort, in any file', () => {
    const { identifiers, named: names } = dicomIdentifiers(ws.cohorts);
    expect(names).toBe(48 + 16 + 40 + 24);
    expect(identifiers.size).toBeGreaterThan(128 * 5);
    const leaks: string[] = [];
    for (const name of listFiles(out)) {
      const text = withDataUrls(readFileSync(join(out, name)).toString('latin1')).toLowerCase();
      for (const id of identifiers) if (text.includes(id)) leaks.push(`${name}: ${id}`);
    }
    expect(leaks).toEqual([]);
  });

  it('answers the studyReport call; a second report replaces its own files and keeps the others', async () => {
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const ctx = new AppContext({
      host: 'browser',
      version: '0.0.0-test',
      userDataDir: join(dir.path, 'user-data'),
      probeBackend: selectBackend,
    });
    try {
      ctx.openWorkspace(ws.db);
      const dispatch = createDispatch(createHandlers(ctx), (name, err) => {
        throw new Error(`${name}: ${String(err)}`);
      });
      const relativeOut = await dispatch('studyReport', { studyId, outDir: 'report' });
      expect(relativeOut).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      const unknown = await dispatch('studyReport', { studyId: 999, outDir: out });
      expect(unknown).toMatchObject({
        ok: false,
        error: { code: 'invalid_input', message: 'there is no study 999 in this workspace' },
      });
      const answer = await dispatch('studyReport', { studyId, outDir: out });
      if (!answer.ok) throw new Error(JSON.stringify(answer.error));
      const again = studyReportResultSchema.parse(answer.value);
      expect(again.files.map((f) => f.name).sort()).toEqual(result.files.map((f) => f.name).sort());
    } finally {
      ctx.close();
    }
    const fewer = await report(String(studyId), '--out', out, '--gallery', '1', '--json');
    expect(fewer.code, fewer.stderr).toBe(0);
    const files = listFiles(out);
    expect(files.filter((f) => f.startsWith('gallery/'))).toHaveLength(2 * 2);
    expect(files).toContain('notes.txt');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('refuses an unknown study, a study without finished runs and an output that is a file (exit 2, one line)', async () => {
    const nowhere = join(dir.path, 'nowhere');
    expect(oneLineError(await report('999', '--out', nowhere))).toBe(
      'aligner: error: there is no study 999 in this workspace',
    );
    expect(existsSync(nowhere)).toBe(false);
    const file = join(dir.path, 'a-file');
    writeFileSync(file, 'x');
    expect(oneLineError(await report(String(studyId), '--out', file))).toBe(
      `aligner: error: ${file} is a file; give a folder for the report`,
    );
    expect(oneLineError(await report(String(studyId), '--out', join(file, 'below')))).toMatch(/a-file is a file$/);
    expect(oneLineError(await report('x1', '--out', nowhere))).toMatch(
      /the study id must be a positive integer; got 'x1'/,
    );
    expect(oneLineError(await report(String(studyId)))).toMatch(/--out DIR is required/);
    expect(oneLineError(await report(String(studyId), '--out', nowhere, '--threshold', '2'))).toMatch(/--threshold/);
    const empty = withWritableDb((db) =>
      Number(db.prepare("INSERT INTO studies (name, config) VALUES ('empty', '{not json')").run().lastInsertRowid),
    );
    expect(oneLineError(await report(String(empty), '--out', nowhere))).toMatch(
      new RegExp(`study ${empty} has no finished run with labelled test predictions yet; nothing to report$`),
    );
    expect(existsSync(nowhere)).toBe(false);
  });
});

function withWritableDb<T>(use: (db: ReturnType<typeof openWorkspace>['db']) => T): T {
  const opened = openWorkspace(ws.db);
  try {
    return use(opened.db);
  } finally {
    opened.close();
  }
}

/** The text with the decoded payload of every base64 data URL in it appended (twice: SVGs inside HTML hold PNGs). */
function withDataUrls(text: string, depth = 2): string {
  if (depth === 0) return text;
  const decoded = [...text.matchAll(/data:[\w.+/-]+;base64,([A-Za-z0-9+/=]+)/g)].map((m) =>
    Buffer.from(m[1] ?? '', 'base64').toString('latin1'),
  );
  return [text, ...decoded.map((d) => withDataUrls(d, depth - 1))].join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The aggregate a row of aggregated.csv names, looked up in the summary (undefined: no such quantity). */
function aggregateOf(summary: FairnessSummary, row: Record<string, string>): SeedSummary | undefined {
  const source = summary.conditions
    .find((c) => c.key === row.condition_key)
    ?.sources.find((s) => s.source === row.source);
  if (!source) return undefined;
  const quantity = row.quantity ?? '';
  if (row.attribute === '') {
    if (quantity === 'hit_rate') return source.hitRate;
    if (quantity === 'miou') return source.miou;
    return source.performance[quantity as keyof typeof source.performance];
  }
  const attribute = source.attributes.find((a) => a.attribute === row.attribute);
  if (!attribute) return undefined;
  if (row.group === '') {
    if (quantity === 'gap_hit_rate') return attribute.hitRateGap;
    if (quantity === 'worst_group_auc') return attribute.gaps.worstGroupAuc;
    return attribute.gaps[quantity.replace(/^gap_/, '') as keyof typeof source.performance];
  }
  const group = attribute.groups.find((g) => g.value === row.group);
  if (!group) return undefined;
  return quantity === 'hit_rate' ? group.hitRate : group.performance[quantity as keyof typeof source.performance];
}

/** How many quantities the summary has: 7 per source, 7 per attribute, 6 per group. */
function countQuantities(summary: FairnessSummary): number {
  return summary.conditions
    .flatMap((c) => c.sources)
    .reduce((n, s) => n + 7 + s.attributes.reduce((m, a) => m + 7 + 6 * a.groups.length, 0), 0);
}
