import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { imageAgreement, regionAgreement } from '../../src-main/core/annotations/agreement';
import { InputError } from '../../src-main/core/input-error';
import { AnnotationFixture, rect } from '../helpers/annotation-fixtures';

let fx: AnnotationFixture;
let ids: { img1: number; img2: number; img3: number; img4: number };

/**
 * Hand-computed cases (pixel centres, so a rect [x, x + w) × [y, y + h) with integer
 * corners covers exactly w × h pixels at image size):
 * - img1 nodule: A [20, 80) × [10, 40) and B [50, 110) × [10, 40): 1800 each, 900 shared.
 * - img1 effusion: A alone, 10 × 10.
 * - img2 nodule: both [0, 40) × [0, 50) = 2000; A then erases x ≈ 20 ± 2.1 (centres 18.5…21.5:
 *   4 columns × 50 rows = 200), B's eraser came before its rect and erases nothing.
 * - img3 edema: B has an eraser only, C (not compared) a rect: no pair.
 * - img4 (4096 × 2048) nodule: A [0, 2048) × [0, 1024), B [1024, 3072) × [0, 1024).
 */
beforeEach(() => {
  fx = new AnnotationFixture();
  const train = fx.source('site-a', 'train');
  const img1 = fx.image(train, { cols: 200, rows: 100 }, { nodule: 1 });
  const img2 = fx.image(train, { cols: 100, rows: 100 }, { nodule: 1 });
  const img3 = fx.image(train, { cols: 100, rows: 100 });
  const img4 = fx.image(train, { cols: 4096, rows: 2048 });
  ids = { img1, img2, img3, img4 };

  fx.region(img1, 'nodule', 'A', rect(20, 10, 60, 30));
  fx.region(img1, 'nodule', 'B', rect(0, 0, 200, 100), { deleted: true });
  fx.region(img1, 'nodule', 'B', rect(50, 10, 60, 30));
  fx.region(img1, 'effusion', 'A', rect(0, 0, 10, 10));
  fx.region(img1, 'nodule', 'C', rect(0, 0, 200, 100));

  fx.region(img2, 'nodule', 'B', { kind: 'stroke', points: [[10, 10]], radius: 5, erase: true });
  fx.region(img2, 'nodule', 'A', rect(0, 0, 40, 50));
  fx.region(img2, 'nodule', 'B', rect(0, 0, 40, 50));
  fx.region(img2, 'nodule', 'A', {
    kind: 'stroke',
    points: [
      [20, 0],
      [20, 100],
    ],
    radius: 2.1,
    erase: true,
  });
  fx.region(img2, 'nodule', 'A', rect(0, 50, 100, 50), { deleted: true });

  fx.region(img3, 'edema', 'B', { kind: 'stroke', points: [[50, 50]], radius: 10, erase: true });
  fx.region(img3, 'edema', 'C', rect(0, 0, 50, 50));

  fx.region(img4, 'nodule', 'A', rect(0, 0, 2048, 1024));
  fx.region(img4, 'nodule', 'B', rect(1024, 0, 2048, 1024));
});
afterEach(() => fx.remove());

