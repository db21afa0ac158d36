import { mkdir, copyFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../api/training-schemas';
import { selectBackend } from '../compute/select-backend';
import { rocAuc } from '../evaluation/auc';
import { InputError } from '../input-error';
import { AdamW } from '../model/adamw';
import { createAlignerModel, type AlignerModel } from '../model/aligner-model';
import { gridSize } from '../model/config';
import {
  batches,
  chooseAligned,
  dataRatioSubset,
  loadExamples,
  pixelStatistics,
  type Example,
  type Normalisation,
} from './data';
import { readCheckpoint, writeCheckpoint, type CheckpointTensor } from './checkpoint';
import { modelConfigOf } from './model-config-of';
import { trainDefaults } from './train-defaults';
import { trainStep } from './train-step';
import type { FromTrainer, TrainJob } from './trainer-protocol';

type Tf = typeof TfCore;

/** What the loop needs from its process: a way to report, and whether it was asked to stop. */
export interface TrainerIo {
  send(message: FromTrainer): void;
  cancelled(): boolean;
}

/** Saved after every epoch: enough to continue exactly where the run stopped. */
interface CheckpointMeta {
  readonly epoch: number;
  readonly bestEpoch: number;
  readonly bestValAuc: number | null;
  readonly optimiserStep: number;
  readonly normalisation: Normalisation;
}

/**
 * One training run, start to finish (or resumed from its last checkpoint):
 * selects the backend, loads the examples from the workspace (read-only),
 * draws the seeded data-ratio and alignment subsets, trains with BCE + λ·L_AL
 * and AdamW, evaluates validation AUC after every epoch, checkpoints, stops
 * early on patience, and finally scores the test sources with the best
 * weights. Everything it learns it reports through `io`; it never writes to
 * the database.
 */
export async function runTrainJob(job: TrainJob, io: TrainerIo): Promise<void> {
  const started = performance.now();
  const config = job.config;
  const report = await selectBackend(config.backend);
  if (report.chosen === null) {
    const reasons = report.attempts.map((a) => `${a.backend}: ${a.reason ?? 'failed'}`).join('; ');
    throw new InputError(
      `backend '${config.backend}' is not available (${reasons}). ${installHint(config.backend)}`,
      'backend',
    );
  }
  const tf = (await import('@tensorflow/tfjs-core')) as Tf;
  const defaults = trainDefaults(config.preset);
  const modelConfig = modelConfigOf(config);
  const grid = gridSize(modelConfig);
  const maskSize = modelConfig.maskSize;
  const imageSize = modelConfig.imageSize;

  const db = new Database(job.dbPath, { readonly: true, fileMustExist: true });
  let train: Example[];
  let validation: Example[];
  let test: Example[];
  try {
    const load = (sources: readonly string[]): Example[] =>
      loadExamples(db, { sources, findings: config.findings, imageSize, maskSize });
    train = dataRatioSubset(load(config.train), config.dataRatio, config.seed);
    validation = load(config.validation);
    test = config.test.length > 0 ? load(config.test) : [];
  } finally {
    db.close();
  }
  const { aligned } = chooseAligned(train, {
    fraction: config.alignment,
    seed: config.seed,
    onShortage: config.onShortage,
    requireAnnotation: !config.randomAlignment,
  });

  await mkdir(job.checkpointDir, { recursive: true });
  const lastPath = join(job.checkpointDir, 'last.ckpt');
  const bestPath = join(job.checkpointDir, 'best.ckpt');
  const model = createAlignerModel(tf, modelConfig);
  const optimiser = new AdamW(tf, model.trainableVariables, {
    learningRate: config.learningRate ?? defaults.learningRate,
    weightDecay: config.weightDecay,
  });
  const lambda = config.lambda ?? defaults.lambda;
  let normalisation = pixelStatistics(train);
  let fromEpoch = 0;
  let bestEpoch = -1;
  let bestValAuc: number | null = null;
  if (job.resume && (await exists(lastPath))) {
    const checkpoint = await readCheckpoint<CheckpointMeta>(lastPath);
    restore(tf, model, optimiser, checkpoint.tensors, checkpoint.meta.optimiserStep);
    normalisation = checkpoint.meta.normalisation;
    fromEpoch = checkpoint.meta.epoch + 1;
    bestEpoch = checkpoint.meta.bestEpoch;
    bestValAuc = checkpoint.meta.bestValAuc;
  }
  io.send({
    type: 'started',
    backend: report.chosen,
    device: report.device,
    attempts: report.attempts,
    fromEpoch,
    alignedImages: aligned.size,
    trainImages: train.length,
  });

  const steps = Math.ceil(train.length / config.batchSize);
  let cancelled = false;
  try {
    for (let epoch = fromEpoch; epoch < config.epochs; epoch++) {
      if (bestEpoch >= 0 && epoch - bestEpoch > config.patience) break;
      const epochStarted = performance.now();
      let sumCe = 0;
      let sumAl = 0;
      let step = 0;
      for await (const batch of batches(train, {
        batchSize: config.batchSize,
        seed: config.seed,
        epoch,
        maskSize,
        normalise: normalisation,
        augment: config.augment,
        aligned,
        randomAlignment: config.randomAlignment,
      })) {
        if (io.cancelled()) {
          cancelled = true;
          break;
        }
        const [ce, al] = trainStep(tf, model, optimiser, batch, {
          microBatch: config.microBatch ?? defaults.microBatch,
          imageSize,
          maskSize,
          findings: config.findings.length,
          lambda,
          region: config.alignmentRegion,
        });
        if (!Number.isFinite(ce) || !Number.isFinite(al)) {
          throw new Error(
            `the loss became ${Number.isNaN(ce + al) ? 'NaN' : 'infinite'} at epoch ${epoch + 1}, step ${step + 1} ` +
              `(CE ${ce}, L_AL ${al}); lower the learning rate or λ`,
          );
        }
        sumCe += ce * batch.imageIds.length;
        sumAl += al * batch.imageIds.length;
        step += 1;
        const elapsed = (performance.now() - epochStarted) / 1000;
        const rate = (step * config.batchSize) / Math.max(elapsed, 1e-6);
        const left = (steps - step) * (elapsed / step) + (config.epochs - epoch - 1) * (elapsed / step) * steps;
        io.send({
          type: 'progress',
          progress: {
            epoch,
            epochs: config.epochs,
            step,
            steps,
            imagesPerSecond: Math.round(rate * 10) / 10,
            etaSeconds: Math.round(left),
          },
        });
      }
      if (cancelled) break;
      const valAuc = meanAuc(await score(tf, model, validation, config, maskSize, normalisation));
      const improved = bestEpoch < 0 || (valAuc !== null && (bestValAuc === null || valAuc > bestValAuc));
      if (improved) {
        bestEpoch = epoch;
        bestValAuc = valAuc;
      }
      await writeCheckpoint<CheckpointMeta>(lastPath, {
        meta: { epoch, bestEpoch, bestValAuc, optimiserStep: optimiser.step, normalisation },
        tensors: snapshot(model, optimiser),
      });
      if (improved) await copyFile(lastPath, bestPath);
      io.send({
        type: 'epoch',
        record: {
          epoch,
          lossCe: sumCe / Math.max(1, train.length),
          lossAl: sumAl / Math.max(1, train.length),
          valAuc,
          seconds: Math.round((performance.now() - epochStarted) / 10) / 100,
        },
        checkpoint: lastPath,
        bestEpoch,
        bestValAuc,
      });
    }

    let testAuc: number | null = null;
    if (!cancelled && test.length > 0 && (await exists(bestPath))) {
      const best = await readCheckpoint<CheckpointMeta>(bestPath);
      restore(tf, model, optimiser, best.tensors, best.meta.optimiserStep);
      const scored = await score(tf, model, test, config, maskSize, normalisation, grid);
      testAuc = meanAuc(scored);
      for (let i = 0; i < scored.rows.length; i += 64) {
        io.send({ type: 'predictions', rows: scored.rows.slice(i, i + 64) });
      }
    }
    io.send({
      type: 'done',
      status: cancelled ? 'cancelled' : 'done',
      bestEpoch: bestEpoch < 0 ? null : bestEpoch,
      valAuc: bestValAuc,
      testAuc,
      seconds: Math.round((performance.now() - started) / 10) / 100,
    });
  } finally {
    optimiser.dispose();
    model.dispose();
  }
}

interface Scored {
  /** Per finding: scores and labels of the images labelled for it. */
  readonly perFinding: { scores: number[]; labels: number[] }[];
  readonly rows: { imageId: number; finding: string; score: number; attention: Float32Array<ArrayBuffer> | null }[];
}

/** Scores every example (no augmentation, no shuffle); with `grid`, keeps the attention maps too. */
async function score(
  tf: Tf,
  model: AlignerModel,
  examples: readonly Example[],
  config: TrainConfig,
  maskSize: number,
  normalisation: Normalisation,
  grid?: number,
): Promise<Scored> {
  const c = config.findings.length;
  const s = model.config.imageSize;
  const perFinding = config.findings.map(() => ({ scores: [] as number[], labels: [] as number[] }));
  const rows: Scored['rows'] = [];
  for await (const batch of batches(examples, {
    batchSize: config.batchSize,
    seed: config.seed,
    epoch: 0,
    maskSize,
    normalise: normalisation,
    shuffle: false,
    augment: false,
  })) {
    const b = batch.imageIds.length;
    const images = tf.tensor4d(batch.images, [b, s, s, 1]);
    const out = model.forward(images);
    const probabilities = tf.tidy(() => tf.sigmoid(out.logits));
    const p = probabilities.dataSync();
    const attention = grid === undefined ? null : out.attention.dataSync();
    tf.dispose([images, out.logits, out.attention, out.aligned, probabilities]);
    for (let i = 0; i < b; i++) {
      for (let k = 0; k < c; k++) {
        const score = p[i * c + k] as number;
        if (batch.known[i * c + k] === 1) {
          perFinding[k]?.scores.push(score);
          perFinding[k]?.labels.push(batch.labels[i * c + k] as number);
        }
        const map =
          attention && grid !== undefined
            ? Float32Array.from(attention.subarray((i * c + k) * grid * grid, (i * c + k + 1) * grid * grid))
            : null;
        rows.push({
          imageId: batch.imageIds[i] as number,
          finding: config.findings[k] as string,
          score,
          attention: map,
        });
      }
    }
  }
  return { perFinding, rows };
}

/** Mean over findings of the AUC (findings with one class only are left out); null when none has both. */
function meanAuc(scored: Scored): number | null {
  const aucs = scored.perFinding.map((f) => rocAuc(f.scores, f.labels)).filter((a): a is number => a !== null);
  return aucs.length === 0 ? null : aucs.reduce((a, b) => a + b, 0) / aucs.length;
}

function snapshot(model: AlignerModel, optimiser: AdamW): Record<string, CheckpointTensor> {
  const tensors: Record<string, CheckpointTensor> = {};
  const weights = model.getWeights();
  const state = optimiser.getState();
  for (const [name, tensor] of Object.entries(weights)) {
    tensors[`weight:${name}`] = { shape: tensor.shape, data: tensor.dataSync() as Float32Array };
    tensor.dispose();
  }
  for (const [name, tensor] of Object.entries(state.tensors)) {
    tensors[`adamw:${name}`] = { shape: tensor.shape, data: tensor.dataSync() as Float32Array };
    tensor.dispose();
  }
  return tensors;
}

function restore(
  tf: Tf,
  model: AlignerModel,
  optimiser: AdamW,
  tensors: Readonly<Record<string, CheckpointTensor>>,
  step: number,
): void {
  const weights: Record<string, TfCore.Tensor> = {};
  const moments: Record<string, TfCore.Tensor> = {};
  for (const [key, value] of Object.entries(tensors)) {
    const tensor = tf.tensor(value.data, [...value.shape]);
    if (key.startsWith('weight:')) weights[key.slice('weight:'.length)] = tensor;
    else if (key.startsWith('adamw:')) moments[key.slice('adamw:'.length)] = tensor;
    else tensor.dispose();
  }
  try {
    model.setWeights(weights);
    optimiser.setState({ step, tensors: moments });
  } finally {
    tf.dispose(Object.values(weights));
    tf.dispose(Object.values(moments));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export function installHint(backend: TrainConfig['backend']): string {
  switch (backend) {
    case 'tensorflow-gpu':
      return 'Install it with `npm install @tensorflow/tfjs-node-gpu` on a machine with CUDA and internet access.';
    case 'tensorflow':
      return 'Install it with `npm install @tensorflow/tfjs-node` on a machine with internet access.';
    default:
      return 'Reinstall the app’s dependencies (`npm ci`).';
  }
}
