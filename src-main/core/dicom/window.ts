import { InputError } from '../input-error';
import type { DicomMetadata } from './metadata';
import { pixelStatistics } from './modality';

/** A VOI window in modality units (PS3.3 C.11.2.1.2). */
export interface VoiWindow {
  readonly center: number;
  /** ≥ 1. */
  readonly width: number;
}

/**
 * Maps modality values to 8-bit grey with the linear VOI function of PS3.3 C.11.2.1.2.1, with
 * y_min = 0 and y_max = 255:
 *
 *   x ≤ c - 0.5 - (w - 1) / 2  →  0
 *   x > c - 0.5 + (w - 1) / 2  →  255
 *   otherwise                  →  ((x - (c - 0.5)) / (w - 1) + 0.5) × 255, rounded to nearest
 *
 * then 255 - y when `invert` (MONOCHROME1: low values are white).
 *
 * @param values [n] modality values
 * @returns [n]
 * @throws InputError when the width is below 1 or either value is not finite
 */
export function windowToUint8(values: Float32Array, window: VoiWindow, invert: boolean): Uint8Array {
  const { center, width } = window;
  if (!Number.isFinite(center) || !Number.isFinite(width))
    throw new InputError(`window center and width must be numbers; got ${center}, ${width}`, 'window');
  if (width < 1) throw new InputError(`window width must be at least 1; got ${width}`, 'window');
  const c = center - 0.5;
  const w = width - 1;
  const lower = c - w / 2;
  const upper = c + w / 2;
  const out = new Uint8Array(values.length);
  const low = invert ? 255 : 0;
  const high = invert ? 0 : 255;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x <= lower) out[i] = low;
    else if (x > upper) out[i] = high;
    else {
      const grey = Math.round(((x - c) / w + 0.5) * 255);
      out[i] = invert ? 255 - grey : grey;
    }
  }
  return out;
}

/**
 * The window an image opens with: the file's first WindowCenter/WindowWidth pair, else the one that
 * spans the modality values exactly (min → 0, max → 255 under {@link windowToUint8}).
 */
export function defaultWindow(
  meta: Pick<DicomMetadata, 'windowCenter' | 'windowWidth'>,
  values: Float32Array,
): VoiWindow {
  const center = meta.windowCenter[0];
  const width = meta.windowWidth[0];
  if (center !== undefined && width !== undefined && width >= 1) return { center, width };
  const { min, max } = pixelStatistics(values);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { center: 0.5, width: 1 };
  return { center: (min + max + 1) / 2, width: max - min + 1 };
}
