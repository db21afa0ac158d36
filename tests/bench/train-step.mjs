#!/usr/bin/env node
// Train-step benchmark (issue 6): step time and images/s of our trainer's step per backend that loads on this
// machine, side by side in the same run with the same model and step in PyTorch (Debian python3-torch). Prints
// one JSON line per figure. Not a test.
//
//   node tests/bench/train-step.mjs [--presets micro,tiny] [--batch 32] [--micro-batch N] [--fallback-batches 16,8]
//     [--rounds 3] [--steps 1] [--warmup 2] [--epochs 3] [--epoch-steps 2] [--backends wasm,cpu,tensorflow,tensorflow-gpu]
//
// 1. Bundles tests/bench/train-step-driver.ts with Vite (tfjs-core bundled, as electron.vite.config.ts does for the
//    trainer: its gradient registrations are ES sources plain Node cannot load) into node_modules/.cache, a place
//    from which Node resolves the backend packages that select-backend.ts imports at run time.
// 2. Starts one driver process per backend (select-backend.ts; the cpu backend runs micro only, ~20× slower) and
//    one PyTorch process (tests/bench/train_step_torch.py, the reference model of tests/reference/python), builds
//    each preset at the batch size, warms up, then interleaves rounds: ours, PyTorch with 1 thread (tfjs's wasm
//    and cpu backends run one thread in Node), PyTorch with every core. Figures are medians over the rounds (the
//    cpu backend, ~30 s a micro step, one warm-up step and one round).
//    Our step is the trainer's own (train-step.ts): a batch above the micro-batch (the trainer's default for the
//    preset — micro 64, tiny 8 — or --micro-batch) runs in chunks whose gradients are summed before one update,
//    as `aligner train` does; PyTorch runs the whole batch at once. Where a batch still does not fit (wasm's heap
//    stops at 4 GiB), it says so and retries with the fallback batches.
// 3. One step under tf.profile per backend and preset: kernel time by kernel name, top 10.
// 4. Memory of a tiny run (the largest batch that fitted): tf.memory() and RSS after each of a few "epochs".
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { emitter, machine, printJson, root, round, runMain, stats } from './bench-lib.mjs';

const { values } = parseArgs({
  options: {
    presets: { type: 'string', default: 'micro,tiny' },
    batch: { type: 'string', default: '32' },
    'fallback-batches': { type: 'string', default: '16,8' },
    'micro-batch': { type: 'string' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '2' },
    epochs: { type: 'string', default: '3' },
    'epoch-steps': { type: 'string', default: '2' },
    backends: { type: 'string', default: 'wasm,cpu,tensorflow,tensorflow-gpu' },
  },
});
const presets = values.presets.split(',');
const batch = Number(values.batch);
/** Images per chunk of a step; unset: the trainer's default for the preset (micro 64, tiny 8). */
const microBatch = values['micro-batch'] === undefined ? undefined : Number(values['micro-batch']);
const fallbackBatches = values['fallback-batches'] ? values['fallback-batches'].split(',').map(Number) : [];
const rounds = Number(values.rounds);
const stepsPerRound = Number(values.steps);
const warmup = Number(values.warmup);
const epochs = Number(values.epochs);
const epochSteps = Number(values['epoch-steps']);
const backends = values.backends.split(',');
const allThreads = machine().cpus;
const python = process.env.REFERENCE_PYTHON ?? '/usr/bin/python3';

const emit = emitter('train-step');
const bundleDir = join(root, 'node_modules', '.cache', 'train-step-bench');
const driverPath = join(bundleDir, 'driver.mjs');

/** Bundles the driver (tfjs-core and its CommonJS dependencies inside, everything else external). */
async function bundleDriver() {
  const { build } = await import('vite');
  await build({
    root,
    configFile: false,
    logLevel: 'error',
    build: {
      ssr: join(root, 'tests/bench/train-step-driver.ts'),
      outDir: bundleDir,
      emptyOutDir: true,
      minify: false,
      target: 'node20',
      rollupOptions: { output: { format: 'es', entryFileNames: 'driver.mjs' } },
    },
    ssr: { noExternal: ['@tensorflow/tfjs-core', 'seedrandom', 'long'] },
  });
}

