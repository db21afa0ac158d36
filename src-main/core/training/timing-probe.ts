import type * as TfCore from '@tensorflow/tfjs-core';
import { selectBackend } from '../compute/select-backend';
import { InputError } from '../input-error';
import { AdamW } from '../model/adamw';
import { createAlignerModel } from '../model/aligner-model';
import { presetConfig } from '../model/config';
import type { Batch } from './data';
import { createRng } from './data';
import { installHint, type TrainerIo } from './train-loop';
import { trainStep } from './train-step';
import { trainDefaults } from './train-defaults';
import type { TimingProbe } from './trainer-protocol';

type Tf = typeof TfCore;

/**
 * How fast a preset trains on a backend, for a study's estimate: builds the
 * model as a run would, then takes two optimiser steps on one micro-batch of
 * random images (the first pays for kernel compilation and allocation, the
 * second is timed) and scores it twice (the second timed). A whole batch's
 * step is the micro-batch's time scaled by the batch's share (gradient
 * accumulation runs the chunks one after another). Reports one `timing`
 * message; reads no workspace.
 */
export async function runTimingProbe(probe: TimingProbe, io: TrainerIo): Promise<void> {
  const report = await selectBackend(probe.backend);
  if (report.chosen === null) {
    const reasons = report.attempts.map((a) => `${a.backend}: ${a.reason ?? 'failed'}`).join('; ');
    throw new InputError(
      `backend '${probe.backend}' is not available (${reasons}). ${installHint(probe.backend)}`,
      'backend',
    );
  }
  const tf = (await import('@tensorflow/tfjs-core')) as Tf;
  const config = presetConfig(probe.preset, { imageSize: probe.imageSize, findings: probe.findings, seed: 0 });
  const model = createAlignerModel(tf, config);
  const optimiser = new AdamW(tf, model.trainableVariables, { learningRate: 1e-4, weightDecay: 0.01 });
  const readySeconds = process.uptime();
  const defaults = trainDefaults(probe.preset);
  const chunk = Math.max(1, Math.min(defaults.microBatch, probe.batchSize));
  const batch = randomBatch(chunk, config.imageSize, config.maskSize, probe.findings.length);
  const shape = {
    microBatch: chunk,
    imageSize: config.imageSize,
    maskSize: config.maskSize,
    findings: probe.findings.length,
    lambda: defaults.lambda,
    region: 'image' as const,
  };
  try {
    trainStep(tf, model, optimiser, batch, shape);
    const stepStarted = performance.now();
    trainStep(tf, model, optimiser, batch, shape);
    const chunkSeconds = (performance.now() - stepStarted) / 1000;
    const score = (): void => {
      const images = tf.tensor4d(batch.images, [chunk, config.imageSize, config.imageSize, 1]);
      const out = model.forward(images);
      const p = tf.sigmoid(out.logits);
      p.dataSync();
      out.attention.dataSync();
      tf.dispose([images, out.logits, out.attention, out.aligned, p]);
    };
    score();
    const scoreStarted = performance.now();
    score();
    const scoreSeconds = (performance.now() - scoreStarted) / 1000;
    io.send({
      type: 'timing',
      backend: report.chosen,
      device: report.device,
      readySeconds: round(readySeconds),
      secondsPerStep: round((chunkSeconds * probe.batchSize) / chunk),
      secondsPerImageScored: round(scoreSeconds / chunk),
    });
  } finally {
    optimiser.dispose();
    model.dispose();
  }
}

/** Half positive, each positive with an aligned square region: every term of the loss is computed. */
function randomBatch(n: number, s: number, r: number, c: number): Batch {
  const rng = createRng(0, 'timing-probe');
  const images = new Float32Array(n * s * s);
  for (let i = 0; i < images.length; i++) images[i] = rng.next() * 2 - 1;
  const labels = new Float32Array(n * c);
  const known = new Float32Array(n * c).fill(1);
  const alignWeight = new Float32Array(n * c);
  const masks = new Float32Array(n * c * r * r);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      if ((i + k) % 2 !== 0) continue;
      labels[i * c + k] = 1;
      alignWeight[i * c + k] = 1;
      const base = (i * c + k) * r * r;
      for (let y = Math.floor(r / 4); y < Math.floor((3 * r) / 4); y++) {
        for (let x = Math.floor(r / 4); x < Math.floor((3 * r) / 4); x++) masks[base + y * r + x] = 1;
      }
    }
  }
  return { imageIds: Array.from({ length: n }, (_, i) => i + 1), images, labels, known, masks, alignWeight };
}

function round(seconds: number): number {
  return Math.round(seconds * 1e4) / 1e4;
}
