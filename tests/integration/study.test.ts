import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyConfigSchema, type StudyConfigInput } from '../../src-main/api/study-schemas';
import { checkStudy } from '../../src-main/core/study/check-study';
import { setStudyState } from '../../src-main/core/study/study-store';
import { chooseAligned, dataRatioSubset, loadExamples } from '../../src-main/core/training/data';
import { runCli, type CliRun } from '../helpers/cli';
import { tempDir } from '../helpers/paths';
import {
  childPids,
  isAlive,
  killStartedClis,
  learnableNodules,
  readEpochRows,
  readPredictions,
  simulateInto,
  spawnCli,
  withDb,
} from '../helpers/trainer-workspace';
import { microStudy } from '../helpers/micro-study';

/**
 * `aligner study …` end to end on a simulated cohort: the built CLI, the real trainer processes on the wasm
 * backend (deterministic per seed), the micro preset. A study of 2 levels × 2 seeds runs through once; the
 * same study is then killed with SIGKILL in the middle of its second run, resumed with `aligner study
 * resume`, and must end with the same runs and the same results. Bad study files are refused before
 * anything is queued.
 */
const dir = tempDir('aligner-study-');
const db = join(dir.path, 'w.db');
const env: NodeJS.ProcessEnv = { ALIGNER_USER_DATA: join(dir.path, 'user-data'), ALIGNER_DB: '' };

const study: StudyConfigInput = {
  ...microStudy,
  name: 'micro sweep',
  levels: [0, 1],
  seeds: [1, 2],
};

interface StudyAnswer {
  readonly studyId: number;
  readonly runs: number;
  readonly done: number;
  readonly failed: number;
  readonly seconds: number;
  readonly status: string;
}

interface StatusAnswer {
  readonly studyId: number;
  readonly status: string;
  readonly total: number;
  readonly counts: Record<'queued' | 'running' | 'done' | 'failed' | 'cancelled', number>;
  readonly etaSeconds: number | null;
  readonly estimate: { readonly totalSeconds: number; readonly backend: string } | null;
  readonly runs: {
    readonly runId: number;
    readonly level: number;
    readonly seed: number;
    readonly status: string;
    readonly epochs: number;
    readonly valAuc: number | null;
    readonly testAuc: number | null;
  }[];
}

