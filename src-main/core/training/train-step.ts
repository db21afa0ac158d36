import type * as TfCore from '@tensorflow/tfjs-core';
import type { AdamW } from '../model/adamw';
import type { AlignerModel } from '../model/aligner-model';
import { alignerDiceLoss, bceWithLogits, totalLoss } from '../model/losses';
import type { Batch } from './data';

type Tf = typeof TfCore;

export interface StepShape {
  /** Largest chunk of a batch whose activations are alive at once (gradient accumulation above it). */
  readonly microBatch: number;
  readonly imageSize: number;
  readonly maskSize: number;
  readonly findings: number;
  readonly lambda: number;
  readonly region: 'image' | 'annotated';
}

/**
 * One optimiser step; returns the batch's CE and L_AL. Leaves no tensor behind.
 *
 * A batch larger than `microBatch` is split into chunks whose gradients are
 * summed before the one update: each chunk's losses are weighted by its share
 * of the batch's known labels and aligned entries, so the sum is exactly the
 * gradient of the whole batch's loss, with a fraction of the activations alive
 * at once (wasm's heap is 4 GiB).
 */
export function trainStep(
  tf: Tf,
  model: AlignerModel,
  optimiser: AdamW,
  batch: Batch,
  shape: StepShape,
): [number, number] {
  const b = batch.imageIds.length;
  const { imageSize: s, maskSize: r, findings: c } = shape;
  const chunk = Math.max(1, Math.min(shape.microBatch, b));
  const knownTotal = Math.max(1, sum(batch.known));
  const alignedTotal = Math.max(1, sum(batch.alignWeight));
  let accumulated: Record<string, TfCore.Tensor> | null = null;
  let ceSum = 0;
  let alSum = 0;
  try {
    for (let start = 0; start < b; start += chunk) {
      const n = Math.min(b, start + chunk) - start;
      const known = batch.known.subarray(start * c, (start + n) * c);
      const weight = batch.alignWeight.subarray(start * c, (start + n) * c);
      const ceShare = n === b ? 1 : Math.max(1, sum(known)) / knownTotal;
      const alShare = n === b ? 1 : Math.max(1, sum(weight)) / alignedTotal;
      const inputs = tf.tidy(() => ({
        images: tf.tensor4d(batch.images.subarray(start * s * s, (start + n) * s * s), [n, s, s, 1]),
        labels: tf.tensor2d(batch.labels.subarray(start * c, (start + n) * c), [n, c]),
        known: tf.tensor2d(known, [n, c]),
        masks: tf.tensor4d(batch.masks.subarray(start * c * r * r, (start + n) * c * r * r), [n, c, r, r]),
        weight: tf.tensor2d(weight, [n, c]),
      }));
      let ce: TfCore.Scalar | null = null;
      let al: TfCore.Scalar | null = null;
      try {
        const { value, grads } = model.variableGrads(() => {
          const out = model.forward(inputs.images);
          const bce = bceWithLogits(tf, out.logits, inputs.labels, inputs.known);
          const dice = alignerDiceLoss(tf, out.aligned, inputs.masks, inputs.weight, { region: shape.region });
          ce = tf.keep(bce.clone());
          al = tf.keep(dice.clone());
          return ceShare === 1 && alShare === 1
            ? totalLoss(tf, bce, dice, shape.lambda)
            : totalLoss(tf, tf.mul(bce, ceShare), dice, shape.lambda * alShare);
        });
        value.dispose();
        ceSum += ceShare * ((ce as TfCore.Scalar | null)?.dataSync()[0] ?? Number.NaN);
        alSum += alShare * ((al as TfCore.Scalar | null)?.dataSync()[0] ?? Number.NaN);
        if (accumulated === null) {
          accumulated = grads;
        } else {
          const previous: Record<string, TfCore.Tensor> = accumulated;
          accumulated = Object.fromEntries(
            Object.entries(grads).map(([name, grad]) => {
              const before = previous[name];
              return [name, before ? tf.add(before, grad) : grad.clone()];
            }),
          );
          tf.dispose(Object.values(previous));
          tf.dispose(Object.values(grads));
        }
      } finally {
        tf.dispose([inputs.images, inputs.labels, inputs.known, inputs.masks, inputs.weight]);
        if (ce) (ce as TfCore.Scalar).dispose();
        if (al) (al as TfCore.Scalar).dispose();
      }
    }
    if (accumulated) optimiser.update(accumulated);
    return [ceSum, alSum];
  } finally {
    if (accumulated) tf.dispose(Object.values(accumulated));
  }
}

function sum(values: Float32Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i] as number;
  return total;
}
