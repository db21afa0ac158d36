#!/usr/bin/env node
// Import benchmark (issue 3). Prints one JSON line per figure.
//
//   node tests/bench/import-throughput.mjs [--files 200] [--rows 2500] [--cols 2048] [--rss-small 200,2000]
//     [--variants uncompressed,jpeg-lossless-sv1] [--no-memory]
//
// 1. Makes N uncompressed 12-bit DX files (tests/bench/make-dx-corpus.py) and the same files JPEG-Lossless
//    encoded with dcmtk's dcmcjpeg (process 14 SV1).
// 2. For each variant, in the same run: dcmtk's decode time per file (dcm2pnm, 16-bit PGM, one process per
//    file as a user would run it) and our full import time (aligner import: parse + decode + window + cache +
//    thumbnail + SQLite write, one process for the folder). Reports files/s, MB/s and the ratio.
// 3. Peak RSS of the import at two corpus sizes of small images, to show memory is flat in the file count.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeDxCorpus as makeCorpus, printJson as print, root, round } from './bench-lib.mjs';

const { values } = parseArgs({
  allowNegative: true,
  options: {
    files: { type: 'string', default: '200' },
    rows: { type: 'string', default: '2500' },
    cols: { type: 'string', default: '2048' },
    'rss-small': { type: 'string', default: '200,2000' },
    keep: { type: 'boolean', default: false },
    variants: { type: 'string', default: 'uncompressed,jpeg-lossless-sv1' },
    memory: { type: 'boolean', default: true },
  },
});
const n = Number(values.files);
const work = mkdtempSync(join(tmpdir(), 'aligner-bench-'));

function folderBytes(files) {
  return files.reduce((sum, f) => sum + statSync(f).size, 0);
}

/** Runs a command, returns wall seconds and peak RSS (MiB) read from /proc while it runs. */
function timed(cmd, args) {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let peakKb = 0;
    let stderr = '';
    const poll = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+)/.exec(status);
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        /* exited */
      }
    }, 20);
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => {
      clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) fail(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      else done({ seconds, peakRssMiB: Math.round(peakKb / 1024), stdout });
    });
  });
}

/**
 * dcmtk's decode of each file, one process per file: dcm2pnm (to a 16-bit PGM) for uncompressed files;
 * Debian's dcm2pnm has no JPEG codec, so JPEG files are decoded with dcmdjpeg (to uncompressed DICOM).
 */
async function dcmtkDecode(files, outDir, compressed) {
  mkdirSync(outDir, { recursive: true });
  const started = process.hrtime.bigint();
  for (const [i, f] of files.entries()) {
    if (compressed) execFileSync('dcmdjpeg', [f, join(outDir, `${i}.dcm`)], { stdio: 'ignore' });
    else execFileSync('dcm2pnm', ['+on2', '--write-16-bit-pnm', f, join(outDir, `${i}.pgm`)], { stdio: 'ignore' });
  }
  rmSync(outDir, { recursive: true, force: true });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function ourImport(folder, db) {
  const run = await timed(process.execPath, [
    join(root, 'bin/aligner.mjs'),
    'import',
    folder,
    '--source',
    'bench',
    '--db',
    db,
    '--json',
  ]);
  const summary = JSON.parse(run.stdout);
  if (summary.failed.length > 0)
    throw new Error(`import failed for ${summary.failed.length} files: ${summary.failed[0].error}`);
  return { ...run, summary };
}

try {
  const plain = join(work, 'plain');
  const files = makeCorpus(plain, n, Number(values.rows), Number(values.cols), 1);
  const jpegDir = join(work, 'jpeg-lossless');
  mkdirSync(jpegDir);
  for (const f of files) execFileSync('dcmcjpeg', ['+e1', f, join(jpegDir, f.split('/').pop())], { stdio: 'ignore' });
  const wanted = values.variants.split(',');
  for (const [variant, dir] of [
    ['uncompressed', plain],
    ['jpeg-lossless-sv1', jpegDir],
  ].filter(([v]) => wanted.includes(v))) {
    const list = readdirSync(dir).map((f) => join(dir, f));
    const megabytes = folderBytes(list) / 1e6;
    const dcmtkSeconds = await dcmtkDecode(list, join(work, 'decoded'), variant !== 'uncompressed');
    const ours = await ourImport(dir, join(work, `${variant}.db`));
    print({
      bench: 'import',
      variant,
      files: list.length,
      size: `${values.cols}x${values.rows}`,
      megabytes: Math.round(megabytes),
      oursSeconds: round(ours.seconds),
      oursFilesPerSecond: round(list.length / ours.seconds),
      oursMegabytesPerSecond: round(megabytes / ours.seconds),
      dcmtkTool: variant === 'uncompressed' ? 'dcm2pnm' : 'dcmdjpeg',
      dcmtkDecodeSeconds: round(dcmtkSeconds),
      dcmtkSecondsPerFile: round(dcmtkSeconds / list.length, 4),
      oursSecondsPerFile: round(ours.seconds / list.length, 4),
      ratioOursToDcmtk: round(ours.seconds / dcmtkSeconds),
      target: 'ratio <= 2',
      peakRssMiB: ours.peakRssMiB,
    });
  }
  for (const count of values.memory ? values['rss-small'].split(',').map(Number) : []) {
    const dir = join(work, `small-${count}`);
    makeCorpus(dir, count, 512, 512, 100 + count);
    const ours = await ourImport(dir, join(work, `small-${count}.db`));
    print({
      bench: 'import-memory',
      files: count,
      size: '512x512',
      peakRssMiB: ours.peakRssMiB,
      seconds: round(ours.seconds),
    });
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
