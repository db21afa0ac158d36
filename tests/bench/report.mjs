// Benchmark of `aligner study report` and `aligner study bundle` (issue 8): the wall time of the report export of the integration test's
// study — a simulated cohort (training, validation and two out-of-domain sites), micro runs at alignment 0 and 1
// × two seeds, two epochs — through the built CLI. The first report evaluates the runs cold (attention peaks and
// IoUs upsampled at full image size, then cached in the workspace); the later ones find the cache. Prints one JSON
// line per figure: cold and warm wall seconds (with the CLI's start), the command's own seconds, files and MB; then
// the same study's reproducibility bundle (wall and command seconds, kB).
//
// usage: node tests/bench/report.mjs [--repeats 3] [--gallery 6] [--keep]
//        node tests/bench/report.mjs --db W.db --study ID   (an existing workspace's study; it is not changed
//                                                            but for the evaluation cache)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import {
  aligner,
  dropWork,
  emitter,
  importTs,
  machine,
  makeWork,
  requireBuilt,
  root,
  round,
  runMain,
  stats,
} from './bench-lib.mjs';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    gallery: { type: 'string', default: '6' },
    db: { type: 'string' },
    study: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const repeats = Math.max(1, Number(values.repeats));

/** The integration test's workspace (tests/helpers/fairness-plan.ts) and a study of 2 × 2 micro runs; its id. */
async function buildStudy(dbPath, work, userData) {
  const plan = await importTs('tests/helpers/fairness-plan.ts');
  for (const { site, args } of plan.fairnessSites) {
    aligner(['simulate', '--size', '128', '--into-db', '--db', dbPath, '--out', join(work, site), ...args], userData);
  }
  const runIds = [];
  for (const alignment of [0, 1]) {
    for (const seed of [0, 1]) {
      const answer = JSON.parse(aligner(plan.microTrainArgs(dbPath, { alignment, seed }), userData));
      if (answer.status !== 'done') throw new Error(`run ${answer.runId} ended ${answer.status}`);
      runIds.push(answer.runId);
    }
  }
  const db = new Database(dbPath);
  try {
    const config = {
      name: 'bench sweep',
      finding: plan.fairnessFinding,
      train: ['riverside'],
      validation: 'hillcrest',
      test: plan.fairnessTestSources,
      levels: [0, 1],
      seeds: [0, 1],
      preset: 'micro',
    };
    const id = Number(
      db.prepare('INSERT INTO studies (name, config) VALUES (?, ?)').run(config.name, JSON.stringify(config))
        .lastInsertRowid,
    );
    const assign = db.prepare('UPDATE runs SET study_id = ? WHERE id = ?');
    for (const runId of runIds) assign.run(id, runId);
    return id;
  } finally {
    db.close();
  }
}

/** One `aligner study …` command, timed from the outside: wall seconds (with the CLI's start) and its answer. */
function timed(args, userData) {
  const started = performance.now();
  const stdout = execFileSync(process.execPath, [join(root, 'bin/aligner.mjs'), ...args, '--json'], {
    env: { ...process.env, ALIGNER_USER_DATA: userData },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const wall = (performance.now() - started) / 1000;
  return { wall, result: JSON.parse(stdout.toString()) };
}

function report(dbPath, studyId, out, userData, gallery) {
  return timed(['study', 'report', String(studyId), '--out', out, '--gallery', gallery, '--db', dbPath], userData);
}

runMain('report', async () => {
  requireBuilt('report', ['out/main/cli.js']);
  const { work, dbPath: freshDb, userData } = makeWork('report');
  try {
    const dbPath = values.db ?? freshDb;
    let studyId = Number(values.study);
    if (values.db === undefined) {
      const t0 = performance.now();
      studyId = await buildStudy(dbPath, work, userData);
      process.stderr.write(`built the study's workspace in ${round((performance.now() - t0) / 1000)} s\n`);
    }
    const runs = [];
    for (let i = 0; i < repeats + 1; i++) {
      runs.push(report(dbPath, studyId, join(work, `report-${i}`), userData, values.gallery));
    }
    const [cold, ...warm] = runs;
    const emit = emitter('report', {
      study: studyId,
      runs: cold.result.evaluatedRuns,
      gallery: Number(values.gallery),
    });
    emit('coldSeconds', round(cold.wall), { commandSeconds: round(cold.result.seconds), ...machine() });
    emit('warmSeconds', stats(warm.map((r) => r.wall)).median, {
      samples: warm.map((r) => round(r.wall)),
      commandSeconds: stats(warm.map((r) => r.result.seconds)).median,
    });
    emit('files', cold.result.files.length, { megabytes: round(cold.result.bytes / 1e6) });
    const bundles = Array.from({ length: repeats }, (_, i) =>
      timed(['study', 'bundle', String(studyId), '--out', join(work, `bundle-${i}.tar.gz`), '--db', dbPath], userData),
    );
    emit('bundleSeconds', stats(bundles.map((b) => b.wall)).median, {
      commandSeconds: stats(bundles.map((b) => b.result.seconds)).median,
      images: bundles[0].result.images,
      kilobytes: round(bundles[0].result.bytes / 1e3),
    });
  } finally {
    dropWork(work, values.keep);
  }
});
