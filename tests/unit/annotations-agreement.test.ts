import { describe, expect, it } from 'vitest';
import { agreementMaskSize, maskAgreement } from '../../src-main/core/annotations/agreement';

const mask = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('maskAgreement', () => {
  it('counts a partial overlap: 2 and 2 pixels sharing 1 → Dice 1/2, IoU 1/3', () => {
    expect(maskAgreement(mask(1, 1, 0, 0), mask(0, 1, 1, 0))).toEqual({
      pixelsA: 2,
      pixelsB: 2,
      intersection: 1,
      union: 3,
      dice: 0.5,
      iou: 1 / 3,
    });
  });

  it('scores a region inside another: 3 of 6 pixels → Dice 6/9, IoU 3/6', () => {
    const overlap = maskAgreement(mask(1, 1, 1, 0, 0, 0, 0), mask(1, 1, 1, 1, 1, 1, 0));
    expect(overlap).toMatchObject({ pixelsA: 3, pixelsB: 6, intersection: 3, union: 6 });
    expect(overlap.dice).toBeCloseTo(2 / 3, 12);
    expect(overlap.iou).toBe(0.5);
  });

  it('gives 1 for identical masks and 0 for disjoint ones', () => {
    expect(maskAgreement(mask(0, 1, 1, 0, 1), mask(0, 1, 1, 0, 1))).toMatchObject({ dice: 1, iou: 1, union: 3 });
    expect(maskAgreement(mask(1, 1, 0, 0), mask(0, 0, 1, 1))).toMatchObject({
      dice: 0,
      iou: 0,
      intersection: 0,
      union: 4,
    });
  });

  it('scores one empty mask against a drawn one as 0, and two empty masks as full agreement', () => {
    expect(maskAgreement(mask(0, 0, 0), mask(0, 1, 0))).toMatchObject({ dice: 0, iou: 0, pixelsA: 0, pixelsB: 1 });
    expect(maskAgreement(mask(0, 0, 0), mask(0, 0, 0))).toEqual({
      pixelsA: 0,
      pixelsB: 0,
      intersection: 0,
      union: 0,
      dice: 1,
      iou: 1,
    });
    expect(maskAgreement(new Uint8Array(0), new Uint8Array(0))).toMatchObject({ dice: 1, iou: 1 });
  });

  it('counts any non-zero value as set', () => {
    expect(maskAgreement(mask(255, 2, 0), mask(1, 0, 7))).toMatchObject({ intersection: 1, union: 3, dice: 0.5 });
  });

  it('refuses masks of different sizes', () => {
    expect(() => maskAgreement(mask(1, 0), mask(1, 0, 0))).toThrow(RangeError);
  });
});

describe('agreementMaskSize', () => {
  it('keeps images within maxSide at their own size', () => {
    expect(agreementMaskSize({ columns: 500, rows: 300 }, 1024)).toEqual({ width: 500, height: 300 });
    expect(agreementMaskSize({ columns: 1024, rows: 1024 }, 1024)).toEqual({ width: 1024, height: 1024 });
  });

  it('scales larger images so the longer side is maxSide, rounding the other', () => {
    // 2400 · 1024 / 3000 = 819.2
    expect(agreementMaskSize({ columns: 3000, rows: 2400 }, 1024)).toEqual({ width: 1024, height: 819 });
    // 2048 · 1024 / 2500 = 838.86
    expect(agreementMaskSize({ columns: 2048, rows: 2500 }, 1024)).toEqual({ width: 839, height: 1024 });
    expect(agreementMaskSize({ columns: 5000, rows: 1 }, 100)).toEqual({ width: 100, height: 1 });
  });
});
