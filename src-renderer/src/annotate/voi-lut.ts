import type { ImagePixelsMeta, VoiWindowValue } from '@contract/viewer-schemas';

/**
 * Window/level for the full-resolution viewer. The pixels arrive as Uint16
 * values `v` (modality value = v × scale + bias); a window change rebuilds one
 * RGBA lookup table over [0, maxValue] with the linear VOI function of PS3.3
 * C.11.2.1.2.1 (the same rounding as the core's windowToUint8) and maps every
 * pixel through it: one table lookup per pixel, no float work.
 *
 * @returns [maxValue + 1] RGBA words (little-endian: 0xAABBGGRR), opaque grey
 */
export function buildLut(meta: ImagePixelsMeta, window: VoiWindowValue, invert: boolean): Uint32Array {
  const lut = new Uint32Array(meta.maxValue + 1);
  const c = window.center - 0.5;
  const w = Math.max(1, window.width) - 1;
  const lower = c - w / 2;
  const upper = c + w / 2;
  for (let v = 0; v <= meta.maxValue; v++) {
    const x = v * meta.scale + meta.bias;
    let y: number;
    if (x <= lower) y = 0;
    else if (x > upper) y = 255;
    else y = Math.round(((x - c) / w + 0.5) * 255);
    if (invert) y = 255 - y;
    lut[v] = (0xff000000 | (y << 16) | (y << 8) | y) >>> 0;
  }
  return lut;
}

/** Maps every pixel through the table into `out` (the Uint32 view of an ImageData's bytes). */
export function applyLut(values: Uint16Array, lut: Uint32Array, out: Uint32Array): void {
  const n = values.length;
  for (let i = 0; i < n; i++) out[i] = lut[values[i] as number] as number;
}

/**
 * Window presets for projection radiographs, whose pixel values carry no
 * calibrated unit (CT's Hounsfield presets would mean nothing): each preset is
 * a span of the image's own intensity percentiles, read in the direction of
 * attenuation (so MONOCHROME1 files get the mirrored span). Lung spreads the
 * low-attenuation range, mediastinum the dense soft tissue, bone the top end.
 */
export const presets = {
  lung: { from: 0.02, to: 0.65 },
  mediastinum: { from: 0.45, to: 0.98 },
  bone: { from: 0.7, to: 1 },
} as const;
export type PresetName = keyof typeof presets;

/** A cumulative histogram of the values, to read percentiles from. */
export function cumulativeHistogram(values: Uint16Array, maxValue: number): Uint32Array {
  const counts = new Uint32Array(maxValue + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    counts[v] = (counts[v] as number) + 1;
  }
  for (let v = 1; v <= maxValue; v++) counts[v] = (counts[v] as number) + (counts[v - 1] as number);
  return counts;
}

/** The window of a preset, in modality units. */
export function presetWindow(name: PresetName, meta: ImagePixelsMeta, cumulative: Uint32Array): VoiWindowValue {
  const span = presets[name];
  const [from, to] = meta.invert ? [1 - span.to, 1 - span.from] : [span.from, span.to];
  const lo = percentile(cumulative, from) * meta.scale + meta.bias;
  const hi = percentile(cumulative, to) * meta.scale + meta.bias;
  const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
  return { center: (a + b + 1) / 2, width: Math.max(1, b - a + 1) };
}

function percentile(cumulative: Uint32Array, q: number): number {
  const total = cumulative[cumulative.length - 1] ?? 0;
  // At least one pixel: the 0th percentile is the lowest value present, not 0.
  const target = Math.max(1, q * total);
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
