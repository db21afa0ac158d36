import { describe, expect, it } from 'vitest';
import type { ImagePixelsMeta } from '../../src-main/api/viewer-schemas';
import { windowToUint8 } from '../../src-main/core/dicom';
import {
  applyLut,
  buildLut,
  cumulativeHistogram,
  presets,
  presetWindow,
  type PresetName,
} from '../../src-renderer/src/annotate/voi-lut';
import { prng, randomInt } from '../helpers/dicom-prng';

/**
 * The Annotate view windows its Uint16 pixels through a lookup table built in
 * the renderer (voi-lut.ts); the core windows modality values for thumbnails
 * and exports (windowToUint8). Both must give the same grey for every stored
 * value, window and invert flag, so what a reader sees is what the model sees.
 */

function metaOf(maxValue: number, scale: number, bias: number, invert = false): ImagePixelsMeta {
  return {
    imageId: 1,
    columns: 1,
    rows: maxValue + 1,
    scale,
    bias,
    maxValue,
    modalityMin: bias,
    modalityMax: maxValue * scale + bias,
    defaultWindow: { center: (maxValue * scale + 1) / 2 + bias, width: maxValue * scale + 1 },
    invert,
    quantised: false,
  };
}

/** Every stored value 0..maxValue as modality values, as the core sees them (Float32). */
function modalityValues(meta: ImagePixelsMeta): Float32Array {
  const out = new Float32Array(meta.maxValue + 1);
  for (let v = 0; v <= meta.maxValue; v++) out[v] = v * meta.scale + meta.bias;
  return out;
}

/** The grey channel of each LUT entry, after checking the entry is opaque grey (R = G = B, A = 255). */
function greyOf(lut: Uint32Array): Uint8Array {
  const out = new Uint8Array(lut.length);
  for (let v = 0; v < lut.length; v++) {
    const word = lut[v] as number;
    const r = word & 0xff;
    if (((word >>> 8) & 0xff) !== r || ((word >>> 16) & 0xff) !== r || word >>> 24 !== 0xff) {
      throw new Error(`LUT entry ${v} is 0x${word.toString(16)}, not opaque grey`);
    }
    out[v] = r;
  }
  return out;
}

/** The first value where two grey arrays differ, for a readable failure; null when equal. */
function firstDifference(a: Uint8Array, b: Uint8Array): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `value ${i}: lut ${a[i]}, core ${b[i]}`;
  return null;
}

/** Stored-value ranges and rescales (slope/intercept exactly representable in Float32, as DICOM files use). */
const encodings = [
  { maxValue: 4095, scale: 1, bias: 0 },
  { maxValue: 4095, scale: 0.5, bias: -1024 },
  { maxValue: 65_535, scale: 1, bias: 0 },
  { maxValue: 65_535, scale: 0.5, bias: -1024 },
  { maxValue: 255, scale: 2, bias: -32_768 },
] as const;

/** Random windows around the modality range, plus the edge cases: width 1, huge widths, negative centres. */
function windowsFor(meta: ImagePixelsMeta, random: () => number): { center: number; width: number }[] {
  const lo = meta.modalityMin;
  const hi = meta.modalityMax;
  const span = hi - lo;
  const windows = [
    { center: lo, width: 1 },
    { center: hi, width: 1 },
    { center: (lo + hi) / 2, width: 1 },
    { center: (lo + hi) / 2 + 0.5, width: 1 },
    { center: -1000.25, width: 1 },
    { center: -5000, width: 3 },
    { center: (lo + hi) / 2, width: 1e9 },
    { center: -1e7, width: 1e12 },
    { center: 1e7, width: 5e6 },
    { center: -40, width: 400 },
    { center: (lo + hi + 1) / 2, width: span + 1 },
  ];
  for (let k = 0; k < 40; k++) {
    const center = lo - span / 2 + random() * span * 2;
    const width = random() < 0.2 ? 1 + randomInt(random, 8) : 1 + random() * span * 1.5;
    // Half on the 1/100 grid the window drag rounds to, half arbitrary.
    windows.push(
      k % 2 === 0
        ? { center: Math.round(center * 100) / 100, width: Math.round(width * 100) / 100 }
        : { center, width },
    );
  }
  return windows;
}

