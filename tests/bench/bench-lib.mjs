// Shared pieces of the benchmarks in tests/bench: the built app's paths and CLI, the browser host, Chromium, timing
// statistics, the JSON lines they print, a seeded PRNG and the machine's facts. Not a benchmark itself.
//
// playwright-core and typescript are imported only by the functions that need them, so that a benchmark without a
// browser (import-throughput.mjs, simulate.mjs) does not load them.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root. */
export const root = resolve(import.meta.dirname, '..', '..');

/** The build outputs a benchmark that drives the browser host needs. */
export const builtForHost = ['out/main/web.js', 'out/main/cli.js', 'out/renderer/index.html'];

/** Exits with status 2 and a hint when one of the `built` paths (relative to the root) is missing. */
export function requireBuilt(bench, built = builtForHost) {
  for (const path of built) {
    if (!existsSync(join(root, path))) {
      process.stderr.write(`${bench} bench: ${path} is missing; run \`npx electron-vite build\` first\n`);
      process.exit(2);
    }
  }
}

/** Runs `main` (async); on failure prints the stack prefixed with the bench's name and exits with status 1. */
export function runMain(bench, main) {
  main().catch((err) => {
    process.stderr.write(`${bench} bench: ${err.stack ?? err}\n`);
    process.exit(1);
  });
}

// ---------------------------------------------------------------- numbers and printed lines

/** `x` rounded to `digits` decimals. */
export const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Mean, median, 95th percentile, min and max of `samples` (nearest-rank percentiles), each rounded to 2 decimals. */
export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    mean: round(samples.reduce((s, x) => s + x, 0) / samples.length),
    median: round(at(0.5)),
    p95: round(at(0.95)),
    min: round(sorted[0]),
    max: round(sorted[sorted.length - 1]),
  };
}

/** Prints `line` as one line of JSON on stdout. */
export function printJson(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * An `emit(figure, value, extra)` that prints one JSON line `{ bench, figure, value, ...fixed, ...extra }`:
 * `fixed` holds the fields every line of that benchmark carries (the workload's size).
 */
export function emitter(bench, fixed = {}) {
  return (figure, value, extra = {}) => printJson({ bench, figure, value, ...fixed, ...extra });
}

/** The machine: CPU count and model, memory (GiB) and Node's version. */
export function machine() {
  const cpuList = cpus();
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    memGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
  };
}

/** A seeded PRNG (mulberry32, tests/helpers/dicom-prng.ts itself): uniform in [0, 1), the same sequence every run. */
export async function loadPrng() {
  return (await importTs('tests/helpers/dicom-prng.ts')).prng;
}

/**
 * A TypeScript module of the repository (path relative to the root) with its types stripped by TypeScript's
 * transpileModule, so that plain `node` runs it. It is imported from a data: URL, so it may import only node:
 * built-ins (and types).
 */
export async function importTs(path) {
  const { default: ts } = await import('typescript');
  const { outputText } = ts.transpileModule(readFileSync(join(root, path), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    fileName: path,
  });
  return import(`data:text/javascript;charset=utf-8,${encodeURIComponent(outputText)}`);
}

// ---------------------------------------------------------------- files and the app

/** A fresh work folder in the OS temp folder: `{ work, dbPath, userData }` (userData created, the db not). */
export function makeWork(bench) {
  const work = mkdtempSync(join(tmpdir(), `aligner-bench-${bench}-`));
  const userData = join(work, 'user-data');
  mkdirSync(userData);
  return { work, dbPath: join(work, 'workspace.db'), userData };
}

/** Removes the work folder, or with `keep` says on stderr where it is. */
export function dropWork(work, keep) {
  if (keep) process.stderr.write(`kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}

/** `count` 12-bit DX files of rows×cols in `dir` (tests/bench/make-dx-corpus.py); returns their paths, sorted. */
export function makeDxCorpus(dir, count, rows, cols, seed) {
  execFileSync(
    '/usr/bin/python3',
    [join(root, 'tests/bench/make-dx-corpus.py'), dir, String(count), String(rows), String(cols), String(seed)],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return readdirSync(dir)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => join(dir, f));
}

/** Runs the CLI (bin/aligner.mjs) with `args` and ALIGNER_USER_DATA=userData; returns its stdout. */
export function aligner(args, userData) {
  return execFileSync(process.execPath, [join(root, 'bin/aligner.mjs'), ...args], {
    env: { ...process.env, ALIGNER_USER_DATA: userData },
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();
}

// ---------------------------------------------------------------- the browser host and Chromium

/**
 * Starts the built browser host (node out/main/web.js --port 0 --db dbPath) and waits for the URL it prints:
 * resolves to `{ url, child }`; rejects when it exits first or prints no URL within 30 s.
 */
export function startHost(dbPath, userData) {
  const child = spawn(process.execPath, [join(root, 'out/main/web.js'), '--port', '0', '--db', dbPath], {
    env: { ...process.env, ALIGNER_USER_DATA: userData },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (c) => (output += c));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`browser host did not start:\n${output}`)), 30_000);
    child.stdout.on('data', (c) => {
      output += c;
      const match = /browser host: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        done({ url: match[1], child });
      }
    });
    child.on('exit', (code) => fail(new Error(`browser host exited with ${code}:\n${output}`)));
  });
}

/** Stops a host from startHost (SIGTERM) and waits for it to exit; nothing when it is absent or already gone. */
export async function stopHost(host) {
  if (!host || host.child.exitCode !== null) return;
  const exited = new Promise((r) => host.child.once('exit', r));
  host.child.kill('SIGTERM');
  await exited;
}

/** POSTs `input` to the host's API call `name`: `{ ms, value }`, ms the round trip on Node's clock; throws on an error. */
export async function apiCall(url, name, input) {
  const started = performance.now();
  const res = await fetch(`${url}api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = await res.json();
  const ms = performance.now() - started;
  if (!body.ok) throw new Error(`${name} answered ${res.status}: ${JSON.stringify(body.error)}`);
  return { ms, value: body.value };
}

/** The Chromium to use: CHROMIUM_PATH, else /usr/bin/chromium, else playwright-core's own. */
export function findChromium(chromium) {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return chromium.executablePath();
}

/** Launches headless Chromium (playwright-core) without sandbox, GPU or background networking. */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: findChromium(chromium),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}

/** Collects the page's uncaught errors and console errors (a missing favicon aside) into `errors`. */
export function collectPageErrors(page, errors) {
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/favicon\.ico/.test(msg.location().url)) errors.push(msg.text());
  });
}
