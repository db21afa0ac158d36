import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionsExportSummarySchema } from '../../src-main/api/export-schemas';
import { dicomParser } from '../../src-main/core/dicom/dicom-parser-lib';
import { runCli } from '../helpers/cli';
import {
  buildExportWorkspace,
  oneLineError,
  queuedRun,
  trainMicro,
  type ExportWorkspace,
  type TrainAnswer,
} from '../helpers/export-workspace';
import { tempDir } from '../helpers/paths';
import { readPredictions, readRunRecord, withDb } from '../helpers/trainer-workspace';

/**
 * `aligner export predictions` end to end: runs trained by the real trainer on a simulated workspace, the CSV
 * read back by the real `aligner metrics`, and checked for the identifiers the simulator wrote into the DICOM
 * files.
 */
const dir = tempDir('aligner-export-predictions-');
let ws: ExportWorkspace;
let single: TrainAnswer;
let multi: TrainAnswer;

beforeAll(async () => {
  ws = await buildExportWorkspace(dir.path);
  single = await trainMicro(ws, 'nodule');
  multi = await trainMicro(ws, 'nodule,effusion');
}, 240_000);
afterAll(() => dir.remove());

function exportPredictions(runId: number, out: string, ...extra: string[]) {
  return runCli(
    ['export', 'predictions', '--run', String(runId), '--out', out, ...extra, '--db', ws.db, '--json'],
    ws.env,
  );
}

/** The CSV as header + rows of cells (the exporter quotes nothing in these workspaces: no commas or quotes). */
function readCsv(path: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return { header: (head ?? '').split(','), rows: lines.map((l) => l.split(',')) };
}

interface ImageFacts {
  readonly id: number;
  readonly pseudonym: string;
  readonly sex: string;
  readonly age: number | null;
  readonly view: string | null;
  readonly source: string;
}