describe('buildLut / applyLut against the core windowToUint8', () => {
  for (const encoding of encodings) {
    it(`gives the core's grey for every value 0..${encoding.maxValue} (scale ${encoding.scale}, bias ${encoding.bias}), any window, invert on and off`, () => {
      const meta = metaOf(encoding.maxValue, encoding.scale, encoding.bias);
      const modality = modalityValues(meta);
      const random = prng(encoding.maxValue + encoding.bias);
      let compared = 0;
      for (const window of windowsFor(meta, random)) {
        for (const invert of [false, true]) {
          const lut = greyOf(buildLut(meta, window, invert));
          const core = windowToUint8(modality, window, invert);
          const difference = firstDifference(lut, core);
          expect(difference, `window ${JSON.stringify(window)}, invert ${invert}`).toBeNull();
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThan(100);
    });
  }

  it('maps an image through the table to the same grey as the core, pixel for pixel', () => {
    const meta = metaOf(4095, 0.5, -1024);
    const random = prng(7);
    const pixels = new Uint16Array(50_000);
    for (let i = 0; i < pixels.length; i++) pixels[i] = randomInt(random, meta.maxValue + 1);
    const modality = Float32Array.from(pixels, (v) => v * meta.scale + meta.bias);
    for (const invert of [false, true]) {
      const window = { center: -300.37, width: 911.5 };
      const lut = buildLut(meta, window, invert);
      const out = new Uint32Array(pixels.length);
      applyLut(pixels, lut, out);
      const grey = greyOf(out);
      expect(firstDifference(grey, windowToUint8(modality, window, invert))).toBeNull();
    }
  });
});

describe('presetWindow', () => {
  const names = Object.keys(presets) as PresetName[];

  /** A chest-like histogram: stored values in [minValue, maxValue of the image], never 0. */
  function image(seed: number, maxValue: number, count = 200_000): Uint16Array {
    const random = prng(seed);
    const values = new Uint16Array(count);
    const low = Math.round(maxValue * 0.05);
    const high = Math.round(maxValue * 0.9);
    for (let i = 0; i < count; i++) {
      // Two lumps (lung, soft tissue) and a tail (bone).
      const r = random();
      const centre = r < 0.4 ? 0.3 : r < 0.9 ? 0.6 : 0.8;
      const v = (centre + (random() + random() + random() - 1.5) * 0.15) * maxValue;
      values[i] = Math.min(high, Math.max(low, Math.round(v)));
    }
    return values;
  }

  /** The modality span [a, b] a window covers under windowToUint8 (a → 0, b → 255). */
  function edges(window: { center: number; width: number }): [number, number] {
    const lower = window.center - 0.5 - (window.width - 1) / 2;
    return [lower, lower + window.width - 1];
  }

  for (const { scale, bias } of [
    { scale: 1, bias: 0 },
    { scale: 0.5, bias: -1024 },
  ]) {
    it(`returns windows inside the image's modality range (scale ${scale}, bias ${bias}), invert on and off`, () => {
      const maxValue = 4095;
      const values = image(11, maxValue);
      let min = Infinity;
      let max = -Infinity;
      for (const v of values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const cumulative = cumulativeHistogram(values, maxValue);
      expect(cumulative[maxValue]).toBe(values.length);
      for (const invert of [false, true]) {
        const meta = {
          ...metaOf(maxValue, scale, bias, invert),
          modalityMin: min * scale + bias,
          modalityMax: max * scale + bias,
        };
        for (const name of names) {
          const window = presetWindow(name, meta, cumulative);
          const [a, b] = edges(window);
          expect(window.width, `${name} invert ${invert}`).toBeGreaterThanOrEqual(1);
          expect(a, `${name} invert ${invert}: lower edge`).toBeGreaterThanOrEqual(meta.modalityMin);
          expect(b, `${name} invert ${invert}: upper edge`).toBeLessThanOrEqual(meta.modalityMax);
          expect(a).toBeLessThan(b);
        }
      }
    });
  }

  it('mirrors the span for invert=true: a MONOCHROME1 image of the same anatomy gets the mirrored window', () => {
    const maxValue = 4095;
    const scale = 0.5;
    const bias = -1024;
    const values = image(23, maxValue);
    // The same picture stored the other way round (MONOCHROME1: high values are dark).
    const reversed = Uint16Array.from(values, (v) => maxValue - v);
    const normal = metaOf(maxValue, scale, bias, false);
    const inverted = metaOf(maxValue, scale, bias, true);
    const mirror = (x: number) => (maxValue - (x - bias) / scale) * scale + bias;
    for (const name of names) {
      const [a, b] = edges(presetWindow(name, normal, cumulativeHistogram(values, maxValue)));
      const [ia, ib] = edges(presetWindow(name, inverted, cumulativeHistogram(reversed, maxValue)));
      // Percentiles of a discrete histogram land on a value either side of the mirrored one: one stored step.
      expect(Math.abs(ia - mirror(b)), `${name}: lower edge`).toBeLessThanOrEqual(scale);
      expect(Math.abs(ib - mirror(a)), `${name}: upper edge`).toBeLessThanOrEqual(scale);
    }
  });

  it('orders the presets by attenuation: lung below mediastinum below bone (mirrored when inverted)', () => {
    const maxValue = 4095;
    const values = image(5, maxValue);
    const cumulative = cumulativeHistogram(values, maxValue);
    const centre = (invert: boolean, name: PresetName) =>
      presetWindow(name, metaOf(maxValue, 1, 0, invert), cumulative).center;
    expect(centre(false, 'lung')).toBeLessThan(centre(false, 'mediastinum'));
    expect(centre(false, 'mediastinum')).toBeLessThan(centre(false, 'bone'));
    expect(centre(true, 'lung')).toBeGreaterThan(centre(true, 'mediastinum'));
    expect(centre(true, 'mediastinum')).toBeGreaterThan(centre(true, 'bone'));
  });
});
