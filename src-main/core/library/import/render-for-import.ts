import { defaultWindow, pixelStatistics, renderStoredPixels, toModalityValues, windowToUint8 } from '../../dicom';
import type { DicomMetadata, StoredPixels, VoiWindow } from '../../dicom';
import type { ImageRecord } from './image-record';

export interface RenderedForImport {
  readonly gray8: Uint8Array;
  readonly window: VoiWindow;
  readonly stats: ImageRecord['stats'];
}

/** Stored values of up to 16 bits fall in [-2^15, 2^16): one histogram bin each. */
const binOffset = 2 ** 15;
const binCount = 2 ** 16 + 2 ** 15;

/**
 * Windows a decoded frame to 8-bit grey and computes its modality-value
 * statistics, as `renderStoredPixels` + `pixelStatistics` do, but through a
 * histogram and a lookup table: each distinct stored value is rescaled and
 * windowed once (by the same functions), then every pixel is one table
 * lookup. On a 2048×2500 radiograph that is ~10× faster than per-pixel float
 * work. Colour and 32-bit data take the per-pixel path.
 */
export function renderForImport(stored: StoredPixels, meta: DicomMetadata): RenderedForImport {
  if (stored.samplesPerPixel !== 1 || meta.bitsStored > 16 || stored.values.length === 0) {
    const rendered = renderStoredPixels(stored, meta);
    return { gray8: rendered.pixels, window: rendered.window, stats: pixelStatistics(toModalityValues(stored, meta)) };
  }
  const values = stored.values;
  const histogram = new Uint32Array(binCount);
  let lo = binCount;
  let hi = -1;
  for (let i = 0; i < values.length; i++) {
    const bin = (values[i] as number) + binOffset;
    histogram[bin] = (histogram[bin] as number) + 1;
    if (bin < lo) lo = bin;
    if (bin > hi) hi = bin;
  }
  // Modality value of every stored value in [lo, hi], rounded to float32 as toModalityValues stores it.
  const domain = new Float32Array(hi - lo + 1);
  for (let b = lo; b <= hi; b++) domain[b - lo] = (b - binOffset) * meta.rescaleSlope + meta.rescaleIntercept;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let b = lo; b <= hi; b++) {
    const count = histogram[b] as number;
    if (count === 0) continue;
    const value = domain[b - lo] as number;
    if (value < min) min = value;
    if (value > max) max = value;
    sum += count * value;
  }
  const window = defaultWindow(meta, Float32Array.of(min, max));
  const table = windowToUint8(domain, window, stored.photometric === 'MONOCHROME1');
  const gray8 = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) gray8[i] = table[(values[i] as number) + binOffset - lo] as number;
  return { gray8, window, stats: { min, max, mean: sum / values.length } };
}
