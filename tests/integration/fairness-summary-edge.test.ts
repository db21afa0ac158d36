import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fairnessQuerySchema, fairnessSummarySchema } from '../../src-main/api/fairness-schemas';
import { openWorkspace, type WorkspaceDb } from '../../src-main/core/db/open-workspace';
import { fairnessSummary } from '../../src-main/core/evaluation/fairness-summary';
import { tempDir } from '../helpers/paths';

/**
 * fairnessSummary on a workspace without anything to evaluate: finished runs without test sources or
 * predictions, a run whose stored config this build cannot read, unfinished runs, and a study filter.
 */
const dir = tempDir('aligner-fairness-edge-');
let ws: WorkspaceDb;

const config = (overrides: Record<string, unknown> = {}): string =>
  JSON.stringify({ findings: ['nodule'], train: ['a'], validation: ['b'], test: ['c'], alignment: 0.5, ...overrides });

beforeAll(() => {
  ws = openWorkspace(join(dir.path, 'w.db'));
  const study = ws.db.prepare("INSERT INTO studies (name, config) VALUES ('s', '{}')").run().lastInsertRowid;
  const insert = ws.db.prepare('INSERT INTO runs (id, study_id, config, seed, status) VALUES (?, ?, ?, ?, ?)');
  insert.run(1, null, config({ test: [] }), 0, 'done'); // no test sources
  insert.run(2, study, config(), 0, 'done'); // test sources, but no predictions recorded
  insert.run(3, null, '{"findings": "nodule"}', 0, 'done'); // unreadable config
  insert.run(4, null, config(), 0, 'running'); // not finished: out of scope
  insert.run(5, null, config({ findings: ['effusion'] }), 1, 'done'); // another finding
});
afterAll(() => {
  ws.close();
  dir.remove();
});

describe('fairnessSummary without evaluations', () => {
  it('answers with no finding and lists every finished run with the reason it was left out', async () => {
    const summary = fairnessSummarySchema.parse(await fairnessSummary(ws.db, fairnessQuerySchema.parse({})));
    expect(summary).toMatchObject({ finding: null, findings: [], conditions: [], studyId: null });
    expect(summary.skipped.map((s) => s.runId)).toEqual([1, 2, 3, 5]);
    expect(summary.skipped[0]?.reason).toMatch(/no test sources/);
    expect(summary.skipped[1]?.reason).toMatch(/no test predictions/);
    expect(summary.skipped[2]?.reason).toMatch(/run 3: its stored config cannot be read/);
  });

  it('for a chosen finding lists only the runs that predict it (and the unreadable one)', async () => {
    const summary = await fairnessSummary(ws.db, fairnessQuerySchema.parse({ finding: 'nodule' }));
    expect(summary.finding).toBe('nodule');
    expect(summary.skipped.map((s) => s.runId)).toEqual([1, 2, 3]);
    const effusion = await fairnessSummary(ws.db, fairnessQuerySchema.parse({ finding: 'effusion' }));
    expect(effusion.skipped.map((s) => s.runId)).toEqual([3, 5]);
  });

  it('keeps to one study when asked, and refuses one that does not exist', async () => {
    const summary = await fairnessSummary(ws.db, fairnessQuerySchema.parse({ finding: 'nodule', studyId: 1 }));
    expect(summary).toMatchObject({ studyId: 1, conditions: [] });
    expect(summary.skipped.map((s) => s.runId)).toEqual([2]);
    await expect(fairnessSummary(ws.db, fairnessQuerySchema.parse({ studyId: 42 }))).rejects.toThrow(/no study 42/);
  });
});
