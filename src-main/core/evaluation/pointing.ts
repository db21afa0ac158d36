/**
 * Alignment of a model's attention with a human region: the pointing game ("hit rate") as CheXlocalize
 * defines it, and the attention map upsampling it rests on. Pure functions on arrays.
 */
import { percentileInterval } from './aggregate';

/** Source index pairs and weights of bilinear upsampling along one axis (half-pixel centres). */
interface AxisWeights {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly wLo: Float64Array;
  readonly wHi: Float64Array;
}

/**
 * PyTorch's `interpolate(mode='bilinear', align_corners=False)` along one axis: source coordinate
 * (dst + ½)·in/out − ½, clamped at 0; the upper neighbour clamped at the last index.
 */
function axisWeights(input: number, output: number): AxisWeights {
  const lo = new Int32Array(output);
  const hi = new Int32Array(output);
  const wLo = new Float64Array(output);
  const wHi = new Float64Array(output);
  const scale = input / output;
  for (let d = 0; d < output; d++) {
    const src = Math.max((d + 0.5) * scale - 0.5, 0);
    const i0 = Math.floor(src);
    const lambda = src - i0;
    lo[d] = i0;
    hi[d] = i0 < input - 1 ? i0 + 1 : i0;
    wLo[d] = 1 - lambda;
    wHi[d] = lambda;
  }
  return { lo, hi, wLo, wHi };
}