function imageFacts(): Map<number, ImageFacts> {
  const rows = withDb(
    ws.db,
    (db) =>
      db
        .prepare(
          `SELECT i.id, i.patient_pseudonym AS pseudonym, i.sex, i.age_years AS age, i.view_position AS view,
             s.name AS source FROM images i JOIN sources s ON s.id = i.source_id`,
        )
        .all() as ImageFacts[],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

function labelsOf(finding: string): Map<number, number> {
  const rows = withDb(
    ws.db,
    (db) =>
      db.prepare('SELECT image_id AS id, value FROM labels WHERE finding = ?').all(finding) as {
        id: number;
        value: number;
      }[],
  );
  return new Map(rows.map((r) => [r.id, r.value]));
}

describe('aligner export predictions', () => {
  it("writes one row per labelled test image in the metrics format, de-identified and equal to the run's predictions", async () => {
    const out = join(dir.path, 'single.csv');
    const run = await exportPredictions(single.runId, out);
    expect(run.code, run.stderr).toBe(0);
    const summary = predictionsExportSummarySchema.parse(JSON.parse(run.stdout));
    const predictions = readPredictions(ws.db, single.runId);
    expect(predictions.length).toBe(30);
    expect(summary).toMatchObject({
      runId: single.runId,
      finding: 'nodule',
      path: out,
      rows: 30,
      unlabelled: 0,
      columns: ['score', 'label', 'finding', 'source', 'sex', 'age', 'image', 'view'],
    });
    expect(summary.positives + summary.negatives).toBe(30);
    expect(summary.positives).toBeGreaterThan(0);
    expect(summary.negatives).toBeGreaterThan(0);
    expect(readFileSync(out).length).toBe(summary.bytes);

    const { header, rows } = readCsv(out);
    expect(header).toEqual(summary.columns);
    const facts = imageFacts();
    const labels = labelsOf('nodule');
    const scores = new Map(predictions.map((p) => [p.imageId, p.score]));
    for (const cells of rows) {
      const [score, label, finding, source, sex, age, image, view] = cells;
      const match = /^(P-[A-Z2-7]{12}):(\d+)$/.exec(image ?? '');
      expect(match, image).not.toBeNull();
      const id = Number(match?.[2]);
      const fact = facts.get(id);
      expect(match?.[1]).toBe(fact?.pseudonym);
      // The stored double, exactly.
      expect(Number(score)).toBe(scores.get(id));
      expect(Number(label)).toBe(labels.get(id));
      expect([finding, source, sex, view]).toEqual(['nodule', 'summit', fact?.sex, fact?.view ?? '']);
      expect(Number(age)).toBe(fact?.age);
    }
    expect(rows.map((r) => Number(r[6]?.split(':')[1]))).toEqual(predictions.map((p) => p.imageId));
  });

  it("gives `aligner metrics` the run's test AUC (1e-9)", async () => {
    const out = join(dir.path, 'for-metrics.csv');
    expect((await exportPredictions(single.runId, out)).code).toBe(0);
    const metrics = await runCli(
      ['metrics', '--predictions', out, '--group', 'sex', '--age-column', 'age', '--bootstrap', '0', '--json'],
      ws.env,
    );
    expect(metrics.code, metrics.stderr).toBe(0);
    const report = JSON.parse(metrics.stdout) as {
      rows: number;
      overall: { auc: number | null };
      groups: Record<string, unknown>;
    };
    const testAuc = readRunRecord(ws.db, single.runId)?.testAuc;
    expect(testAuc).toBeTypeOf('number');
    expect(report.rows).toBe(30);
    expect(Math.abs((report.overall.auc ?? Number.NaN) - (testAuc ?? Number.NaN))).toBeLessThan(1e-9);
    expect(Object.keys(report.groups).sort()).toEqual(['age', 'sex']);
  });

  it('holds none of the patient names, patient ids, SOP UIDs or file names of the DICOM files', async () => {
    const out = join(dir.path, 'private.csv');
    expect((await exportPredictions(single.runId, out)).code).toBe(0);
    const text = readFileSync(out, 'utf8').toLowerCase();
    const identifiers: string[] = [];
    for (const cohort of ws.cohorts) {
      for (const file of readdirSync(cohort).filter((f) => f.endsWith('.dcm'))) {
        const data = dicomParser.parseDicom(new Uint8Array(readFileSync(join(cohort, file))));
        for (const tag of ['x00100010', 'x00100020', 'x00080018']) {
          const value = data.string(tag);
          if (value) identifiers.push(value);
        }
        identifiers.push(file, file.replace(/\.dcm$/, ''));
      }
    }
    // 90 files: name, id, SOP UID, file name, stem.
    expect(identifiers.length).toBe(90 * 5);
    expect(identifiers.some((v) => v.startsWith('SIMULATED^'))).toBe(true);
    const found = identifiers.filter((v) => text.includes(v.toLowerCase()));
    expect(found).toEqual([]);
  });

  it('asks which finding of a run trained for several, and leaves out images without a label', async () => {
    const out = join(dir.path, 'multi.csv');
    expect(oneLineError(await exportPredictions(multi.runId, out))).toMatch(
      new RegExp(`run ${multi.runId} was trained for several findings \\(nodule, effusion\\); name the one to export`),
    );
    const first = await exportPredictions(multi.runId, out, '--finding', 'effusion');
    expect(first.code, first.stderr).toBe(0);
    expect(predictionsExportSummarySchema.parse(JSON.parse(first.stdout))).toMatchObject({
      finding: 'effusion',
      rows: 30,
    });
    expect(readCsv(out).rows.every((r) => r[2] === 'effusion')).toBe(true);

    // One test image loses its effusion label (as an import with a blank cell leaves it).
    const [dropped] = readPredictions(ws.db, multi.runId);
    const db = new Database(ws.db);
    try {
      db.prepare("DELETE FROM labels WHERE image_id = ? AND finding = 'effusion'").run(dropped?.imageId);
    } finally {
      db.close();
    }
    const second = await exportPredictions(multi.runId, out, '--finding', 'effusion');
    expect(second.code, second.stderr).toBe(0);
    expect(predictionsExportSummarySchema.parse(JSON.parse(second.stdout))).toMatchObject({ rows: 29, unlabelled: 1 });
    const ids = readCsv(out).rows.map((r) => Number(r[6]?.split(':')[1]));
    expect(ids).toHaveLength(29);
    expect(ids).not.toContain(dropped?.imageId);
    // The other finding keeps every row.
    const nodule = await exportPredictions(multi.runId, join(dir.path, 'multi-nodule.csv'), '--finding', 'nodule');
    expect(JSON.parse(nodule.stdout)).toMatchObject({ finding: 'nodule', rows: 30, unlabelled: 0 });
  });

  it('refuses an unknown or unfinished run, a finding the run lacks and an output that is a folder (exit 2, one line)', async () => {
    const out = join(dir.path, 'bad.csv');
    expect(oneLineError(await exportPredictions(999, out))).toMatch(/no run with id 999/);
    const queued = queuedRun(ws);
    expect(oneLineError(await exportPredictions(queued, out))).toMatch(/is not finished \(status queued\)/);
    expect(oneLineError(await exportPredictions(single.runId, out, '--finding', 'edema'))).toMatch(
      /was not trained for 'edema'; its findings: nodule/,
    );
    expect(oneLineError(await exportPredictions(single.runId, out, '--finding', 'lungs'))).toMatch(
      /--finding must be one of nodule, effusion, edema/,
    );
    const folder = join(dir.path, 'a-folder');
    mkdirSync(folder);
    expect(oneLineError(await exportPredictions(single.runId, folder))).toMatch(/is a folder; give a file name/);
  });
});