describe('regionAgreement', () => {
  it('reports Dice and IoU per image and finding, and overall, against hand-computed numbers', () => {
    const report = regionAgreement(fx.db, {
      annotatorA: 'A',
      annotatorB: 'B',
      imageIds: [ids.img1, ids.img2, ids.img3],
    });
    expect(report).toMatchObject({ annotatorA: 'A', annotatorB: 'B', finding: null, maxSide: 1024 });
    expect(report.pairs).toEqual([
      {
        imageId: ids.img1,
        finding: 'effusion',
        maskSize: { width: 200, height: 100 },
        onlyAnnotated: 'A',
        pixelsA: 100,
        pixelsB: 0,
        intersection: 0,
        union: 100,
        dice: 0,
        iou: 0,
      },
      {
        imageId: ids.img1,
        finding: 'nodule',
        maskSize: { width: 200, height: 100 },
        onlyAnnotated: null,
        pixelsA: 1800,
        pixelsB: 1800,
        intersection: 900,
        union: 2700,
        dice: 0.5,
        iou: 900 / 2700,
      },
      {
        imageId: ids.img2,
        finding: 'nodule',
        maskSize: { width: 100, height: 100 },
        onlyAnnotated: null,
        pixelsA: 1800,
        pixelsB: 2000,
        intersection: 1800,
        union: 2000,
        dice: 3600 / 3800,
        iou: 0.9,
      },
    ]);
    expect(report.overall.pairs).toBe(3);
    expect(report.overall.bothAnnotated).toBe(2);
    expect(report.overall.meanDice).toBeCloseTo((0.5 + 18 / 19) / 2, 12);
    expect(report.overall.meanIou).toBeCloseTo((1 / 3 + 0.9) / 2, 12);
    // Pooled over all three pairs: 2·(0 + 900 + 1800) / (100 + 3600 + 3800) and 2700 / (100 + 2700 + 2000).
    expect(report.overall.pooledDice).toBeCloseTo(0.72, 12);
    expect(report.overall.pooledIou).toBeCloseTo(0.5625, 12);
  });

  it('is symmetric: swapping the annotators swaps the pixel counts and who drew alone', () => {
    const ab = regionAgreement(fx.db, { annotatorA: 'A', annotatorB: 'B' });
    const ba = regionAgreement(fx.db, { annotatorA: 'B', annotatorB: 'A' });
    expect(ba.pairs.map((p) => [p.imageId, p.finding, p.pixelsA, p.pixelsB, p.onlyAnnotated, p.dice])).toEqual(
      ab.pairs.map((p) => [
        p.imageId,
        p.finding,
        p.pixelsB,
        p.pixelsA,
        p.onlyAnnotated === 'A' ? 'B' : p.onlyAnnotated === 'B' ? 'A' : null,
        p.dice,
      ]),
    );
    expect(ba.overall).toEqual(ab.overall);
  });

  it('filters by finding, and scales large images so the longer side is maxSide', () => {
    const nodule = regionAgreement(fx.db, { annotatorA: 'A', annotatorB: 'B', finding: 'nodule' });
    expect(nodule.finding).toBe('nodule');
    expect(nodule.pairs.map((p) => p.imageId)).toEqual([ids.img1, ids.img2, ids.img4]);
    // 4096 × 2048 at 1024: a quarter each way; A and B are 512 × 256 mask pixels each, sharing 256 × 256.
    expect(nodule.pairs[2]).toMatchObject({
      maskSize: { width: 1024, height: 512 },
      pixelsA: 512 * 256,
      pixelsB: 512 * 256,
      intersection: 256 * 256,
      dice: 0.5,
      iou: 1 / 3,
    });
    const full = regionAgreement(fx.db, { annotatorA: 'A', annotatorB: 'B', imageIds: [ids.img4], maxSide: 4096 });
    expect(full.pairs[0]).toMatchObject({
      maskSize: { width: 4096, height: 2048 },
      pixelsA: 2048 * 1024,
      intersection: 1024 * 1024,
      dice: 0.5,
    });
    // A small maxSide shrinks the small images too; a pair's figures stay those of its own masks.
    const coarse = regionAgreement(fx.db, { annotatorA: 'A', annotatorB: 'B', imageIds: [ids.img1], maxSide: 20 });
    expect(coarse.pairs.map((p) => p.maskSize)).toEqual([
      { width: 20, height: 10 },
      { width: 20, height: 10 },
    ]);
    // [20, 80) × [10, 40) of 200 × 100 on a 20 × 10 mask: centres (j + 0.5)·10 → j 2…7, i 1…3.
    expect(coarse.pairs[1]).toMatchObject({ pixelsA: 18, pixelsB: 18, intersection: 9 });
  });

  it('reports nothing (and null means) when no image matches', () => {
    const report = regionAgreement(fx.db, { annotatorA: 'A', annotatorB: 'B', imageIds: [] });
    expect(report.pairs).toEqual([]);
    expect(report.overall).toEqual({
      pairs: 0,
      bothAnnotated: 0,
      meanDice: null,
      meanIou: null,
      pooledDice: null,
      pooledIou: null,
    });
    expect(regionAgreement(fx.db, { annotatorA: 'A', annotatorB: 'nobody' }).overall).toMatchObject({
      pairs: 4,
      bothAnnotated: 0,
      meanDice: null,
      pooledDice: 0,
    });
  });

  it('refuses comparing an annotator with themself and a bad maxSide', () => {
    expect(() => regionAgreement(fx.db, { annotatorA: 'A', annotatorB: 'A' })).toThrow(InputError);
    for (const maxSide of [0, -5, 10.5, Number.NaN]) {
      expect(() => regionAgreement(fx.db, { annotatorA: 'A', annotatorB: 'B', maxSide })).toThrow(
        expect.objectContaining({ field: 'maxSide' }),
      );
    }
  });

  it('names the annotation whose stored geometry is not valid', () => {
    const id = fx.region(ids.img3, 'edema', 'A', rect(0, 0, 10, 10));
    fx.db.prepare('UPDATE annotations SET geometry = \'{"kind":"blob"}\' WHERE id = ?').run(id);
    expect(() => regionAgreement(fx.db, { annotatorA: 'A', annotatorB: 'B' })).toThrow(`annotation ${id}`);
  });
});

describe('imageAgreement', () => {
  it('compares one image, every finding or one', () => {
    const report = imageAgreement(fx.db, { imageId: ids.img1, annotatorA: 'A', annotatorB: 'B' });
    expect(report.pairs.map((p) => [p.finding, p.dice])).toEqual([
      ['effusion', 0],
      ['nodule', 0.5],
    ]);
    expect(report.overall).toMatchObject({ pairs: 2, bothAnnotated: 1, meanDice: 0.5 });
    const one = imageAgreement(fx.db, { imageId: ids.img1, annotatorA: 'A', annotatorB: 'B', finding: 'nodule' });
    expect(one.pairs).toHaveLength(1);
    expect(imageAgreement(fx.db, { imageId: ids.img3, annotatorA: 'A', annotatorB: 'B' }).pairs).toEqual([]);
  });

  it('refuses an image that does not exist', () => {
    expect(() => imageAgreement(fx.db, { imageId: 999, annotatorA: 'A', annotatorB: 'B' })).toThrow(
      expect.objectContaining({ field: 'imageId' }),
    );
  });
});