function assertShapes(map: ArrayLike<number>, g: number, width: number, height: number, name: string): void {
  if (!Number.isInteger(g) || g < 1 || map.length !== g * g)
    throw new RangeError(`${name}: the map has ${map.length} values, not ${g}×${g}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`${name}: image size ${width}×${height} is not a positive integer size`);
}

/**
 * Rows of the upsampled map, one at a time, without storing the map: `row(y, out)` writes the values of row y
 * at columns [x0, x1) into out[0 … x1 − x0). Each of the g map rows is interpolated along x once (g·(x1 − x0)
 * values), so an output pixel costs two multiplications and an addition. The arithmetic is PyTorch's
 * (upsample_bilinear2d: h0·(w0·a + w1·b) + h1·(w0·c + w1·d), the inner sums being the per-row ones), so values,
 * and the ties between them, are those of upsampleBilinear bit for bit whatever the window.
 *
 * @param map [g·g] row-major attention map
 */
export function upsampledRows(
  map: ArrayLike<number>,
  g: number,
  width: number,
  height: number,
  x0 = 0,
  x1 = width,
): (y: number, out: Float64Array) => void {
  assertShapes(map, g, width, height, 'upsampledRows');
  if (!(Number.isInteger(x0) && Number.isInteger(x1) && 0 <= x0 && x0 <= x1 && x1 <= width))
    throw new RangeError(`upsampledRows: columns [${x0}, ${x1}) do not lie in 0…${width}`);
  const span = x1 - x0;
  const xs = axisWeights(g, width);
  const ys = axisWeights(g, height);
  // across[r·span + k]: map row r interpolated at column x0 + k.
  const across = new Float64Array(g * span);
  for (let r = 0; r < g; r++) {
    const base = r * g;
    for (let k = 0; k < span; k++) {
      const x = x0 + k;
      across[r * span + k] =
        (xs.wLo[x] as number) * (map[base + (xs.lo[x] as number)] as number) +
        (xs.wHi[x] as number) * (map[base + (xs.hi[x] as number)] as number);
    }
  }
  return (y, out) => {
    const top = (ys.lo[y] as number) * span;
    const bottom = (ys.hi[y] as number) * span;
    const h0 = ys.wLo[y] as number;
    const h1 = ys.wHi[y] as number;
    for (let k = 0; k < span; k++) out[k] = h0 * (across[top + k] as number) + h1 * (across[bottom + k] as number);
  };
}

/**
 * Bilinear upsampling with half-pixel centres (PyTorch `align_corners=False`, skimage `resize(order=1)`).
 *
 * @param map [g·g] row-major
 * @returns [height·width] row-major, float64
 */
export function upsampleBilinear(map: ArrayLike<number>, g: number, width: number, height: number): Float64Array {
  assertShapes(map, g, width, height, 'upsampleBilinear');
  const out = new Float64Array(width * height);
  const row = upsampledRows(map, g, width, height);
  for (let y = 0; y < height; y++) row(y, out.subarray(y * width, (y + 1) * width));
  return out;
}

/**
 * The peak of the upsampled map: the single maximum pixel, the first in row-major order on ties.
 *
 * @param map [g·g] row-major
 */
export function attentionPeak(
  map: ArrayLike<number>,
  g: number,
  width: number,
  height: number,
): { readonly x: number; readonly y: number; readonly value: number } {
  assertShapes(map, g, width, height, 'attentionPeak');
  const row = upsampledRows(map, g, width, height);
  const values = new Float64Array(width);
  let best = -1;
  let bestValue = -Infinity;
  for (let y = 0; y < height; y++) {
    row(y, values);
    for (let x = 0; x < width; x++) {
      const v = values[x] as number;
      if (v > bestValue) {
        bestValue = v;
        best = y * width + x;
      }
    }
  }
  return { x: best % width, y: Math.floor(best / width), value: bestValue };
}

/**
 * One image of the pointing game: 1 when the human mask is set at the peak of the upsampled attention
 * map, 0 when not, null when the mask is empty (the image does not count).
 *
 * @param map [g·g] row-major attention map (any scale)
 * @param mask [height·width] row-major, nonzero = inside the human region
 */
export function pointingHit(
  map: ArrayLike<number>,
  g: number,
  mask: ArrayLike<number>,
  width: number,
  height: number,
): 0 | 1 | null {
  if (mask.length !== width * height)
    throw new RangeError(`pointingHit: the mask has ${mask.length} values, not ${width}×${height}`);
  assertShapes(map, g, width, height, 'pointingHit');
  let any = false;
  for (let i = 0; i < mask.length && !any; i++) any = mask[i] !== 0;
  if (!any) return null;
  const peak = attentionPeak(map, g, width, height);
  return mask[peak.y * width + peak.x] !== 0 ? 1 : 0;
}

export interface RateSummary {
  /** Mean over counted images; null when none counts. */
  readonly value: number | null;
  readonly hits: number;
  /** Images counted (non-empty mask). */
  readonly images: number;
  /** Images skipped (null: empty mask). */
  readonly skipped: number;
  readonly interval: readonly [number, number] | null;
}

export interface RateOptions {
  /** Bootstrap resamples; 0 disables the interval. Default 1000. */
  readonly bootstrap?: number;
  /** Default 0. */
  readonly seed?: number;
  /** Default 0.95. */
  readonly level?: number;
}

export interface GroupedRate {
  readonly overall: RateSummary;
  readonly groups: Record<string, RateSummary>;
  /** Best minus worst group (fraction); null with fewer than two groups that count an image. */
  readonly gap: number | null;
  readonly gapInterval: readonly [number, number] | null;
}

/**
 * Hit rate over images: the mean of the per-image hits (pointingHit), images with an empty mask left out,
 * with a percentile bootstrap interval (images resampled with replacement, seeded).
 */
export function hitRate(hits: readonly (0 | 1 | null)[], options: RateOptions = {}): RateSummary {
  return hitRateByGroup(
    hits,
    hits.map(() => 'all'),
    options,
  ).overall;
}

/**
 * Hit rate overall and per group, with the gap between the best and worst group. The bootstrap resamples
 * images within each group (stratified), so each group keeps its number of images.
 *
 * @param hits [images] from pointingHit
 * @param groups [images] the image's group, null to leave it out of the groups (it still counts overall)
 */
export function hitRateByGroup(
  hits: readonly (0 | 1 | null)[],
  groups: readonly (string | null)[],
  options: RateOptions = {},
): GroupedRate {
  if (groups.length !== hits.length)
    throw new RangeError(`hitRateByGroup: ${hits.length} hits but ${groups.length} groups`);
  const resamples = options.bootstrap ?? 1000;
  const level = options.level ?? 0.95;
  // Strata: each group's counted hits (ungrouped images form their own stratum).
  const strata = new Map<string | null, number[]>();
  hits.forEach((hit, i) => {
    if (hit === null) return;
    const key = groups[i] ?? null;
    const list = strata.get(key) ?? [];
    list.push(hit);
    strata.set(key, list);
  });
  const names = [...strata.keys()].filter((k): k is string => k !== null);
  const replicateOverall = new Float64Array(resamples);
  const replicateGroups = new Map(names.map((name) => [name, new Float64Array(resamples)]));
  const replicateGap = new Float64Array(resamples);
  let state = (options.seed ?? 0) | 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) * 2.3283064365386963e-10;
  };
  for (let r = 0; r < resamples; r++) {
    let totalHits = 0;
    let total = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const [key, list] of strata) {
      let h = 0;
      for (let i = 0; i < list.length; i++) h += list[Math.floor(next() * list.length)] as number;
      totalHits += h;
      total += list.length;
      if (key !== null) {
        const rate = h / list.length;
        (replicateGroups.get(key) as Float64Array)[r] = rate;
        lo = Math.min(lo, rate);
        hi = Math.max(hi, rate);
      }
    }
    replicateOverall[r] = total > 0 ? totalHits / total : NaN;
    replicateGap[r] = names.length >= 2 ? hi - lo : NaN;
  }
  const summary = (counted: readonly number[], skipped: number, replicates: Float64Array): RateSummary => {
    const h = counted.reduce((s, v) => s + v, 0);
    return {
      value: counted.length > 0 ? h / counted.length : null,
      hits: h,
      images: counted.length,
      skipped,
      interval: resamples > 0 && counted.length > 0 ? percentileInterval(replicates, level) : null,
    };
  };
  const all = hits.filter((h): h is 0 | 1 => h !== null);
  const groupSummaries: Record<string, RateSummary> = {};
  for (const name of names) {
    const skipped = hits.filter((h, i) => h === null && groups[i] === name).length;
    groupSummaries[name] = summary(strata.get(name) ?? [], skipped, replicateGroups.get(name) as Float64Array);
  }
  const values = names.map((name) => groupSummaries[name]?.value ?? 0);
  return {
    overall: summary(all, hits.length - all.length, replicateOverall),
    groups: groupSummaries,
    gap: names.length >= 2 ? Math.max(...values) - Math.min(...values) : null,
    gapInterval: resamples > 0 && names.length >= 2 ? percentileInterval(replicateGap, level) : null,
  };
}
