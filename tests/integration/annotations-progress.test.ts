import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alignmentLevels, annotationProgress } from '../../src-main/core/annotations/progress';
import { AnnotationFixture, rect } from '../helpers/annotation-fixtures';

let fx: AnnotationFixture;

/**
 * Eight training images over two training sources, plus a validation and an
 * out-of-domain image that never count:
 * - t1 nodule+ (A draws nodule), also labelled pneumothorax+ (not a product finding)
 * - t2 nodule+ (B draws nodule)
 * - t3 nodule+ (A's nodule region deleted)
 * - t4 nodule+ (A only erased)
 * - t5 nodule+ effusion+ (A draws effusion, not nodule)
 * - t6 nodule+ (A draws nodule, then erases part of it)
 * - t7 nodule− (A draws nodule anyway), t8 unlabelled
 * So nodule: 6 positives, annotated by anyone t1 t2 t6 (3), by A t1 t6 (2), by B t2 (1);
 * effusion: 1 positive, annotated by A.
 */
beforeEach(() => {
  fx = new AnnotationFixture();
  const siteA = fx.source('site-a', 'train');
  const siteB = fx.source('site-b', 'train');
  const validation = fx.source('val', 'validation');
  const ood = fx.source('ood', 'ood-test');
  const size = { cols: 64, rows: 64 };
  const t1 = fx.image(siteA, size, { nodule: 1, effusion: 0, pneumothorax: 1 });
  const t2 = fx.image(siteA, size, { nodule: 1 });
  const t3 = fx.image(siteA, size, { nodule: 1 });
  const t4 = fx.image(siteA, size, { nodule: 1 });
  const t5 = fx.image(siteA, size, { nodule: 1, effusion: 1 });
  const t6 = fx.image(siteB, size, { nodule: 1 });
  const t7 = fx.image(siteB, size, { nodule: 0 });
  fx.image(siteB, size);
  const v1 = fx.image(validation, size, { nodule: 1, effusion: 1 });
  fx.image(ood, size, { nodule: 1 });

  fx.region(t1, 'nodule', 'A', rect(1, 1, 10, 10));
  fx.region(t2, 'nodule', 'B', rect(1, 1, 10, 10));
  fx.region(t3, 'nodule', 'A', rect(1, 1, 10, 10), { deleted: true });
  fx.region(t4, 'nodule', 'A', { kind: 'stroke', points: [[5, 5]], radius: 3, erase: true });
  fx.region(t5, 'effusion', 'A', rect(1, 1, 10, 10));
  fx.region(t6, 'nodule', 'A', {
    kind: 'stroke',
    points: [
      [5, 5],
      [20, 20],
    ],
    radius: 3,
    erase: false,
  });
  fx.region(t6, 'nodule', 'A', { kind: 'stroke', points: [[5, 5]], radius: 2, erase: true });
  fx.region(t7, 'nodule', 'A', rect(1, 1, 10, 10));
  fx.region(v1, 'nodule', 'A', rect(1, 1, 10, 10));
  fx.region(v1, 'effusion', 'B', rect(1, 1, 10, 10));
});
afterEach(() => fx.remove());

const levels = (positives: number, remaining: number[]) =>
  alignmentLevels.map((level, k) => ({ level, needed: Math.round(level * positives), remaining: remaining[k] }));

describe('annotationProgress', () => {
  it("counts anyone's regions on training positives toward each alignment level", () => {
    const report = annotationProgress(fx.db);
    expect(report.annotator).toBeNull();
    expect(report.trainingImages).toBe(8);
    expect(report.findings).toEqual([
      // needed round(6/4) = 2, 3, round(4.5) = 5, 6
      { finding: 'nodule', positives: 6, annotated: 3, levels: levels(6, [0, 0, 2, 3]) },
      { finding: 'effusion', positives: 1, annotated: 1, levels: levels(1, [0, 0, 0, 0]) },
      { finding: 'edema', positives: 0, annotated: 0, levels: levels(0, [0, 0, 0, 0]) },
      { finding: 'pneumothorax', positives: 1, annotated: 0, levels: levels(1, [0, 1, 1, 1]) },
    ]);
    expect(report.findings[0]?.levels.map((l) => l.needed)).toEqual([2, 3, 5, 6]);
  });

  it("counts one annotator's regions only when asked", () => {
    const a = annotationProgress(fx.db, { annotator: 'A' });
    expect(a.annotator).toBe('A');
    expect(a.findings.slice(0, 2)).toEqual([
      { finding: 'nodule', positives: 6, annotated: 2, levels: levels(6, [0, 1, 3, 4]) },
      { finding: 'effusion', positives: 1, annotated: 1, levels: levels(1, [0, 0, 0, 0]) },
    ]);
    const b = annotationProgress(fx.db, { annotator: 'B' });
    expect(b.findings.slice(0, 2)).toEqual([
      { finding: 'nodule', positives: 6, annotated: 1, levels: levels(6, [1, 2, 4, 5]) },
      // B's effusion region is on a validation image: it does not count.
      { finding: 'effusion', positives: 1, annotated: 0, levels: levels(1, [0, 1, 1, 1]) },
    ]);
    expect(annotationProgress(fx.db, { annotator: 'nobody' }).findings[0]).toMatchObject({ annotated: 0 });
  });

  it('reports the product findings with zeros on an empty workspace', () => {
    const empty = new AnnotationFixture();
    try {
      const report = annotationProgress(empty.db);
      expect(report.trainingImages).toBe(0);
      expect(report.findings.map((f) => [f.finding, f.positives, f.annotated])).toEqual([
        ['nodule', 0, 0],
        ['effusion', 0, 0],
        ['edema', 0, 0],
      ]);
      expect(report.findings.every((f) => f.levels.every((l) => l.needed === 0 && l.remaining === 0))).toBe(true);
    } finally {
      empty.remove();
    }
  });
});
