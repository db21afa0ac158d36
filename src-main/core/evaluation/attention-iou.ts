/**
 * Intersection over union of a thresholded attention map with a human region, the second alignment
 * measure (mIoU), following CheXlocalize's heatmap-to-mask step: upsample the map to the image
 * (pointing.ts), min-max normalise it, quantise to 8-bit levels, threshold with Otsu's method.
 */
import { upsampledRows } from './pointing';

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
  return otsuFromHistogram(histogram, levels.length);
}

/**
 * Otsu's threshold from the histogram of 8-bit levels (OpenCV's getThreshVal_Otsu_8u on the counts).
 *
 * @param histogram [256] pixel counts per level
 * @param total the number of pixels (the histogram's sum)
 */
export function otsuFromHistogram(histogram: ArrayLike<number>, total: number): number {
  const scale = 1 / total;
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
 * What the attention mask and the pointing game need of an upsampled map, from two streaming passes over its
 * rows (no full-size array): the peak (first maximum, row-major, as attentionPeak), the minimum and maximum,
 * Otsu's threshold of the levels ⌊255·(v − min)/(max − min)⌋, and how many pixels are foreground (level >
 * threshold). Depends on the map and the image size only, so it can be computed once and kept.
 */
export interface AttentionStatistics {
  readonly peak: { readonly x: number; readonly y: number; readonly value: number };
  readonly min: number;
  readonly max: number;
  /** Otsu's level; null for a constant map (its mask is empty). */
  readonly threshold: number | null;
  /** Pixels of the attention mask. */
  readonly foreground: number;
}

/** @param map [g·g] row-major */
export function attentionStatistics(
  map: ArrayLike<number>,
  g: number,
  width: number,
  height: number,
): AttentionStatistics {
  const row = upsampledRows(map, g, width, height);
  const values = new Float64Array(width);
  let min = Infinity;
  let max = -Infinity;
  let best = -1;
  for (let y = 0; y < height; y++) {
    row(y, values);
    for (let x = 0; x < width; x++) {
      const v = values[x] as number;
      if (v < min) min = v;
      if (v > max) {
        max = v;
        best = y * width + x;
      }
    }
  }
  const peak = { x: best % width, y: Math.floor(best / width), value: max };
  if (!(max > min)) return { peak, min, max, threshold: null, foreground: 0 };
  const histogram = new Float64Array(256);
  const range = max - min;
  for (let y = 0; y < height; y++) {
    row(y, values);
    for (let x = 0; x < width; x++) {
      const level = Math.floor((((values[x] as number) - min) / range) * 255);
      histogram[level] = (histogram[level] as number) + 1;
    }
  }
  const threshold = otsuFromHistogram(histogram, width * height);
  let foreground = 0;
  for (let level = threshold + 1; level < 256; level++) foreground += histogram[level] as number;
  return { peak, min, max, threshold, foreground };
}

/**
 * The attention mask: upsampled map, min-max normalised to [0, 1], levels ⌊255·v⌋, foreground where the
 * level exceeds Otsu's threshold. A constant map gives an empty mask.
 *
 * @param map [g·g] row-major
 * @returns [height·width] 0/1
 */
export function attentionMask(map: ArrayLike<number>, g: number, width: number, height: number): Uint8Array {
  const statistics = attentionStatistics(map, g, width, height);
  const mask = new Uint8Array(width * height);
  const { min, max, threshold } = statistics;
  if (threshold === null) return mask;
  const row = upsampledRows(map, g, width, height);
  const values = new Float64Array(width);
  const range = max - min;
  for (let y = 0; y < height; y++) {
    row(y, values);
    for (let x = 0; x < width; x++)
      if (Math.floor((((values[x] as number) - min) / range) * 255) > threshold) mask[y * width + x] = 1;
  }
  return mask;
}

/**
 * IoU of the attention mask with the human mask.
 *
 * Cost: the statistics (two passes over the upsampled map; pass them in when kept from an earlier call), then
 * one pass over the human mask and the upsampled values inside its bounding box only. |A ∪ H| is
 * |A| + |H| − |A ∩ H|, so the attention mask is never made.
 *
 * @param map [g·g] row-major attention map
 * @param mask [height·width] nonzero = inside the human region
 * @param statistics attentionStatistics(map, g, width, height), when already known
 * @returns |A ∩ H| / |A ∪ H|, or null when both are empty
 */
export function attentionIoU(
  map: ArrayLike<number>,
  g: number,
  mask: ArrayLike<number>,
  width: number,
  height: number,
  statistics: Pick<AttentionStatistics, 'min' | 'max' | 'threshold' | 'foreground'> = attentionStatistics(
    map,
    g,
    width,
    height,
  ),
): number | null {
  if (mask.length !== width * height)
    throw new RangeError(`attentionIoU: the mask has ${mask.length} values, not ${width}×${height}`);
  // The human mask's size and bounding box.
  let human = 0;
  let [xMin, yMin, xMax, yMax] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    const base = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (mask[base + x] !== 0) {
        if (first < 0) first = x;
        last = x;
        human++;
      }
    }
    if (first >= 0) {
      if (first < xMin) xMin = first;
      if (last > xMax) xMax = last;
      if (y < yMin) yMin = y;
      yMax = y;
    }
  }
  let intersection = 0;
  const { min, max, threshold } = statistics;
  if (human > 0 && threshold !== null) {
    const row = upsampledRows(map, g, width, height, xMin, xMax + 1);
    const values = new Float64Array(xMax + 1 - xMin);
    const range = max - min;
    for (let y = yMin; y <= yMax; y++) {
      row(y, values);
      const base = y * width + xMin;
      for (let k = 0; k < values.length; k++)
        if (mask[base + k] !== 0 && Math.floor((((values[k] as number) - min) / range) * 255) > threshold)
          intersection++;
    }
  }
  const union = statistics.foreground + human - intersection;
  return union === 0 ? null : intersection / union;
}

/** Mean IoU over images, those with null (nothing to compare) left out; null when none counts. */
export function meanIoU(ious: readonly (number | null)[]): number | null {
  const counted = ious.filter((v): v is number => v !== null);
  return counted.length === 0 ? null : counted.reduce((s, v) => s + v, 0) / counted.length;
}
