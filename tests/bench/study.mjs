// Benchmark of a whole study (issue 8): the demo workspace's four simulated sites, a study of 5 alignment levels ×
// 2 seeds with the `micro` preset on the wasm backend, run by `aligner study run` as a user would; then the study
// report export when this build has `aligner study report`. Prints one JSON line per figure. Not a test.
//
//   npx electron-vite build && node tests/bench/study.mjs [--epochs 10] [--patience 5] [--seeds 2] [--keep]
//
// The cohorts are the demo plan's (src-main/core/simulator/demo-plan.ts: riverside and hillcrest for training with
// the nodule shortcut in women, lakeside for validation, summit out of domain) except that every positive image
// carries the readers' regions (`--annotate-fraction 1`, also at summit so the hit rate has images): the demo
// annotates half of them, which caps a study at the 50 % level.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { aligner, dropWork, emitter, machine, makeWork, requireBuilt, round, runMain } from './bench-lib.mjs';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    patience: { type: 'string', default: '5' },
    seeds: { type: 'string', default: '2' },
    size: { type: 'string', default: '512' },
    keep: { type: 'boolean', default: false },
  },
});
requireBuilt('study', ['out/main/cli.js']);

const shortcutInWomen = ['--shortcut-group', 'sex', '--shortcut-mode', 'label', '--shortcut-other', 'none'];
const sites = [
  { source: 'riverside', role: 'train', n: 160, extra: [...shortcutInWomen, '--shortcut-strength', '0.9'] },
  { source: 'hillcrest', role: 'train', n: 160, extra: [...shortcutInWomen, '--shortcut-strength', '0.9'] },
  { source: 'lakeside', role: 'validation', n: 80, extra: [...shortcutInWomen, '--shortcut-strength', '0.9'] },
  {
    source: 'summit',
    role: 'ood-test',
    n: 160,
    extra: ['--shortcut-group', 'sex', '--shortcut-mode', 'none', '--shortcut-other', 'random', '--marker-rate', '0.5'],
  },
];

async function main() {
  const { work, dbPath: db, userData } = makeWork('study');
  const seeds = Array.from({ length: Number(values.seeds) }, (_, k) => k + 1);
  const emit = emitter('study', { preset: 'micro', backend: 'wasm', levels: 5, seeds: seeds.length, ...machine() });
  try {
    let started = performance.now();
    for (const site of sites) {
      aligner(
        [
          'simulate',
          '--out',
          join(work, site.source),
          '--n',
          String(site.n),
          '--seed',
          'aligner-demo',
          '--site',
          site.source,
          '--size',
          values.size,
          '--prevalence',
          '0.3',
          '--findings',
          'nodule,effusion,edema',
          '--annotate-fraction',
          '1',
          '--shortcut-finding',
          'nodule',
          ...site.extra,
          '--into-db',
          '--db',
          db,
          '--source',
          site.source,
          '--role',
          site.role,
          '--json',
        ],
        userData,
      );
    }
    emit('cohort seconds', round((performance.now() - started) / 1000), { images: 560 });

    const config = {
      name: 'demo study bench',
      finding: 'nodule',
      train: ['riverside', 'hillcrest'],
      validation: 'lakeside',
      test: ['summit'],
      levels: [0, 0.25, 0.5, 0.75, 1],
      seeds,
      preset: 'micro',
      imageSize: 64,
      epochs: Number(values.epochs),
      patience: Number(values.patience),
      batchSize: 32,
      lr: 1e-3,
      backend: 'wasm',
    };
    const configPath = join(work, 'study.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    started = performance.now();
    const answer = JSON.parse(aligner(['study', 'run', configPath, '--db', db, '--json'], userData));
    const studySeconds = (performance.now() - started) / 1000;
    emit('study seconds', round(studySeconds), {
      runs: answer.runs,
      done: answer.done,
      failed: answer.failed,
      epochs: config.epochs,
      patience: config.patience,
      perRunSeconds: round(studySeconds / Math.max(1, answer.runs)),
    });

    if (hasReportCommand(userData)) {
      started = performance.now();
      aligner(['study', 'report', String(answer.studyId), '--out', join(work, 'report'), '--db', db, '--json'], userData);
      emit('report seconds', round((performance.now() - started) / 1000), { studyId: answer.studyId });
    } else {
      emit('report seconds', null, { reason: 'this build has no `aligner study report`' });
    }
  } finally {
    dropWork(work, values.keep);
  }
}

function hasReportCommand(userData) {
  try {
    return aligner(['--help'], userData).includes('study report');
  } catch {
    return false;
  }
}

runMain('study', main);
