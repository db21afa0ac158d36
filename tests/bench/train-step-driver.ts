/**
 * The TensorFlow.js side of the train-step benchmark (tests/bench/train-step.mjs bundles this file with Vite and
 * runs it under plain Node; it is not a test). One process per backend. It answers one JSON line on stdout for
 * each JSON command line on stdin, so that the benchmark can interleave it with the PyTorch side:
 *
 *   {"cmd":"backend","backend":"wasm"}                  → the backend report (select-backend.ts)
 *   {"cmd":"build","preset":"tiny","batch":32,"seed":1[,"microBatch":8]}
 *                                                        → the model's config, weight shapes and micro-batch
 *   {"cmd":"steps","preset":"tiny","count":3}            → each step's ms, tf.memory(), RSS now and at peak
 *   {"cmd":"profile","preset":"tiny","top":10}           → one step under tf.profile: kernel ms by kernel name
 *   {"cmd":"quit"}
 *
 * A step is the trainer's own (train-step.ts, trainStep): per micro-batch (the trainer's default for the preset
 * unless the command sets one), tensors from the batch's arrays, forward, BCE + λ·L_AL, tf.variableGrads, the
 * gradients summed over the chunks; one AdamW update, both losses read back, everything disposed. The batch is random
 * (seeded) and the same every step: images N(0, 1), labels and known flags Bernoulli, blob masks.
 */
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import type { BackendPreference } from '../../src-main/core/compute/backend-names';
import {
  AdamW,
  createAlignerModel,
  presetConfig,
  weightSpecs,
  type AlignerModel,
  type PresetName,
} from '../../src-main/core/model';
import { Rng } from '../../src-main/core/simulator/prng';
import type { Batch } from '../../src-main/core/training/data';
import { trainDefaults } from '../../src-main/core/training/train-defaults';
import { trainStep } from '../../src-main/core/training/train-step';

/** λ of the benchmark's loss (the value does not change the work). */
const lambda = 1;

interface Workload {
  readonly model: AlignerModel;
  readonly optimiser: AdamW;
  readonly batch: Batch;
  /** Images per chunk of the step (gradients accumulated over the chunks, as the trainer does). */
  readonly microBatch: number;
}

const workloads = new Map<string, Workload>();

function build(preset: PresetName, batch: number, seed: number, microBatch: number | null): Record<string, unknown> {
  workloads.get(preset)?.model.dispose();
  workloads.get(preset)?.optimiser.dispose();
  const config = presetConfig(preset, { seed });
  const model = createAlignerModel(tf, config);
  const optimiser = new AdamW(tf, model.trainableVariables, { learningRate: 1e-3 });
  const s = config.imageSize;
  const r = config.maskSize;
  const c = config.findings.length;
  const rng = new Rng('train-step-bench', seed, preset);
  const images = Float32Array.from({ length: batch * s * s }, () => rng.normal());
  const labels = Float32Array.from({ length: batch * c }, () => (rng.uniform(0, 1) < 0.5 ? 1 : 0));
  const known = Float32Array.from({ length: batch * c }, () => (rng.uniform(0, 1) < 0.85 ? 1 : 0));
  const weight = labels.map((y, i) => y * (known[i] ?? 0));
  // One disc per map, centre and radius at random.
  const masks = new Float32Array(batch * c * r * r);
  for (let m = 0; m < batch * c; m++) {
    const cx = rng.uniform(0, r);
    const cy = rng.uniform(0, r);
    const radius = rng.uniform(r / 8, r / 3);
    for (let y = 0; y < r; y++) {
      for (let x = 0; x < r; x++) masks[(m * r + y) * r + x] = (x - cx) ** 2 + (y - cy) ** 2 < radius ** 2 ? 1 : 0;
    }
  }
  const chunk = microBatch ?? trainDefaults(preset).microBatch;
  const imageIds = Array.from({ length: batch }, (_, i) => i);
  workloads.set(preset, {
    model,
    optimiser,
    batch: { imageIds, images, labels, known, masks, alignWeight: weight },
    microBatch: chunk,
  });
  return {
    microBatch: chunk,
    config,
    parameters: model.parameterCount,
    weights: Object.fromEntries(weightSpecs(config).map((spec) => [spec.name, spec.shape])),
  };
}

/** One optimiser step: the trainer's own (train-step.ts), micro-batches and all; returns the two losses. */
function step(work: Workload): [number, number] {
  const { imageSize, maskSize } = work.model.config;
  return trainStep(tf, work.model, work.optimiser, work.batch, {
    microBatch: work.microBatch,
    imageSize,
    maskSize,
    findings: work.model.config.findings.length,
    lambda,
    region: 'image',
  });
}

/** tf.memory() and the process's memory (MiB): RSS now and its peak so far. */
function memory(): Record<string, number> {
  const m = tf.memory();
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.length;
  return {
    numTensors: m.numTensors,
    numBytes: m.numBytes,
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(heap === undefined ? {} : { wasmHeapMiB: Math.round(heap / 2 ** 20) }),
  };
}

function workload(preset: string): Workload {
  const work = workloads.get(preset);
  if (!work) throw new Error(`no model built for '${preset}'`);
  return work;
}

async function answer(command: Record<string, unknown>): Promise<Record<string, unknown>> {
  switch (command.cmd) {
    case 'backend':
      return { report: await selectBackend(command.backend as BackendPreference) };
    case 'build':
      return build(
        command.preset as PresetName,
        Number(command.batch),
        Number(command.seed ?? 1),
        command.microBatch === undefined ? null : Number(command.microBatch),
      );
    case 'steps': {
      const work = workload(String(command.preset));
      const ms: number[] = [];
      let losses: [number, number] = [Number.NaN, Number.NaN];
      for (let i = 0; i < Number(command.count); i++) {
        const started = performance.now();
        losses = step(work);
        ms.push(performance.now() - started);
      }
      return { ms, losses, memory: memory() };
    }
    case 'profile': {
      const work = workload(String(command.preset));
      const started = performance.now();
      const info = await tf.profile(() => {
        step(work);
      });
      const wallMs = performance.now() - started;
      const byKernel = new Map<string, { ms: number; calls: number }>();
      for (const kernel of info.kernels) {
        const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
        entry.ms += Number(kernel.kernelTimeMs);
        entry.calls += 1;
        byKernel.set(kernel.name, entry);
      }
      const kernels = [...byKernel].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms);
      const kernelMs = kernels.reduce((sum, k) => sum + k.ms, 0);
      return {
        wallMs,
        kernelMs,
        calls: info.kernels.length,
        peakBytes: info.peakBytes,
        biggest: [...info.kernels]
          .map((k) => ({
            name: k.name,
            bytes: k.outputShapes.reduce((sum, shape) => sum + 4 * (shape ?? []).reduce((a, b) => a * b, 1), 0),
            shapes: k.outputShapes,
            inputs: k.inputShapes,
            ms: Number(k.kernelTimeMs),
          }))
          .sort((a, b) => (command.by === 'ms' ? b.ms - a.ms : b.bytes - a.bytes))
          .slice(0, Number(command.biggest ?? 0)),
        memory: memory(),
        top: kernels.slice(0, Number(command.top ?? 10)),
      };
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(command)}`);
  }
}

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const command = JSON.parse(line) as Record<string, unknown>;
    if (command.cmd === 'quit') break;
    let reply: Record<string, unknown>;
    try {
      reply = { ok: true, ...(await answer(command)) };
    } catch (err) {
      reply = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
  lines.close();
  process.exit(0);
}

void main();