let fileCount = 0;
function studyFile(config: unknown): string {
  const path = join(dir.path, `study-${++fileCount}.json`);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

function answerOf<T>(run: Pick<CliRun, 'stdout' | 'stderr'>): T {
  const line = run.stdout.trim();
  if (!line.startsWith('{')) throw new Error(`no JSON answer on stdout:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line) as T;
}

async function status(studyId: number): Promise<StatusAnswer> {
  const run = await runCli(['study', 'status', String(studyId), '--db', db, '--json'], env);
  expect(run.code, run.stderr).toBe(0);
  return answerOf<StatusAnswer>(run);
}

/** What the workspace holds: studies and runs, by count. */
function counts(): { studies: number; runs: number } {
  return withDb(db, (d) => ({
    studies: d.prepare('SELECT count(*) FROM studies').pluck().get() as number,
    runs: d.prepare('SELECT count(*) FROM runs').pluck().get() as number,
  }));
}

/** A study's runs in queue order with what a result comparison needs. */
function runsOf(studyId: number): { id: number; alignment: number; seed: number; status: string; valAuc: number }[] {
  return withDb(db, (d) =>
    (
      d
        .prepare('SELECT id, config, seed, status, val_auc AS valAuc FROM runs WHERE study_id = ? ORDER BY id')
        .all(studyId) as { id: number; config: string; seed: number; status: string; valAuc: number }[]
    ).map((r) => ({
      id: r.id,
      alignment: (JSON.parse(r.config) as { alignment: number }).alignment,
      seed: r.seed,
      status: r.status,
      valAuc: r.valAuc,
    })),
  );
}

/** stderr without the notice tfjs-core prints when it is loaded twice in the trainer. */
function meaningfulLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^Platform node has already been set\. Overwriting the platform/.test(l));
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The uninterrupted study, run once; the others compare with it. */
let reference: Promise<{ answer: StudyAnswer; stderr: string }>;

beforeAll(async () => {
  const cohort = (site: string, n: number, seed: number, ...extra: string[]): Promise<void> =>
    simulateInto(
      db,
      [
        '--out',
        join(dir.path, site),
        '--site',
        site,
        '--n',
        `${n}`,
        '--seed',
        `${seed}`,
        ...learnableNodules,
        ...extra,
      ],
      env,
    );
  await cohort('riverside', 60, 1, '--annotate-fraction', '1');
  await cohort('hillcrest', 24, 2, '--shortcut-mode', 'none', '--role', 'validation');
  await cohort('summit', 24, 3, '--ood', '--annotate-fraction', '1');
  // A training site with few regions: level 1 needs more than it has.
  await cohort('lakeside', 30, 4, '--annotate-fraction', '0.2');
  reference = runCli(['study', 'run', studyFile(study), '--db', db, '--json'], env).then((run) => {
    if (run.code !== 0) throw new Error(`aligner study run exited ${run.code}:\n${run.stderr}`);
    return { answer: answerOf<StudyAnswer>(run), stderr: run.stderr };
  });
  // Let the reference study queue its runs before the refusal tests count what is queued.
  await until(() => counts().studies > 0, 60_000, 'the reference study to be queued');
}, 180_000);

afterAll(() => {
  killStartedClis();
  dir.remove();
});

describe('aligner study run', () => {
  it('survives a kill -9 mid-study: resume continues the interrupted run from its checkpoint, with the same results', async () => {
    // Trained beside the uninterrupted study (the machine's cores are otherwise idle), compared with it at the end.
    const cli = spawnCli(['study', 'run', studyFile(study), '--db', db, '--json'], env);
    // The first epoch of the second run is recorded (and checkpointed): kill the runner there.
    await cli.waitFor(/^study \d+: run 2\/4 epoch 1\/2: /m);
    const trainers = childPids(cli.pid);
    cli.signal('SIGKILL');
    expect((await cli.exited).signal).toBe('SIGKILL');
    for (const pid of trainers) await until(() => !isAlive(pid), 15_000, `trainer ${pid} to exit`);
    const studyId = withDb(db, (d) => d.prepare('SELECT max(id) FROM studies').pluck().get() as number);

    const stopped = await status(studyId);
    expect(stopped.status).toBe('interrupted');
    expect(stopped.counts).toEqual({ queued: 2, running: 0, done: 1, failed: 1, cancelled: 0 });
    expect(stopped.runs[1]).toMatchObject({ status: 'failed', epochs: 1 });

    const resumed = await runCli(['study', 'resume', String(studyId), '--db', db, '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(answerOf<StudyAnswer>(resumed)).toMatchObject({ studyId, runs: 4, done: 4, failed: 0, status: 'finished' });
    expect(resumed.stderr).toMatch(/^study \d+: run 2\/4 on wasm; .*; resuming at epoch 2$/m);
    // Only the interrupted run and the two queued ones were trained by the resume.
    expect(resumed.stderr.match(/^study \d+: run \d\/4 \(run \d+: .*\) started$/gm)).toHaveLength(3);

    const uninterrupted = (await reference).answer;
    expect(studyId).not.toBe(uninterrupted.studyId);
    // No run duplicated or lost: the same four runs, in the same order, each trained once per epoch.
    const mine = runsOf(studyId);
    const theirs = runsOf(uninterrupted.studyId);
    expect(counts().runs).toBe(8);
    expect(mine.map((r) => [r.alignment, r.seed, r.status])).toEqual(
      theirs.map((r) => [r.alignment, r.seed, r.status]),
    );
    for (const [k, run] of mine.entries()) {
      const other = theirs[k] as (typeof theirs)[number];
      expect(readEpochRows(db, run.id).map((e) => e.epoch)).toEqual([0, 1]);
      // Equal results: validation AUC, every epoch's losses and the test predictions, bit for bit.
      expect(run.valAuc).toBe(other.valAuc);
      expect(readEpochRows(db, run.id)).toEqual(readEpochRows(db, other.id));
      const scores = (id: number): { imageId: number; score: number }[] =>
        readPredictions(db, id).map((p) => ({ imageId: p.imageId, score: p.score }));
      expect(scores(run.id)).toEqual(scores(other.id));
    }

    // Resuming a finished study trains nothing.
    const again = await runCli(['study', 'resume', String(studyId), '--db', db, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(answerOf<StudyAnswer>(again)).toMatchObject({ runs: 4, done: 4, status: 'finished' });
    expect(counts().runs).toBe(8);
  }, 300_000);
  it('estimates the time, queues every run, trains them in turn and reports the study', async () => {
    const { answer, stderr } = await reference;
    expect(answer).toMatchObject({ runs: 4, done: 4, failed: 0, status: 'finished' });
    expect(answer.seconds).toBeGreaterThan(0);
    expect(stderr).toMatch(/^study: estimate \d+ s at most on wasm /m);
    expect(stderr).toMatch(new RegExp(`^study ${answer.studyId}: 4 runs queued`, 'm'));
    expect(stderr).toMatch(/^study \d+: run 4\/4 done: /m);

    const s = await status(answer.studyId);
    expect(s).toMatchObject({ studyId: answer.studyId, status: 'finished', total: 4, etaSeconds: 0 });
    expect(s.counts).toEqual({ queued: 0, running: 0, done: 4, failed: 0, cancelled: 0 });
    expect(s.estimate?.backend).toBe('wasm');
    expect(s.estimate?.totalSeconds).toBeGreaterThan(0);
    // Seed-major: both levels of seed 1, then both of seed 2.
    expect(s.runs.map((r) => [r.level, r.seed, r.status, r.epochs])).toEqual([
      [0, 1, 'done', 2],
      [1, 1, 'done', 2],
      [0, 2, 'done', 2],
      [1, 2, 'done', 2],
    ]);
    for (const r of s.runs) {
      expect(r.valAuc).not.toBeNull();
      expect(readPredictions(db, r.runId)).toHaveLength(24);
    }

    const list = await runCli(['study', 'list', '--db', db, '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(answerOf<{ studies: unknown[] }>(list).studies).toContainEqual(
      expect.objectContaining({ studyId: answer.studyId, name: 'micro sweep', status: 'finished', total: 4, done: 4 }),
    );
  }, 240_000);
});

describe('a study run by the CLI is controlled through the workspace', () => {
  it('stops taking runs when paused from another process (as the app pauses it), and resume finishes it', async () => {
    await reference;
    const small = { ...study, name: 'paused elsewhere', levels: [0.5], seeds: [1, 2], epochs: 2 };
    const cli = spawnCli(['study', 'run', studyFile(small), '--db', db, '--json'], env);
    await cli.waitFor(/^study \d+: run 1\/2 \(run \d+: .*\) started$/m);
    // What the app's studyPause does for a study another process runs: the state on the study's row. Written at
    // once, in this process, while run 1 trains (anything slower here, such as another CLI, can let run 1
    // finish and run 2 start first: a pause lets the run in training finish).
    const ws = new Database(db);
    let studyId: number;
    try {
      studyId = ws.prepare('SELECT max(id) FROM studies').pluck().get() as number;
      expect(
        ws.prepare("SELECT count(*) FROM runs WHERE study_id = ? AND status = 'running'").pluck().get(studyId),
      ).toBe(1);
      setStudyState(ws, studyId, 'paused');
    } finally {
      ws.close();
    }
    const stopped = await cli.exited;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(answerOf<StudyAnswer>(stopped)).toMatchObject({ studyId, runs: 2, done: 1, failed: 0, status: 'paused' });
    expect((await status(studyId)).counts).toMatchObject({ queued: 1, done: 1 });

    const resumed = await runCli(['study', 'resume', String(studyId), '--db', db, '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(answerOf<StudyAnswer>(resumed)).toMatchObject({ runs: 2, done: 2, status: 'finished' });
  }, 120_000);
});

describe('aligner study refuses a bad study file with one line and exit code 2, queueing nothing', () => {
  it.each([
    [
      'an unknown source',
      { train: ['nowhere'] },
      /train: unknown source 'nowhere'; the workspace has 'hillcrest', 'lakeside', 'riverside', 'summit'/,
    ],
    ['a level of 1.5', { levels: [0, 1.5] }, /levels\[1\]: an alignment level is a fraction from 0 to 1, got 1\.5/],
    ['no seeds', { seeds: [] }, /seeds: give at least one seed/],
    [
      'a finding without positives',
      { finding: 'edema' },
      /finding: 'edema' has no positive label in the training sources \('riverside'\)/,
    ],
    ['an unknown key', { lambda: 20 }, /unknown key 'lambda' \(a study has name, finding, /],
    [
      'a level that needs more regions than exist',
      { train: ['lakeside'] },
      /levels: level 1 aligns (\d+) positive training images but (\d+) have a region: draw regions on \d+ more positive training images/,
    ],
    [
      'a test source that is also a training source',
      { test: ['riverside'] },
      /test: source 'riverside' is both a training and a test source/,
    ],
  ])(
    '%s',
    async (_name, change, message) => {
      await reference; // nothing of it still running, so the counts below are stable
      const before = counts();
      const run = await runCli(['study', 'run', studyFile({ ...study, ...change }), '--db', db, '--json'], env);
      expect(run.code, run.stderr).toBe(2);
      const lines = meaningfulLines(run.stderr);
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^aligner: error: /);
      expect(lines[0]).toMatch(message);
      expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'invalid_input' } });
      expect(counts()).toEqual(before);
    },
    60_000,
  );

  it('says how many regions are missing by the trainer’s count', async () => {
    await reference;
    const run = await runCli(['study', 'run', studyFile({ ...study, train: ['lakeside'] }), '--db', db], env);
    const [, needed, available] =
      /aligns (\d+) positive training images but (\d+) have a region: draw regions on (\d+)/.exec(run.stderr) ?? [];
    const positives = withDb(
      db,
      (d) =>
        d
          .prepare(
            `SELECT count(*) AS n, sum(EXISTS (SELECT 1 FROM annotations a
               WHERE a.image_id = i.id AND a.finding = 'nodule' AND a.deleted = 0)) AS annotated
             FROM images i JOIN sources s ON s.id = i.source_id AND s.name = 'lakeside'
             JOIN labels l ON l.image_id = i.id AND l.finding = 'nodule' AND l.value = 1`,
          )
          .get() as { n: number; annotated: number },
    );
    expect(Number(needed)).toBe(positives.n);
    expect(Number(available)).toBe(positives.annotated);
    expect(run.stderr).toMatch(new RegExp(`draw regions on ${positives.n - positives.annotated} more`));
  }, 60_000);

  it('checks every level at every data ratio and seed as the trainer will, on the examples it loads', async () => {
    await reference;
    const config = {
      ...study,
      train: ['riverside', 'lakeside'],
      levels: [0, 0.25, 0.5, 0.75, 1],
      seeds: [1, 2, 3],
      dataRatios: [0.25, 0.5, 1],
    };
    const check = withDb(db, (d) => checkStudy(d, config));
    // The trainer's own computation: all the examples (pixels, masks), its data-ratio subset, its aligned subset.
    const examples = withDb(db, (d) =>
      loadExamples(d, { sources: config.train, findings: ['nodule'], imageSize: 64, maskSize: 32 }),
    );
    const expected = config.levels.flatMap((level) => {
      let worst: { needed: number; available: number; ratio: number; seed: number } | null = null;
      for (const ratio of config.dataRatios) {
        for (const seed of config.seeds) {
          const { needed, available } = chooseAligned(dataRatioSubset(examples, ratio, seed), {
            fraction: level,
            seed,
            onShortage: 'use-available',
          });
          if (needed > available && (!worst || needed - available > worst.needed - worst.available)) {
            worst = { needed, available, ratio, seed };
          }
        }
      }
      if (!worst) return [];
      const where = worst.ratio === 1 ? '' : ` at data ratio ${worst.ratio} (seed ${worst.seed})`;
      return [
        `levels: level ${level}${where} aligns ${worst.needed} positive training images but ${worst.available} have`,
      ];
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(check.errors.map((e) => e.replace(/ a region: .*$/, ''))).toEqual(expected);
    expect(check.plan).toMatchObject({ runs: 45, trainImages: examples.length });
  });

  it.each([
    ['a file that is not JSON', '{ "name": ', /study-\d+\.json is not valid JSON: /],
    ['a missing file', null, /cannot read .*absent\.json: ENOENT/],
  ])('%s', async (_name, text, message) => {
    const before = counts();
    const path = text === null ? join(dir.path, 'absent.json') : studyFile(text);
    const run = await runCli(['study', 'run', path, '--db', db], env);
    expect(run.code).toBe(2);
    expect(meaningfulLines(run.stderr)).toEqual([expect.stringMatching(message)]);
    expect(counts()).toEqual(before);
  });

  it('refuses to resume or show an unknown study', async () => {
    for (const command of ['resume', 'status']) {
      const run = await runCli(['study', command, '999', '--db', db], env);
      expect(run.code).toBe(2);
      expect(meaningfulLines(run.stderr)).toEqual(['aligner: error: no study with id 999 in this workspace']);
    }
  });

  it('lists a study whose stored config this version cannot read with the reason, and names it when asked for it', async () => {
    const other = join(dir.path, 'other-version.db');
    const empty = await runCli(['study', 'list', '--db', other], env);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout.trim()).toBe('no studies in this workspace');
    // As another version (or a hand edit) may have left it: a finding this version does not know.
    const stored = { ...studyConfigSchema.parse({ ...study, name: 'old sweep' }), finding: 'fracture' };
    const ws = new Database(other);
    const id = Number(
      ws.prepare('INSERT INTO studies (name, config) VALUES (?, ?)').run('old sweep', JSON.stringify(stored))
        .lastInsertRowid,
    );
    ws.close();
    const reason = new RegExp(
      `^study ${id} 'old sweep' cannot be read by this version: its stored configuration is invalid \\(finding: `,
    );
    const list = await runCli(['study', 'list', '--db', other, '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    const answer = answerOf<{ studies: unknown[]; unreadable: { studyId: number; name: string; reason: string }[] }>(
      list,
    );
    expect(answer.studies).toEqual([]);
    expect(answer.unreadable).toEqual([{ studyId: id, name: 'old sweep', reason: expect.stringMatching(reason) }]);
    const text = await runCli(['study', 'list', '--db', other], env);
    expect(text.stdout).toMatch(/^ +\d+ {2}old sweep {2}unreadable: study \d+ 'old sweep' cannot be read/m);
    const shown = await runCli(['study', 'status', String(id), '--db', other], env);
    expect(shown.code).toBe(2);
    expect(meaningfulLines(shown.stderr)).toEqual([
      expect.stringMatching(
        /^aligner: error: study \d+ 'old sweep' cannot be read by this version: its stored configuration is invalid \(finding: /,
      ),
    ]);
    // Nothing was changed: the row is still there as it was written.
    const after = new Database(other, { readonly: true });
    expect((after.prepare('SELECT config FROM studies WHERE id = ?').get(id) as { config: string }).config).toBe(
      JSON.stringify(stored),
    );
    after.close();
  });
});
