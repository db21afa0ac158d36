#!/usr/bin/env node
// Simulator benchmark (issue 4): images generated per second. Prints one JSON line per figure. Not a test.
//
//   npx electron-vite build && node tests/bench/simulate.mjs [--n 200] [--n-large 50] [--repeat 3] [--keep]
//
// Runs the built CLI as a user would (`aligner simulate --out DIR --n N --size S --json`), pinned to one CPU core
// with taskset where it exists (the simulator itself is single-threaded; PNG encoding uses libuv's pool), for
// 512×512 and 1024×1024 DICOM and 512×512 PNG. Reports the simulator's own rate (generation + encoding +
// writing, from its JSON answer), the process wall time (with Node's start-up) and the median of the repeats.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machine, requireBuilt, root } from './bench-lib.mjs';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    'n-large': { type: 'string', default: '50' },
    repeat: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
requireBuilt('simulate', ['out/main/cli.js']);

function hasTaskset() {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const pinned = hasTaskset();
const work = mkdtempSync(join(tmpdir(), 'aligner-bench-simulate-'));
const { cpuModel, node } = machine();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function run(size, n, format, k) {
  const out = join(work, `${format}-${size}-${k}`);
  const args = [join(root, 'bin', 'aligner.mjs'), 'simulate', '--out', out, '--n', String(n), '--size', String(size)];
  args.push('--format', format, '--seed', `bench-${k}`, '--json');
  const command = pinned ? 'taskset' : process.execPath;
  const commandArgs = pinned ? ['-c', '0', process.execPath, ...args] : args;
  const started = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`aligner simulate failed: ${result.stderr}`);
  const answer = JSON.parse(result.stdout);
  rmSync(out, { recursive: true, force: true });
  return { rate: answer.imagesPerSecond, seconds: answer.seconds, wall };
}

const cases = [
  { size: 512, format: 'dicom', n: Number(values.n) },
  { size: 1024, format: 'dicom', n: Number(values['n-large']) },
  { size: 512, format: 'png', n: Number(values.n) },
];
try {
  for (const c of cases) {
    const runs = Array.from({ length: Number(values.repeat) }, (_, k) => run(c.size, c.n, c.format, k));
    const line = {
      figure: 'simulate images per second',
      size: c.size,
      format: c.format,
      images: c.n,
      repeats: runs.length,
      imagesPerSecond: median(runs.map((r) => r.rate)),
      imagesPerSecondAll: runs.map((r) => r.rate),
      wallSecondsMedian: Math.round(median(runs.map((r) => r.wall)) * 1000) / 1000,
      wallImagesPerSecond: Math.round((c.n / median(runs.map((r) => r.wall))) * 100) / 100,
      pinnedToOneCore: pinned,
      cpu: cpuModel,
      node,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
