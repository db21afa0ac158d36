/**
 * Intersection over union of a thresholded attention map with a human region, the second alignment
 * measure (mIoU), following CheXlocalize's heatmap-to-mask step: upsample the map to the image
 * (pointing.ts), min-max normalise it, quantise to 8-bit levels, threshold with Otsu's method.
 */
import { upsampleBilinear } from './pointing';

/**
 * Otsu's threshold of 8-bit levels, as OpenCV computes it (`THRESH_OTSU`, getThreshVal_Otsu_8u):
 * the level t that maximises the between-class variance, the first on ties; pixels > t are foreground.
 *
 * @param levels [pixels] integers in 0…255
 */
export function otsuThreshold(levels: ArrayLike<number>): number {
  const histogram = new Float64Array(256);
  for (let i = 0; i < levels.length; i++) {
    const v = levels[i] as number;
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`otsuThreshold: level ${v} is not in 0…255`);
    histogram[v] = (histogram[v] as number) + 1;
  }
  const scale = 1 / levels.length;
  let mu = 0;
  for (let i = 0; i < 256; i++) mu += i * (histogram[i] as number);
  mu *= scale;
  let mu1 = 0;
  let q1 = 0;
  let maxSigma = 0;
  let maxVal = 0;
  const epsilon = 1.1920928955078125e-7; // FLT_EPSILON
  for (let i = 0; i < 256; i++) {
    const p = (histogram[i] as number) * scale;
    mu1 *= q1;
    q1 += p;
    const q2 = 1 - q1;
    if (Math.min(q1, q2) < epsilon || Math.max(q1, q2) > 1 - epsilon) continue;
    mu1 = (mu1 + i * p) / q1;
    const mu2 = (mu - q1 * mu1) / q2;
    const sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
    if (sigma > maxSigma) {
      maxSigma = sigma;
      maxVal = i;
    }
  }
  return maxVal;
}

/**
 * The attention mask: upsampled map, min-max normalised to [0, 1], levels ⌊255·v⌋, foreground where the
 * level exceeds Otsu's threshold. A constant map gives an empty mask.
 *
 * @param map [g·g] row-major
 * @returns [height·width] 0/1
 */
export function attentionMask(map: ArrayLike<number>, g: number, width: number, height: number): Uint8Array {
  const up = upsampleBilinear(map, g, width, height);
  let min = Infinity;
  let max = -Infinity;
  for (const v of up) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mask = new Uint8Array(up.length);
  if (!(max > min)) return mask;
  const levels = new Uint8Array(up.length);
  for (let i = 0; i < up.length; i++) levels[i] = Math.floor((((up[i] as number) - min) / (max - min)) * 255);
  const t = otsuThreshold(levels);
  for (let i = 0; i < levels.length; i++) mask[i] = (levels[i] as number) > t ? 1 : 0;
  return mask;
}

/**
 * IoU of the attention mask with the human mask.
 *
 * @param map [g·g] row-major attention map
 * @param mask [height·width] nonzero = inside the human region
 * @returns |A ∩ H| / |A ∪ H|, or null when both are empty
 */
export function attentionIoU(
  map: ArrayLike<number>,
  g: number,
  mask: ArrayLike<number>,
  width: number,
  height: number,
): number | null {
  if (mask.length !== width * height)
    throw new RangeError(`attentionIoU: the mask has ${mask.length} values, not ${width}×${height}`);
  const attention = attentionMask(map, g, width, height);
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < attention.length; i++) {
    const a = attention[i] === 1;
    const h = mask[i] !== 0;
    if (a && h) intersection++;
    if (a || h) union++;
  }
  return union === 0 ? null : intersection / union;
}

/** Mean IoU over images, those with null (nothing to compare) left out; null when none counts. */
export function meanIoU(ious: readonly (number | null)[]): number | null {
  const counted = ious.filter((v): v is number => v !== null);
  return counted.length === 0 ? null : counted.reduce((s, v) => s + v, 0) / counted.length;
}