/** A child that answers one JSON line per JSON command line: `ask(command)` resolves to its reply. */
function startWorker(label, command, args) {
  const child = spawn(command, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  let exited = null;
  lines.on('line', (line) => waiting.shift()?.done(JSON.parse(line)));
  child.on('exit', (code, signal) => {
    exited = `${label} exited (${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
    for (const w of waiting.splice(0)) w.fail(new Error(exited));
  });
  return {
    ask(cmd) {
      if (exited) return Promise.reject(new Error(exited));
      return new Promise((done, fail) => {
        waiting.push({ done, fail });
        child.stdin.write(`${JSON.stringify(cmd)}\n`);
      });
    },
    stop() {
      if (exited === null) child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
    },
    kill() {
      if (exited === null) child.kill('SIGKILL');
    },
  };
}

const startDriver = (backend) => startWorker(`driver ${backend}`, process.execPath, [driverPath]);

/** A reply's value, or throws its error (first line). */
function ok(reply) {
  if (!reply.ok) throw new Error(String(reply.error).split('\n')[0]);
  return reply;
}

const firstLine = (err) => String(err instanceof Error ? err.message : err).split('\n')[0];

/**
 * Builds `preset` on a backend at `batch`, else at each fallback batch in a fresh driver (a wasm abort leaves the
 * module unusable). Runs the warm-up steps too, since a batch that does not fit fails in its first step.
 */
async function buildOn(backend, driver, preset, sizes) {
  let current = driver;
  for (const size of sizes) {
    try {
      const built = ok(await current.ask({ cmd: 'build', preset, batch: size, seed: 1, microBatch }));
      ok(await current.ask({ cmd: 'steps', preset, count: backend === 'cpu' ? 1 : warmup }));
      return { driver: current, batch: size, built };
    } catch (err) {
      emit('fits', false, { preset, backend, batch: size, reason: firstLine(err) });
      current.kill();
      current = startDriver(backend);
      ok(await current.ask({ cmd: 'backend', backend }));
    }
  }
  return { driver: current, batch: null, built: null };
}

async function main() {
  printJson({ bench: 'train-step', figure: 'machine', value: machine(), torchThreads: [1, allThreads] });
  await bundleDriver();
  const torchVersion = execFileSync(python, ['-c', 'import torch; print(torch.__version__)']).toString().trim();
  emit('torch', torchVersion, { python });

  // Backends that load here.
  const drivers = new Map();
  for (const backend of backends) {
    const driver = startDriver(backend);
    const { report } = ok(await driver.ask({ cmd: 'backend', backend }));
    if (report.chosen === backend) {
      emit('backend', backend, { device: report.device, tfjs: report.tfjsVersion, matmulGflops: report.matmulGflops });
      drivers.set(backend, driver);
    } else {
      emit('backend', null, { backend, reason: report.attempts.map((a) => a.reason).join('; ') });
      driver.stop();
    }
  }
  if (!drivers.has('tensorflow-gpu')) {
    emit('gpu', null, {
      reason:
        'no GPU figures: this machine has no NVIDIA GPU (and no device machine was lent to this task) and ' +
        '@tensorflow/tfjs-node-gpu is not installed (its install downloads libtensorflow); run this benchmark ' +
        'on a CUDA machine with tfjs-node-gpu installed for the tensorflow-gpu backend',
    });
  }

  const torch = startWorker('torch', python, [join(root, 'tests/bench/train_step_torch.py')]);
  const torchBuilt = new Set();
  const memoryRuns = [];
  try {
    for (const preset of presets) {
      for (const [backend, initial] of drivers) {
        if (backend === 'cpu' && preset !== 'micro') {
          emit('skipped', null, { preset, backend, reason: 'the cpu backend is ~20× slower than wasm: micro only' });
          continue;
        }
        const placed = await buildOn(backend, initial, preset, [batch, ...fallbackBatches]);
        drivers.set(backend, placed.driver);
        if (placed.batch === null) continue;
        const driver = placed.driver;
        const size = placed.batch;
        const key = `${preset}@${size}`;
        if (!torchBuilt.has(key)) {
          const { config, weights } = placed.built;
          ok(await torch.ask({ cmd: 'build', preset: key, config, weights, batch: size, seed: 1 }));
          for (const threads of [1, allThreads])
            ok(await torch.ask({ cmd: 'steps', preset: key, count: warmup, threads }));
          torchBuilt.add(key);
        }

        // Interleaved rounds.
        const ours = [];
        const torchMs = { 1: [], [allThreads]: [] };
        let last = null;
        // The cpu backend takes ~30 s a micro step at batch 32: one round.
        for (let r = 0; r < (backend === 'cpu' ? 1 : rounds); r++) {
          last = ok(await driver.ask({ cmd: 'steps', preset, count: stepsPerRound }));
          ours.push(...last.ms);
          for (const threads of [1, allThreads]) {
            const reply = ok(await torch.ask({ cmd: 'steps', preset: key, count: stepsPerRound, threads }));
            torchMs[threads].push(...reply.ms);
          }
        }
        const oursStats = stats(ours);
        emit('stepMs', oursStats.median, {
          preset,
          backend,
          batch: size,
          microBatch: placed.built.microBatch,
          stats: oursStats,
          imagesPerSecond: round((1000 * size) / oursStats.median),
          parameters: placed.built.parameters,
          memory: last.memory,
        });
        for (const threads of [1, allThreads]) {
          const s = stats(torchMs[threads]);
          emit('torchStepMs', s.median, {
            preset,
            threads,
            batch: size,
            stats: s,
            imagesPerSecond: round((1000 * size) / s.median),
          });
          emit('ratio', round(oursStats.median / s.median), {
            preset,
            backend,
            batch: size,
            microBatch: placed.built.microBatch,
            torchThreads: threads,
            ours_ms: oursStats.median,
            torch_ms: s.median,
            ratio: round(oursStats.median / s.median),
          });
        }

        // Where the time goes.
        const profile = ok(await driver.ask({ cmd: 'profile', preset, top: 10 }));
        emit('profile', round(profile.kernelMs), {
          preset,
          backend,
          batch: size,
          wallMs: round(profile.wallMs),
          kernelCalls: profile.calls,
          peakTensorMiB: round(profile.peakBytes / 2 ** 20, 1),
          top: profile.top.map((k) => ({ kernel: k.name, ms: round(k.ms), calls: k.calls })),
        });
        if (preset === 'tiny') memoryRuns.push({ backend, driver, size });
      }
    }

    // Memory over a few epochs of a tiny run.
    for (const { backend, driver, size } of memoryRuns) {
      const after = [];
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const reply = ok(await driver.ask({ cmd: 'steps', preset: 'tiny', count: epochSteps }));
        after.push(reply.memory);
        emit('memoryAfterEpoch', reply.memory.numBytes, {
          preset: 'tiny',
          backend,
          batch: size,
          epoch,
          steps: epochSteps,
          ...reply.memory,
        });
      }
      const [first, end] = [after[0], after[after.length - 1]];
      emit('memoryFlat', first.numTensors === end.numTensors && first.numBytes === end.numBytes, {
        preset: 'tiny',
        backend,
        batch: size,
        epochs,
        tensorsGrowth: end.numTensors - first.numTensors,
        bytesGrowth: end.numBytes - first.numBytes,
        rssGrowthMiB: end.rssMiB - first.rssMiB,
        peakRssMiB: end.peakRssMiB,
      });
    }
    const torchMemory = ok(await torch.ask({ cmd: 'steps', preset: [...torchBuilt].pop(), count: 0 }));
    emit('torchPeakRssMiB', torchMemory.peakRssMiB, { note: 'whole PyTorch process, every workload above' });
  } finally {
    torch.stop();
    for (const driver of drivers.values()) driver.stop();
  }
}

runMain('train-step', main);
