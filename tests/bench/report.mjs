// Benchmark of `aligner study report` (issue 8): the wall time of the report export of the integration test's
// study — a simulated cohort (training, validation and two out-of-domain sites), micro runs at alignment 0 and 1
// × two seeds, two epochs — through the built CLI. The first report evaluates the runs cold (attention peaks and
// IoUs upsampled at full image size, then cached in the workspace); the later ones find the cache. Prints one JSON
// line per figure: cold and warm wall seconds (with the CLI's start), the command's own seconds, files and MB.
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

// tests/helpers/trainer-workspace.ts `learnableNodules` (a .mjs cannot import that module).
const nodules = [
  '--findings',
  'nodule',
  '--prevalence',
  '0.5',
  '--nodule-amplitude',
  '0.9',
  '--nodule-radius',
  '0.06-0.1',
];

/** The integration test's workspace and study: four sites, 2 × 2 micro runs; the study id. */
function buildStudy(dbPath, work, userData) {
  const sites = [
    ['riverside', 48, 1, '--annotate-fraction', '1'],
    ['hillcrest', 16, 2, '--shortcut-mode', 'none', '--role', 'validation'],
    ['summit', 40, 3, '--ood', '--annotate-fraction', '1', '--annotators', '2'],
    ['lakeside', 24, 4, '--ood', '--annotate-fraction', '0.6'],
  ];
  for (const [site, n, seed, ...extra] of sites) {
    const args = ['simulate', '--size', '128', '--into-db', '--db', dbPath, '--out', join(work, site), '--site', site];
    aligner([...args, '--n', String(n), '--seed', String(seed), ...nodules, ...extra], userData);
  }
  const runIds = [];
  for (const alignment of [0, 1]) {
    for (const seed of [0, 1]) {
      const args = [
        'train',
        '--task',
        'nodule',
        '--train',
        'riverside',
        '--val',
        'hillcrest',
        '--test',
        'summit,lakeside',
      ];
      args.push('--alignment', String(alignment), '--seed', String(seed), '--epochs', '2', '--batch', '16');
      const answer = JSON.parse(aligner([...args, '--backend', 'wasm', '--db', dbPath, '--json'], userData));
      if (answer.status !== 'done') throw new Error(`run ${answer.runId} ended ${answer.status}`);
      runIds.push(answer.runId);
    }
  }
  const db = new Database(dbPath);
  try {
    const config = { name: 'bench sweep', finding: 'nodule', levels: [0, 1], seeds: [0, 1], preset: 'micro' };
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

function report(dbPath, studyId, out, userData, gallery) {
  const started = performance.now();
  const args = ['study', 'report', String(studyId), '--out', out, '--gallery', gallery, '--db', dbPath, '--json'];
  const stdout = execFileSync(process.execPath, [join(root, 'bin/aligner.mjs'), ...args], {
    env: { ...process.env, ALIGNER_USER_DATA: userData },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const wall = (performance.now() - started) / 1000;
  return { wall, result: JSON.parse(stdout.toString()) };
}

runMain('report', async () => {
  requireBuilt('report', ['out/main/cli.js']);
  const { work, dbPath: freshDb, userData } = makeWork('report');
  try {
    const dbPath = values.db ?? freshDb;
    let studyId = Number(values.study);
    if (values.db === undefined) {
      const t0 = performance.now();
      studyId = buildStudy(dbPath, work, userData);
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
  } finally {
    dropWork(work, values.keep);
  }
});
