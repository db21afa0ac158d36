import type { Example } from './examples';

/** Per-pixel normalisation: x' = (x / 255 − mean) / std. Save it with the model: evaluation must use the same. */
export interface Normalisation {
  readonly mean: number;
  readonly std: number;
}

/**
 * Mean and standard deviation of the pixels (scaled to [0, 1]) of the given
 * examples — compute it on the training examples and reuse it everywhere.
 * A constant image set gives std 1, so normalising never divides by zero.
 */
export function pixelStatistics(examples: readonly Example[]): Normalisation {
  let n = 0;
  let sum = 0;
  let sumSquares = 0;
  for (const e of examples) {
    for (const p of e.pixels) {
      sum += p;
      sumSquares += p * p;
    }
    n += e.pixels.length;
  }
  if (n === 0) throw new RangeError('pixel statistics need at least one example');
  const mean = sum / n;
  const variance = Math.max(0, sumSquares / n - mean * mean);
  const std = Math.sqrt(variance) / 255;
  return { mean: mean / 255, std: std > 1e-6 ? std : 1 };
}
