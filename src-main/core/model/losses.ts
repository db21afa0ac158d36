/**
 * The training loss L = L_CE + λ·L_AL (ARCHITECTURE.md §5). Both terms are means over the entries that take
 * part (known labels; aligned annotations) and are 0, with zero gradient, when none does.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Tf } from './layers';

/**
 * Binary cross-entropy with logits, averaged over the known labels:
 * ℓ = max(z, 0) − z·y + log(1 + e^(−|z|)) (stable for any z, as PyTorch's BCEWithLogitsLoss; its gradient is
 * σ(z) − y, at z = 0 too).
 * @param logits z [B, C]
 * @param labels y [B, C] in {0, 1}
 * @param known [B, C]: 1 where the label is known, 0 where it is missing (excluded)
 * @returns scalar Σ known·ℓ / max(Σ known, 1)
 */
export function bceWithLogits(
  tf: Tf,
  logits: TfCore.Tensor,
  labels: TfCore.Tensor,
  known: TfCore.Tensor,
): TfCore.Scalar {
  assertSameShape('bceWithLogits', { logits, labels, known });
  return tf.tidy(() => {
    const perEntry = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return maskedMean(tf, perEntry, known);
  });
}

/**
 * Which pixels the sums of Eq. 1 run over.
 * - `image` (default): every pixel of the R×R map. False positives outside the human region count, with
 *   weight w_FP: the reading that makes w_FP do something.
 * - `annotated`: only the annotated pixels Ω⁺ = {Y > ½}, the paper's literal notation. There Y = 1, so
 *   Σ Y·P = Σ P, Σ(Y + P) = |Ω⁺| + Σ P and FP = 0: w_FP has no effect and P ≡ 1 minimises the loss — the map
 *   is only pulled up inside the region, never down outside it. Offered for the ablation, not as the default.
 */
export type AlignerRegion = 'image' | 'annotated';

export interface AlignerDiceOptions {
  /** w_FP, the extra weight of false-positive mass (default 2). */
  readonly wFp?: number;
  /** α, the smoothing term (default 1). */
  readonly alpha?: number;
  /** ε (default 1e-6). */
  readonly eps?: number;
  /** Default 'image'; see {@link AlignerRegion}. */
  readonly region?: AlignerRegion;
}

/**
 * The attention aligner loss, Eq. 1 of ARCHITECTURE.md §5, per image b and finding c:
 * L = 1 − (2 Σ Y·P + α + ε) / (Σ (Y + P) + (w_FP − 1) Σ FP + α + ε), FP = P·(1 − Y),
 * averaged over the entries with weight 1 (positive for c, annotated, in the aligned subset).
 * @param aligned P [B, C, R, R] in [0, 1]
 * @param masks Y [B, C, R, R] in {0, 1} (anything where the weight is 0)
 * @param weight [B, C] in {0, 1} (a weighted mean for other values)
 * @returns scalar Σ weight·L / max(Σ weight, 1): 0 when no entry takes part
 */
export function alignerDiceLoss(
  tf: Tf,
  aligned: TfCore.Tensor,
  masks: TfCore.Tensor,
  weight: TfCore.Tensor,
  options: AlignerDiceOptions = {},
): TfCore.Scalar {
  const { wFp = 2, alpha = 1, eps = 1e-6, region = 'image' } = options;
  assertSameShape('alignerDiceLoss', { aligned, masks });
  if (aligned.rank !== 4 || weight.shape.join() !== aligned.shape.slice(0, 2).join()) {
    throw new Error(
      `alignerDiceLoss: weight must be [B, C] for aligned [B, C, R, R]; got weight [${weight.shape.join(', ')}], ` +
        `aligned [${aligned.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    let p = aligned;
    let y = masks;
    if (region === 'annotated') {
      const inside = tf.cast(tf.greater(masks, 0.5), 'float32');
      p = tf.mul(p, inside);
      y = tf.mul(y, inside);
    }
    const pixels: [number, number] = [2, 3];
    const overlap = tf.sum(tf.mul(y, p), pixels);
    const total = tf.sum(tf.add(y, p), pixels);
    const falsePositive = tf.sum(tf.mul(p, tf.sub(1, y)), pixels);
    const numerator = tf.add(tf.mul(overlap, 2), alpha + eps);
    const denominator = tf.add(tf.add(total, tf.mul(falsePositive, wFp - 1)), alpha + eps);
    const perEntry = tf.sub(1, tf.div(numerator, denominator));
    return maskedMean(tf, perEntry, weight);
  });
}

/** L = bce + λ·aligner; λ = 1 in the paper, ~20 for models trained from scratch (SCIENCE-NOTES.md). */
export function totalLoss(tf: Tf, bce: TfCore.Scalar, aligner: TfCore.Scalar, lambda: number): TfCore.Scalar {
  return tf.tidy(() => tf.add(bce, tf.mul(aligner, lambda)));
}

/** Σ weight·values / max(Σ weight, 1). */
function maskedMean(tf: Tf, values: TfCore.Tensor, weight: TfCore.Tensor): TfCore.Scalar {
  return tf.div(tf.sum(tf.mul(values, weight)), tf.maximum(tf.sum(weight), 1));
}

function assertSameShape(what: string, tensors: Record<string, TfCore.Tensor>): void {
  const entries = Object.entries(tensors);
  const [firstName, first] = entries[0] ?? ['', null];
  for (const [name, t] of entries.slice(1)) {
    if (first && t.shape.join() !== first.shape.join()) {
      throw new Error(
        `${what}: ${name} [${t.shape.join(', ')}] does not match ${firstName} [${first.shape.join(', ')}]`,
      );
    }
  }
}
