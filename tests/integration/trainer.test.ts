import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint, type CheckpointTensor } from '../../src-main/core/training/checkpoint';
import { failOrphanedRuns } from '../../src-main/core/training/run-store';
import { runCli, type CliRun } from '../helpers/cli';
import { tempDir } from '../helpers/paths';
import {
  childPids,
  isAlive,
  killStartedClis,
  learnableNodules,
  pointingGame,
  readEpochRows,
  readPredictions,
  readRunRecord,
  simulateInto,
  sourceImageIds,
  spawnCli,
  withDb,
} from '../helpers/trainer-workspace';

/**
 * `aligner train` end to end: a real workspace file made by `aligner simulate --into-db`, the built CLI, the
 * real trainer child process on the wasm backend (deterministic on one thread, so equal seeds give equal runs).
 */
const dir = tempDir('aligner-trainer-');
const db = join(dir.path, 'w.db');
const runsDir = `${db}.runs`;
// Keep the user's real workspace out of reach.
const env: NodeJS.ProcessEnv = { ALIGNER_USER_DATA: join(dir.path, 'user-data'), ALIGNER_DB: '' };

interface TrainAnswer {
  readonly runId: number;
  readonly status: 'done' | 'failed' | 'cancelled';
  readonly backend: string | null;
  readonly epochs: number;
  readonly bestEpoch: number | null;
  readonly valAuc: number | null;
  readonly testAuc: number | null;
  readonly error?: string;
}

/** Options as flag → value; `train()` turns them into arguments, so a case can override one. */
type Flags = Readonly<Record<string, string>>;

const base: Flags = {
  task: 'nodule',
  train: 'riverside',
  val: 'hillcrest',
  test: 'summit',
  batch: '16',
  backend: 'wasm',
};
/**
 * The reference run: every image of riverside aligned, 8 epochs, seed 1. Not seed 0: there alignment does not take
 * within 8 epochs on this workspace (see the pointing-game test), which is a finding to report, not a baseline.
 */
const reference: Flags = { ...base, alignment: '1', epochs: '8', seed: '1' };

function args(flags: Flags, ...switches: string[]): string[] {
  return ['train', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]), ...switches, '--db', db, '--json'];
}

