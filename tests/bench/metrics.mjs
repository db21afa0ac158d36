// Benchmark of `aligner metrics` (issue 7): N predictions with two attributes (sex, age binarised at 60) and B
// stratified bootstrap resamples through the built CLI. Prints one JSON line per figure: wall seconds, the CLI's
// peak resident memory (GNU time's max RSS where /usr/bin/time exists, else the kernel's rusage of the child) and,
// side by side in the same run, the same file without the bootstrap (the ratio is the bootstrap's share).
//
// usage: node tests/bench/metrics.mjs [--rows 1000000] [--bootstrap 1000] [--keep]
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dropWork, emitter, machine, makeWork, requireBuilt, root, round, runMain } from './bench-lib.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    bootstrap: { type: 'string', default: '1000' },
    keep: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const bootstrap = Number(values.bootstrap);

/** A predictions CSV: score depends on the label (AUC about 0.8), sex and age skew it a little. */
function writePredictions(path, n) {
  let s = 12345;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lines = ['score,label,sex,age'];
  for (let i = 0; i < n; i++) {
    const label = next() < 0.3 ? 1 : 0;
    const sex = next() < 0.5 ? 'F' : 'M';
    const age = Math.floor(18 + next() * 72);
    const shift = label ? 0.25 : 0;
    const skew = sex === 'F' ? 0.03 : 0;
    const score = Math.min(1, Math.max(0, 0.3 + shift - skew + (next() - 0.5) * 0.6 + (age >= 60 ? 0.02 : 0)));
    lines.push(`${score.toFixed(6)},${label},${next() < 0.01 ? '' : sex},${age}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

function runMetrics(csv, resamples) {
  const args = [
    join(root, 'bin/aligner.mjs'),
    'metrics',
    '--predictions',
    csv,
    '--group',
    'sex',
    '--age-column',
    'age',
  ];
  args.push('--bootstrap', String(resamples), '--json');
  const gnuTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const result = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`aligner metrics exited with ${result.status}: ${result.stderr}`);
  const peakKiB = gnuTime ? Number(result.stderr.trim().split('\n').at(-1)) : NaN;
  return { seconds, peakMiB: Number.isFinite(peakKiB) ? peakKiB / 1024 : null, report: JSON.parse(result.stdout) };
}

runMain('metrics', async () => {
  requireBuilt('metrics', ['out/main/cli.js']);
  const { work } = makeWork('metrics');
  const emit = emitter('metrics', { rows, bootstrap, attributes: 2 });
  try {
    const csv = join(work, 'predictions.csv');
    const t0 = performance.now();
    writePredictions(csv, rows);
    process.stderr.write(`wrote ${rows} predictions in ${round((performance.now() - t0) / 1000)} s\n`);
    const plain = runMetrics(csv, 0);
    const full = runMetrics(csv, bootstrap);
    emit('seconds', round(full.seconds), { target: 10, ...machine() });
    emit('peakMiB', full.peakMiB === null ? null : round(full.peakMiB, 0));
    emit('secondsWithoutBootstrap', round(plain.seconds), {
      peakMiB: plain.peakMiB === null ? null : round(plain.peakMiB, 0),
    });
    emit('bootstrapShare', round((full.seconds - plain.seconds) / full.seconds), {
      msPerResample: round(((full.seconds - plain.seconds) * 1000) / Math.max(1, bootstrap)),
    });
    emit('overallAuc', round(full.report.overall.auc, 4), { interval: full.report.intervals?.overall.auc });
  } finally {
    dropWork(work, values.keep);
  }
});
