import { describe, expect, it } from 'vitest';
import {
  pixelStatistics,
  renderStoredPixels,
  toModalityValues,
  type DicomMetadata,
  type StoredPixels,
} from '../../src-main/core/dicom';
import { renderForImport } from '../../src-main/core/library/import/render-for-import';

/** A small seeded generator, so the cases are the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function meta(overrides: Partial<DicomMetadata>): DicomMetadata {
  return {
    rescaleSlope: 1,
    rescaleIntercept: 0,
    windowCenter: [],
    windowWidth: [],
    bitsStored: 12,
    ...overrides,
  } as DicomMetadata;
}

describe('renderForImport', () => {
  const cases: { name: string; signed: boolean; bits: number; meta: Partial<DicomMetadata>; photometric: string }[] = [
    {
      name: '12-bit, file window',
      signed: false,
      bits: 12,
      meta: { windowCenter: [1800], windowWidth: [3000] },
      photometric: 'MONOCHROME2',
    },
    { name: '12-bit, no window (full range)', signed: false, bits: 12, meta: {}, photometric: 'MONOCHROME2' },
    {
      name: 'signed 16-bit CT with rescale',
      signed: true,
      bits: 16,
      meta: { rescaleSlope: 1, rescaleIntercept: -1024, windowCenter: [40], windowWidth: [400] },
      photometric: 'MONOCHROME2',
    },
    {
      name: 'MONOCHROME1, fractional slope',
      signed: false,
      bits: 10,
      meta: { rescaleSlope: 0.37, rescaleIntercept: 3.5 },
      photometric: 'MONOCHROME1',
    },
    {
      name: 'negative slope',
      signed: false,
      bits: 8,
      meta: { rescaleSlope: -2, rescaleIntercept: 100 },
      photometric: 'MONOCHROME2',
    },
    {
      name: 'a window narrower than one step',
      signed: false,
      bits: 16,
      meta: { windowCenter: [30000], windowWidth: [1] },
      photometric: 'MONOCHROME2',
    },
  ];
  for (const c of cases) {
    it(`matches per-pixel rescale, statistics and windowing: ${c.name}`, () => {
      const random = prng(c.bits * 31 + (c.signed ? 1 : 0));
      const n = 4096;
      const values = new Int32Array(n).map(() => {
        const v = Math.floor(random() * 2 ** c.bits);
        return c.signed ? v - 2 ** (c.bits - 1) : v;
      });
      const stored: StoredPixels = { rows: 64, columns: 64, samplesPerPixel: 1, photometric: c.photometric, values };
      const m = meta({ ...c.meta, bitsStored: c.bits });
      const fast = renderForImport(stored, m);
      const slow = renderStoredPixels(stored, m);
      expect(fast.window).toEqual(slow.window);
      expect(Buffer.from(fast.gray8).equals(Buffer.from(slow.pixels))).toBe(true);
      const stats = pixelStatistics(toModalityValues(stored, m));
      expect(fast.stats.min).toBe(stats.min);
      expect(fast.stats.max).toBe(stats.max);
      expect(fast.stats.mean).toBeCloseTo(stats.mean, 6);
    });
  }
});
