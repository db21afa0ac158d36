import { describe, expect, it } from 'vitest';
import {
  attentionIoU,
  attentionMask,
  attentionPeak,
  attentionStatistics,
  otsuFromHistogram,
  otsuThreshold,
  upsampleBilinear,
  upsampledRows,
} from '../../src-main/core/evaluation';

/**
 * The streaming upsampling (row by row, each map row interpolated once) and the IoU from statistics (no
 * attention mask made, values only inside the human mask's box) must give exactly what the first, plain
 * implementation gave — kept below verbatim as the reference, itself checked against PyTorch, NumPy and the
 * written-out OpenCV method in tests/reference/evaluation-sklearn.test.ts.
 */

// ---------------------------------------------------------------- the plain implementation (reference)

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
function oldAxisWeights(input: number, output: number): AxisWeights {
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

function oldAssertShapes(map: ArrayLike<number>, g: number, width: number, height: number, name: string): void {
  if (!Number.isInteger(g) || g < 1 || map.length !== g * g)
    throw new RangeError(`${name}: the map has ${map.length} values, not ${g}×${g}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`${name}: image size ${width}×${height} is not a positive integer size`);
}

/**
 * Visits every pixel of the upsampled map in row-major order without storing it.
 *
 * @param map [g·g] row-major attention map
 */
function oldForEachUpsampled(
  map: ArrayLike<number>,
  g: number,
  width: number,
  height: number,
  visit: (index: number, value: number) => void,
): void {
  const xs = oldAxisWeights(g, width);
  const ys = oldAxisWeights(g, height);
  for (let y = 0; y < height; y++) {
    const top = (ys.lo[y] as number) * g;
    const bottom = (ys.hi[y] as number) * g;
    const h0 = ys.wLo[y] as number;
    const h1 = ys.wHi[y] as number;
    for (let x = 0; x < width; x++) {
      const x0 = xs.lo[x] as number;
      const x1 = xs.hi[x] as number;
      const w0 = xs.wLo[x] as number;
      const w1 = xs.wHi[x] as number;
      // PyTorch's order of operations (upsample_bilinear2d), so that ties fall the same way.
      const value =
        h0 * (w0 * (map[top + x0] as number) + w1 * (map[top + x1] as number)) +
        h1 * (w0 * (map[bottom + x0] as number) + w1 * (map[bottom + x1] as number));
      visit(y * width + x, value);
    }
  }
}

/**
 * Bilinear upsampling with half-pixel centres (PyTorch `align_corners=False`, skimage `resize(order=1)`).
 *
 * @param map [g·g] row-major
 * @returns [height·width] row-major, float64
 */
function oldUpsampleBilinear(map: ArrayLike<number>, g: number, width: number, height: number): Float64Array {
  oldAssertShapes(map, g, width, height, 'oldUpsampleBilinear');
  const out = new Float64Array(width * height);
  oldForEachUpsampled(map, g, width, height, (i, v) => (out[i] = v));
  return out;
}

/**
 * The peak of the upsampled map: the single maximum pixel, the first in row-major order on ties.
 *
 * @param map [g·g] row-major
 */
function oldAttentionPeak(
  map: ArrayLike<number>,
  g: number,
  width: number,
  height: number,
): { readonly x: number; readonly y: number; readonly value: number } {
  oldAssertShapes(map, g, width, height, 'oldAttentionPeak');
  let best = -1;
  let bestValue = -Infinity;
  oldForEachUpsampled(map, g, width, height, (i, v) => {
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  });
  return { x: best % width, y: Math.floor(best / width), value: bestValue };
}

function oldOtsuThreshold(levels: ArrayLike<number>): number {
  const histogram = new Float64Array(256);
  for (let i = 0; i < levels.length; i++) {
    const v = levels[i] as number;
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`oldOtsuThreshold: level ${v} is not in 0…255`);
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
function oldAttentionMask(map: ArrayLike<number>, g: number, width: number, height: number): Uint8Array {
  const up = oldUpsampleBilinear(map, g, width, height);
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
  const t = oldOtsuThreshold(levels);
  for (let i = 0; i < levels.length; i++) mask[i] = (levels[i] as number) > t ? 1 : 0;
  return mask;
}

function oldAttentionIoU(
  map: ArrayLike<number>,
  g: number,
  mask: ArrayLike<number>,
  width: number,
  height: number,
): number | null {
  if (mask.length !== width * height)
    throw new RangeError(`oldAttentionIoU: the mask has ${mask.length} values, not ${width}×${height}`);
  const attention = oldAttentionMask(map, g, width, height);
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

// ---------------------------------------------------------------- inputs

function lcg(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

interface Case {
  readonly map: Float32Array;
  readonly g: number;
  readonly width: number;
  readonly height: number;
  readonly mask: Uint8Array;
}

/** Random maps (every third with few distinct values: tied maxima), sizes and human masks (some empty). */
function cases(count: number, seed: number): Case[] {
  const random = lcg(seed);
  return Array.from({ length: count }, (_, k) => {
    const g = 1 + Math.floor(random() * 9);
    const width = 1 + Math.floor(random() * 90);
    const height = 1 + Math.floor(random() * 90);
    const map = Float32Array.from({ length: g * g }, () => (k % 3 === 0 ? Math.floor(random() * 3) : random() * 4 - 1));
    const mask = new Uint8Array(width * height);
    if (k % 5 !== 0) {
      const [x0, y0] = [Math.floor(random() * width), Math.floor(random() * height)];
      const [w, h] = [1 + Math.floor(random() * width), 1 + Math.floor(random() * height)];
      for (let y = y0; y < Math.min(height, y0 + h); y++)
        for (let x = x0; x < Math.min(width, x0 + w); x++) if (random() < 0.8) mask[y * width + x] = 1;
    }
    return { map, g, width, height, mask };
  });
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]));

describe('streaming upsampling', () => {
  it('gives the plain upsampling, peak, mask and IoU bit for bit', () => {
    for (const [i, c] of cases(300, 99).entries()) {
      const what = `case ${i}: g ${c.g}, ${c.width}×${c.height}`;
      expect(
        same(upsampleBilinear(c.map, c.g, c.width, c.height), oldUpsampleBilinear(c.map, c.g, c.width, c.height)),
        what,
      ).toBe(true);
      const peak = oldAttentionPeak(c.map, c.g, c.width, c.height);
      expect(attentionPeak(c.map, c.g, c.width, c.height), what).toEqual(peak);
      const statistics = attentionStatistics(c.map, c.g, c.width, c.height);
      expect(statistics.peak, what).toEqual(peak);
      const oldMask = oldAttentionMask(c.map, c.g, c.width, c.height);
      expect(same(attentionMask(c.map, c.g, c.width, c.height), oldMask), what).toBe(true);
      expect(statistics.foreground, what).toBe(oldMask.reduce((s, v) => s + v, 0));
      const iou = oldAttentionIoU(c.map, c.g, c.mask, c.width, c.height);
      expect(attentionIoU(c.map, c.g, c.mask, c.width, c.height), what).toBe(iou);
      expect(attentionIoU(c.map, c.g, c.mask, c.width, c.height, statistics), what).toBe(iou);
    }
  });

  it('gives any window of columns the same values as the full rows', () => {
    for (const c of cases(40, 5)) {
      const full = oldUpsampleBilinear(c.map, c.g, c.width, c.height);
      const x0 = Math.floor(c.width / 3);
      const x1 = Math.max(x0, c.width - 1);
      const row = upsampledRows(c.map, c.g, c.width, c.height, x0, x1);
      const out = new Float64Array(x1 - x0);
      for (let y = 0; y < c.height; y++) {
        row(y, out);
        expect(same(out, full.subarray(y * c.width + x0, y * c.width + x1))).toBe(true);
      }
    }
    expect(() => upsampledRows([1], 1, 4, 4, 3, 5)).toThrow(RangeError);
  });

  it('computes Otsu from a histogram as from the levels', () => {
    const random = lcg(3);
    for (let trial = 0; trial < 50; trial++) {
      const levels = Array.from({ length: 1 + Math.floor(random() * 400) }, () =>
        trial % 2 === 0 ? Math.floor(random() * 256) : 100 + Math.floor(random() * 4),
      );
      const histogram = new Float64Array(256);
      for (const l of levels) histogram[l] = (histogram[l] as number) + 1;
      expect(otsuFromHistogram(histogram, levels.length)).toBe(oldOtsuThreshold(levels));
      expect(otsuThreshold(levels)).toBe(oldOtsuThreshold(levels));
    }
  });

  it('keeps a constant map empty and an empty human mask with an empty attention mask null', () => {
    const constant = attentionStatistics([2, 2, 2, 2], 2, 5, 3);
    expect(constant).toMatchObject({ min: 2, max: 2, threshold: null, foreground: 0, peak: { x: 0, y: 0 } });
    expect(attentionIoU([2, 2, 2, 2], 2, new Uint8Array(15), 5, 3)).toBeNull();
    expect(attentionIoU([2, 2, 2, 2], 2, new Uint8Array(15).fill(1), 5, 3)).toBe(0);
  });
});
