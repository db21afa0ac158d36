import type { DicomMetadata } from './metadata';
import type { StoredPixels } from './stored-pixels';

/** Statistics of modality values. */
export interface PixelStatistics {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * The grey value of each pixel after the modality LUT (PS3.3 C.11.1): stored × RescaleSlope +
 * RescaleIntercept for monochrome images. Colour images have no modality LUT; they become their
 * luminance: Y for YBR_FULL(_422), 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601) for RGB.
 * Float32 holds integers exactly up to 2^24; 32-bit data beyond that are rounded.
 *
 * @returns [rows × columns]
 */
export function toModalityValues(
  stored: StoredPixels,
  meta: Pick<DicomMetadata, 'rescaleSlope' | 'rescaleIntercept'>,
): Float32Array {
  const pixels = stored.rows * stored.columns;
  const out = new Float32Array(pixels);
  const v = stored.values;
  if (stored.samplesPerPixel === 1) {
    const { rescaleSlope: slope, rescaleIntercept: intercept } = meta;
    if (slope === 1 && intercept === 0) out.set(v);
    else for (let i = 0; i < pixels; i++) out[i] = (v[i] as number) * slope + intercept;
    return out;
  }
  const samples = stored.samplesPerPixel;
  if (stored.photometric.startsWith('YBR')) {
    for (let i = 0; i < pixels; i++) out[i] = v[i * samples] ?? 0;
    return out;
  }
  for (let i = 0; i < pixels; i++) {
    const at = i * samples;
    out[i] = 0.299 * (v[at] ?? 0) + 0.587 * (v[at + 1] ?? 0) + 0.114 * (v[at + 2] ?? 0);
  }
  return out;
}

/** Minimum, maximum and mean of `values` (NaN for all three when empty). */
export function pixelStatistics(values: Float32Array): PixelStatistics {
  if (values.length === 0) return { min: Number.NaN, max: Number.NaN, mean: Number.NaN };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
  }
  return { min, max, mean: sum / values.length };
}