function answerOf(run: Pick<CliRun, 'stdout' | 'stderr'>): TrainAnswer {
  const line = run.stdout.trim();
  if (!line.startsWith('{')) throw new Error(`no JSON answer on stdout:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line) as TrainAnswer;
}

/** Runs that several tests compare with, trained once (each test still works alone). */
const memo = new Map<string, Promise<TrainAnswer>>();
function trainOnce(flags: Flags): Promise<TrainAnswer> {
  const key = JSON.stringify(flags);
  let run = memo.get(key);
  if (!run) {
    run = runCli(args(flags), env).then((r) => {
      if (r.code !== 0) throw new Error(`aligner train exited ${r.code}:\n${r.stderr}`);
      return answerOf(r);
    });
    memo.set(key, run);
  }
  return run;
}

/**
 * stderr without the warning tfjs-core prints when it is loaded twice in the trainer (bundled into
 * trainer-process.js, and again by the backend package from node_modules; electron.vite.config.ts).
 */
function meaningfulLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^Platform node has already been set\. Overwriting the platform/.test(l));
}

function lastCheckpointOf(runId: number): string {
  return join(runsDir, `run-${runId}`, 'last.ckpt');
}

function maxRunId(): number {
  return withDb(db, (d) => d.prepare('SELECT coalesce(max(id), 0) FROM runs').pluck().get() as number);
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  const cohort = (site: string, n: number, seed: number, ...extra: string[]): Promise<void> => {
    const out = join(dir.path, site);
    return simulateInto(
      db,
      ['--out', out, '--site', site, '--n', `${n}`, '--seed', `${seed}`, ...learnableNodules, ...extra],
      env,
    );
  };
  // Training site, every positive annotated by a simulated reader; the default shortcut (an R marker that
  // follows the label in women) is left in, as at the demo's training sites.
  await cohort('riverside', 120, 1, '--annotate-fraction', '1');
  // Validation without the shortcut, so that its AUC measures the lesion.
  await cohort('hillcrest', 40, 2, '--shortcut-mode', 'none', '--role', 'validation');
  // Out-of-domain test site (role ood-test), every positive annotated for the pointing game.
  await cohort('summit', 60, 3, '--ood', '--annotate-fraction', '1');
  // A second training site with few regions (alignment shortage).
  await cohort('lakeside', 30, 4, '--annotate-fraction', '0.2');
  // A training source with no images: importing an empty folder creates it.
  const empty = join(dir.path, 'empty');
  mkdirSync(empty);
  const imported = await runCli(['import', empty, '--source', 'hollow', '--role', 'train', '--db', db], env);
  expect(imported.code, imported.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  killStartedClis();
  dir.remove();
});

describe('aligner train (wasm, micro preset)', () => {
  it('learns the nodules and records the run, its epochs and the test predictions', async () => {
    const answer = await trainOnce(reference);
    // Measured (this workspace, seeds 1, 0): best validation AUC 1.000 (epoch 6), 0.953 (epoch 7), reached
    // from ≈ 0.7 after epoch 1. With the simulator's default nodules the same runs stayed at 0.60–0.64. 0.8 leaves a wide margin and still fails a model that learned nothing (≈ 0.5)
    // or only the shortcut marker (absent in validation).
    expect(answer).toMatchObject({ status: 'done', backend: 'wasm', epochs: 8 });
    expect(answer.valAuc).toBeGreaterThanOrEqual(0.8);
    expect(answer.testAuc).not.toBeNull();

    const row = readRunRecord(db, answer.runId);
    expect(row).toMatchObject({ status: 'done', backend: 'wasm', error: null, lastEpoch: 7 });
    expect(row?.bestEpoch).toBe(answer.bestEpoch);
    expect(row?.valAuc).toBeCloseTo(answer.valAuc ?? Number.NaN, 9);
    expect(row?.testAuc).toBeCloseTo(answer.testAuc ?? Number.NaN, 9);

    const epochs = readEpochRows(db, answer.runId);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const e of epochs) {
      expect(Number.isFinite(e.lossCe) && e.lossCe > 0, `CE of epoch ${e.epoch}`).toBe(true);
      expect(e.lossAl, `L_AL of epoch ${e.epoch}`).toBeGreaterThan(0);
      expect(e.lossAl).toBeLessThanOrEqual(1);
    }
    // Measured (seed 1): CE 0.68 → 0.11, L_AL 0.952 → 0.926 over the 8 epochs.
    const [first, last] = [epochs[0], epochs[epochs.length - 1]];
    expect(last?.lossCe).toBeLessThan((first?.lossCe ?? 0) * 0.6);
    expect(last?.lossAl).toBeLessThan(first?.lossAl ?? 0);
    expect(epochs[answer.bestEpoch ?? -1]?.valAuc).toBeCloseTo(answer.valAuc ?? Number.NaN, 9);

    const predictions = readPredictions(db, answer.runId);
    expect(predictions.map((p) => p.imageId)).toEqual(sourceImageIds(db, 'summit'));
    for (const p of predictions) {
      expect(p.finding).toBe('nodule');
      expect(p.score).toBeGreaterThanOrEqual(0);
      expect(p.score).toBeLessThanOrEqual(1);
      // micro: S 64, P 8 → an 8×8 map, head-averaged softmax weights.
      expect(p.attention?.length).toBe(64);
      const map = Array.from(p.attention ?? []);
      expect(map.every((v) => v >= 0)).toBe(true);
      expect(map.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
  }, 180_000);

  it('moves the attention onto the human regions at alignment 1 (pointing game on the test site)', async () => {
    const aligned = await trainOnce(reference);
    const baseline = await trainOnce({ ...reference, alignment: '0' });
    // No aligned image at f = 0: its L_AL is 0 in every epoch, so the loss cannot be compared; the hit rate can.
    expect(readEpochRows(db, baseline.runId).map((e) => e.lossAl)).toEqual(Array.from({ length: 8 }, () => 0));
    const hitAligned = pointingGame(db, aligned.runId, 'nodule');
    const hitBaseline = pointingGame(db, baseline.runId, 'nodule');
    // Measured with λ 20 (the micro default), 8 epochs, on the 37 annotated positives of summit (images ordered
    // by file SHA-256, as the trainer does since the reproducibility bundle):
    //   seed 1: 0.541 (20/37) at f = 0, 0.730 (27/37) at f = 1  ← this test
    //   seed 2: 0.432 (16/37),          0.838 (31/37)
    //   seed 3: 0.216 (8/37),           0.730 (27/37)
    //   seed 0: 0.568 (21/37),          0.000 (0/37): alignment did not take in 8 epochs (L_AL 0.95 → 0.82 but
    //           the attention peaks sit on border patches, never on a nodule) — the reason the hit rate is
    //           reported beside every fairness figure rather than assumed.
    // Where it takes, f = 1 beats f = 0 by 7 to 19 images; ask for at least 4 (≈ 0.1).
    expect(hitBaseline.images).toBeGreaterThanOrEqual(25);
    expect(hitAligned.images).toBe(hitBaseline.images);
    expect(hitAligned.rate - hitBaseline.rate, JSON.stringify({ hitAligned, hitBaseline })).toBeGreaterThanOrEqual(0.1);
  }, 180_000);

  it('resumes a run whose CLI was killed with SIGKILL and ends exactly where an uninterrupted run ends', async () => {
    const uninterrupted = await trainOnce(reference);
    const cli = spawnCli(args(reference), env);
    await cli.waitFor(/^train: epoch 2: /m);
    const trainers = childPids(cli.pid);
    expect(trainers).toHaveLength(1);
    const runId = maxRunId();
    cli.signal('SIGKILL');
    expect((await cli.exited).signal).toBe('SIGKILL');
    // The trainer exits when its channel to the dead parent closes ('disconnect').
    const trainer = trainers[0] as number;
    await until(() => !isAlive(trainer), 15_000, `trainer ${trainer} to exit`);
    // Nobody was left to record the end: the row still says running, with the two epochs it finished, until
    // the next process that looks at the runs sees its owner is gone and marks it interrupted.
    expect(readRunRecord(db, runId)).toMatchObject({ status: 'running', lastEpoch: 1 });
    expect(readEpochRows(db, runId)).toHaveLength(2);
    {
      const ws = new Database(db);
      try {
        expect(failOrphanedRuns(ws)).toBe(1);
      } finally {
        ws.close();
      }
    }
    expect(readRunRecord(db, runId)).toMatchObject({ status: 'failed', lastEpoch: 1 });

    const resumed = await runCli(['train', '--resume', String(runId), '--db', db, '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming at epoch 3/);
    const answer = answerOf(resumed);
    expect(answer).toMatchObject({ runId, status: 'done', backend: 'wasm', epochs: 8 });
    expect(answer.bestEpoch).toBe(uninterrupted.bestEpoch);
    expect(Math.abs((answer.valAuc ?? Number.NaN) - (uninterrupted.valAuc ?? Number.NaN))).toBeLessThan(1e-6);
    expect(Math.abs((answer.testAuc ?? Number.NaN) - (uninterrupted.testAuc ?? Number.NaN))).toBeLessThan(1e-6);
    expect(readRunRecord(db, runId)).toMatchObject({ status: 'done', lastEpoch: 7, error: null });
    expect(readEpochRows(db, runId).map((e) => e.lossCe)).toEqual(
      readEpochRows(db, uninterrupted.runId).map((e) => e.lossCe),
    );

    // Same weights, optimiser state and metadata in both runs' last checkpoints, bit for bit.
    const mine = await readCheckpoint<Record<string, unknown>>(lastCheckpointOf(runId));
    const theirs = await readCheckpoint<Record<string, unknown>>(lastCheckpointOf(uninterrupted.runId));
    expect(mine.meta).toEqual(theirs.meta);
    expect(Object.keys(mine.tensors).sort()).toEqual(Object.keys(theirs.tensors).sort());
    expect(Object.keys(mine.tensors).some((k) => k.startsWith('weight:'))).toBe(true);
    const differing = Object.entries(mine.tensors)
      .map(([name, t]) => ({ name, diff: maxAbsDiff(t, theirs.tensors[name]) }))
      .filter((d) => d.diff !== 0);
    expect(differing).toEqual([]);
    // And the same test predictions.
    const scores = (id: number): number[] => readPredictions(db, id).map((p) => p.score);
    expect(scores(runId)).toEqual(scores(uninterrupted.runId));
    // No temporary checkpoint is left behind by the resumed run; the killed one may have left one mid-write.
    expect(readdirSync(join(runsDir, `run-${runId}`)).filter((f) => !f.includes('.tmp-'))).toEqual([
      'best.ckpt',
      'last.ckpt',
    ]);
  }, 240_000);

  it('refuses to resume a finished run or an unknown one', async () => {
    const done = await trainOnce(reference);
    for (const [id, message] of [
      [done.runId, new RegExp(`run ${done.runId} is finished; there is nothing to resume`)],
      [9999, /no run with id 9999 in this workspace/],
    ] as const) {
      const run = await runCli(['train', '--resume', String(id), '--db', db, '--json'], env);
      expect(run.code).toBe(2);
      expect(meaningfulLines(run.stderr)).toEqual([expect.stringMatching(/^aligner: error: /)]);
      expect(run.stderr).toMatch(message);
    }
    expect(readRunRecord(db, done.runId)?.status).toBe('done');
  }, 180_000);
});

describe('aligner train refuses bad input with one line and exit code 2, training nothing', () => {
  const small: Flags = { ...base, alignment: '0', epochs: '1' };
  it.each([
    [
      'a finding with no positive training label',
      { task: 'edema' },
      /finding 'edema' has no positive label in the training sources \('riverside'\)/,
    ],
    ['an empty source', { train: 'hollow' }, /source 'hollow' has no images/],
    [
      'an unknown source',
      { train: 'nowhere' },
      /unknown source 'nowhere'; the workspace has 'hillcrest', 'hollow', 'lakeside', 'riverside', 'summit'/,
    ],
    [
      'a backend that is not installed',
      { backend: 'tensorflow-gpu' },
      /backend 'tensorflow-gpu' is not available .*Install it with `npm install @tensorflow\/tfjs-node-gpu`/,
    ],
    // The schema caps lr at 1 and λ at 1000: such values never reach the trainer.
    ['a learning rate of 1e6', { lr: '1e6' }, /^aligner: error: --lr: /],
    ['λ = 1e30', { lambda: '1e30' }, /^aligner: error: --lambda: /],
  ])(
    '%s',
    async (_name, overrides, message) => {
      const before = maxRunId();
      const run = await runCli(args({ ...small, ...overrides }), env);
      expect(run.code, run.stderr).toBe(2);
      const lines = meaningfulLines(run.stderr);
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^aligner: error: /);
      expect(lines[0]).toMatch(message);
      expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'invalid_input' } });
      expectNothingTrained(before);
    },
    60_000,
  );

  it('says how many more regions an alignment fraction needs, and trains with --use-available', async () => {
    const flags: Flags = { ...small, train: 'lakeside', alignment: '1' };
    const positives = withDb(
      db,
      (d) =>
        d
          .prepare(
            `SELECT count(*) AS n, sum(EXISTS (SELECT 1 FROM annotations a
               WHERE a.image_id = i.id AND a.finding = 'nodule' AND a.deleted = 0)) AS annotated
             FROM images i JOIN sources s ON s.id = i.source_id
             JOIN labels l ON l.image_id = i.id AND l.finding = 'nodule'
             WHERE s.name = 'lakeside' AND l.value = 1`,
          )
          .get() as { n: number; annotated: number },
    );
    expect(positives.annotated).toBeGreaterThan(0);
    expect(positives.annotated).toBeLessThan(positives.n);
    const before = maxRunId();
    const refused = await runCli(args(flags), env);
    expect(refused.code, refused.stderr).toBe(2);
    const lines = meaningfulLines(refused.stderr);
    expect(lines).toHaveLength(1);
    const more = positives.n - positives.annotated;
    expect(lines[0]).toBe(
      `aligner: error: alignment fraction 1 needs ${positives.n} annotated positive training images but ` +
        `${positives.annotated} have a region: draw regions on ${more} more positive training ` +
        `image${more === 1 ? '' : 's'}, or lower the fraction`,
    );
    expectNothingTrained(before);

    const used = await runCli(args(flags, '--use-available'), env);
    expect(used.code, used.stderr).toBe(0);
    expect(used.stderr).toMatch(new RegExp(`30 training images, ${positives.annotated} aligned`));
    expect(answerOf(used)).toMatchObject({ status: 'done', epochs: 1 });
  }, 120_000);
});

describe('aligner train when the loss becomes NaN', () => {
  it('fails the run with exit code 1 (a checkpoint with NaN weights, resumed)', async () => {
    // No valid setting makes this micro model diverge quickly (lr 1 with batch 2 keeps CE finite, ~1e4), so
    // the run is stopped after its first epoch and its last checkpoint's weights are overwritten with NaN.
    const flags: Flags = { ...base, alignment: '0', epochs: '20', 'data-ratio': '0.25', batch: '4', seed: '3' };
    const cli = spawnCli(args(flags), env);
    await cli.waitFor(/^train: epoch 1: /m);
    cli.signal('SIGINT');
    const stopped = await cli.exited;
    expect(stopped.code, stopped.stderr).toBe(130);
    const { runId } = answerOf(stopped);
    // Where it stopped (epoch 2, unless a loaded machine let that epoch end first) is where the resume starts.
    const stoppedAfter = readRunRecord(db, runId)?.lastEpoch ?? Number.NaN;
    const path = lastCheckpointOf(runId);
    const checkpoint = await readCheckpoint<Record<string, unknown>>(path);
    const poisoned: Record<string, CheckpointTensor> = {};
    for (const [name, t] of Object.entries(checkpoint.tensors)) {
      poisoned[name] = name.startsWith('weight:') ? { shape: t.shape, data: t.data.map(() => Number.NaN) } : t;
    }
    await writeCheckpoint(path, { meta: checkpoint.meta, tensors: poisoned });

    const run = await runCli(['train', '--resume', String(runId), '--db', db, '--json'], env);
    expect(run.code, run.stderr).toBe(1);
    const answer = answerOf(run);
    expect(answer.status).toBe('failed');
    expect(answer.error).toMatch(
      new RegExp(
        `^the loss became NaN at epoch ${stoppedAfter + 2}, step 1 \\(CE NaN, L_AL NaN\\); lower the learning rate or λ$`,
      ),
    );
    // Nothing of the failed attempt is recorded: no epoch after the checkpoint it resumed from.
    expect(readRunRecord(db, runId)).toMatchObject({ status: 'failed', error: answer.error, lastEpoch: stoppedAfter });
    expect(readEpochRows(db, runId)).toHaveLength(stoppedAfter + 1);
  }, 120_000);
});

describe('aligner train stops on SIGINT after the current step', () => {
  // 60 images in batches of 8: a signal has 8 steps (≈ 1 s) to arrive before epoch 2 ends.
  const flags: Flags = { ...base, alignment: '0.5', epochs: '3', 'data-ratio': '0.5', batch: '8', seed: '7' };

  it('exits 130 with the run cancelled, and --resume finishes it', async () => {
    const cli = spawnCli(args(flags), env);
    await cli.waitFor(/^train: epoch 1: /m);
    cli.signal('SIGINT');
    const stopped = await cli.exited;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/^train: stopping after the current step/m);
    const { runId, status } = answerOf(stopped);
    expect(status).toBe('cancelled');
    // It stopped within epoch 2: only epoch 1 is recorded, and its checkpoint is what a resume starts from.
    expect(readRunRecord(db, runId)).toMatchObject({ status: 'cancelled', lastEpoch: 0 });
    expect(readEpochRows(db, runId)).toHaveLength(1);
    expect(existsSync(lastCheckpointOf(runId))).toBe(true);

    const resumed = await runCli(['train', '--resume', String(runId), '--db', db, '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming at epoch 2/);
    expect(answerOf(resumed)).toMatchObject({ runId, status: 'done', epochs: 3 });
    expect(readRunRecord(db, runId)).toMatchObject({ status: 'done', lastEpoch: 2, error: null });
    expect(readEpochRows(db, runId).map((e) => e.epoch)).toEqual([0, 1, 2]);
  }, 120_000);

  it('cancels too when Ctrl+C reaches the whole process group, trainer included', async () => {
    const cli = spawnCli(args(flags), env);
    await cli.waitFor(/^train: epoch 1: /m);
    cli.signal('SIGINT', true);
    const stopped = await cli.exited;
    expect(stopped.code, stopped.stderr).toBe(130);
    const answer = answerOf(stopped);
    expect(answer.status).toBe('cancelled');
    expect(readRunRecord(db, answer.runId)?.status).toBe('cancelled');
  }, 120_000);
});

function expectNothingTrained(lastRunBefore: number): void {
  const after = maxRunId();
  for (let id = lastRunBefore + 1; id <= after; id++) {
    // A run the trainer refused is recorded as failed with the reason, and has no epoch and no checkpoint.
    expect(readRunRecord(db, id)?.status).toBe('failed');
    expect(readEpochRows(db, id)).toEqual([]);
    expect(existsSync(lastCheckpointOf(id))).toBe(false);
  }
}

function maxAbsDiff(a: CheckpointTensor, b: CheckpointTensor | undefined): number {
  if (!b || a.data.length !== b.data.length || a.shape.join() !== b.shape.join()) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs((a.data[i] as number) - (b.data[i] as number));
    if (!(d <= max)) max = d; // NaN counts as a difference
  }
  return max;
}
