import { describe, expect, it } from 'vitest';
import {
  ascendingOrder,
  attentionIoU,
  classificationMetrics,
  fairnessReport,
  hitRate,
  hitRateByGroup,
  meanStd,
  otsuThreshold,
  parsePredictionsCsv,
  percentileInterval,
  pointingHit,
  rocAuc,
  upsampleBilinear,
  youdenThreshold,
} from '../../src-main/core/evaluation';
import { InputError } from '../../src-main/core/input-error';

describe('rocAuc and classificationMetrics', () => {
  it('counts ties half and returns null for one class', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(rocAuc([0.2, 0.3], [1, 1])).toBeNull();
  });

  it('gives null with a reason, never a made-up value, for a single-class group', () => {
    const m = classificationMetrics([0.2, 0.7], [0, 0]);
    expect(m).toMatchObject({ n: 2, positives: 0, auc: null, sensitivity: null, specificity: 0.5, accuracy: 0.5 });
    expect(m.reasons?.auc).toMatch(/no positive/);
    expect(m.reasons?.sensitivity).toMatch(/no positive/);
    const f1 = classificationMetrics([0.1, 0.2], [0, 0]);
    expect(f1.f1).toBe(0);
    expect(f1.reasons?.f1).toMatch(/zero_division/);
  });

  it('calls a score equal to the threshold positive', () => {
    expect(classificationMetrics([0.5, 0.4], [1, 0], 0.5)).toMatchObject({ accuracy: 1, sensitivity: 1, f1: 1 });
  });

  it("youdenThreshold picks the score that maximises Youden's J", () => {
    expect(youdenThreshold([0.1, 0.2, 0.6, 0.7, 0.3], [0, 0, 1, 1, 0])).toEqual({ threshold: 0.6, j: 1 });
    expect(() => youdenThreshold([0.1], [1])).toThrow(/both/);
  });

  it('ascendingOrder is a stable sort with -0 tying +0', () => {
    expect([...ascendingOrder([3, -1, 0, -0, 2, -1e300, 0])]).toEqual([5, 1, 2, 3, 6, 4, 0]);
  });
});

describe('meanStd and intervals', () => {
  it('uses the sample std (n − 1) and null below two values', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3), n: 4 });
    expect(meanStd([2])).toEqual({ mean: 2, std: null, n: 1 });
    expect(meanStd([])).toEqual({ mean: null, std: null, n: 0 });
  });

  it('percentileInterval interpolates like NumPy and ignores undefined replicates', () => {
    expect(percentileInterval([1, 2, 3, 4, 5, NaN], 0.5)).toEqual([2, 4]);
    expect(percentileInterval([NaN])).toBeNull();
  });
});

describe('fairnessReport', () => {
  const scores = Float64Array.from([0.9, 0.2, 0.6, 0.6, 0.3, 0.8, 0.1, 0.6, 0.4, 0.7]);
  const labels = Uint8Array.from([1, 0, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sex = { name: 'sex', codes: Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, -1]), values: ['F', 'M'] };

  it('matches the per-group metrics computed on each subset, ties included', () => {
    const report = fairnessReport(scores, labels, [sex], { bootstrap: 0 });
    expect(report.overall).toEqual(classificationMetrics(scores, labels));
    const pick = (v: number) => [...sex.codes.keys()].filter((i) => sex.codes[i] === v);
    expect(report.groups.sex?.F).toEqual(
      classificationMetrics(
        pick(0).map((i) => scores[i]!),
        pick(0).map((i) => labels[i]!),
      ),
    );
    expect(report.groups.sex?.M).toEqual(
      classificationMetrics(
        pick(1).map((i) => scores[i]!),
        pick(1).map((i) => labels[i]!),
      ),
    );
    expect(report.excluded.sex).toBe(1);
    const f = report.groups.sex!.F!;
    const m = report.groups.sex!.M!;
    expect(report.gaps.sex?.accuracy).toBeCloseTo(Math.abs(f.accuracy! - m.accuracy!), 12);
    expect(report.gaps.sex?.worstGroupAuc).toBe(Math.min(f.auc!, m.auc!));
    expect(report.intervals).toBeUndefined();
  });

  it('bootstrap intervals are seeded, contain the estimate and keep single-class groups null', () => {
    const only = { name: 'site', codes: Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]), values: ['a', 'b'] };
    const a = fairnessReport(scores, labels, [sex, only], { bootstrap: 200, seed: 5 });
    const b = fairnessReport(scores, labels, [sex, only], { bootstrap: 200, seed: 5 });
    expect(a.intervals).toEqual(b.intervals);
    const [lo, hi] = a.intervals!.overall.accuracy!;
    expect(lo).toBeLessThanOrEqual(a.overall.accuracy!);
    expect(hi).toBeGreaterThanOrEqual(a.overall.accuracy!);
    expect(a.groups.site?.b?.auc).toBeNull();
    expect(a.intervals!.groups.site?.b?.auc).toBeNull();
    expect(a.gaps.site?.auc).toBeNull();
    expect(a.gaps.site?.reasons?.auc).toMatch(/fewer than two/);
    expect(fairnessReport(scores, labels, [sex], { bootstrap: 200, seed: 6 }).intervals).not.toEqual(a.intervals);
  });
});

describe('parsePredictionsCsv', () => {
  it('reads score, label, categorical and age columns, quoted fields and CRLF', () => {
    const p = parsePredictionsCsv('score,label,sex,age\r\n0.9,1,F,70\r\n"0.1",0,"M",\r\n0.4,0,,59\r\n', {
      groupColumns: ['sex'],
      ageColumn: 'age',
    });
    expect([...p.scores]).toEqual([0.9, 0.1, 0.4]);
    expect([...p.labels]).toEqual([1, 0, 0]);
    expect(p.attributes[0]).toMatchObject({ name: 'sex', values: ['F', 'M'] });
    expect([...p.attributes[0]!.codes]).toEqual([0, 1, -1]);
    expect(p.attributes[1]).toMatchObject({ name: 'age', values: ['<60', '>=60'] });
    expect([...p.attributes[1]!.codes]).toEqual([1, -1, 0]);
  });

  it.each([
    ['', /line 1: the file is empty/],
    ['score,label\n', /no prediction rows/],
    ['score,lab\n0.1,1\n', /line 1: no column 'label'/],
    ['score,label\n0.1,1\nabc,0\n', /line 3: column 'score': 'abc' is not a finite number/],
    ['score,label\nNaN,0\n', /line 2: column 'score'/],
    ['score,label\n0.2,2\n', /line 2: column 'label': '2' is not 0 or 1/],
    ['score,label\n0.2\n', /line 2: 1 fields, but the header has 2/],
  ])('refuses %j naming the line', (text, message) => {
    expect(() => parsePredictionsCsv(text)).toThrow(InputError);
    expect(() => parsePredictionsCsv(text)).toThrow(message);
  });

  it('refuses a non-numeric age and a missing --group column', () => {
    expect(() => parsePredictionsCsv('score,label,age\n0.2,1,old\n', { ageColumn: 'age' })).toThrow(
      /line 2: column 'age'/,
    );
    expect(() => parsePredictionsCsv('score,label\n0.2,1\n', { groupColumns: ['site'] })).toThrow(/no column 'site'/);
  });
});

describe('pointing game and IoU', () => {
  it('upsamples with half-pixel centres like PyTorch align_corners=False', () => {
    // Rows [0, 1] and [2, 3] meet halfway for a single output row; columns sit at source x = −¼ (clamped), ¼, ¾, 1¼.
    expect([...upsampleBilinear([0, 1, 2, 3], 2, 4, 1)]).toEqual([1, 1.25, 1.75, 2]);
  });

  it('scores the peak against the mask, first maximum on ties, null for an empty mask', () => {
    const map = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    const mask = new Uint8Array(36);
    mask[2 * 6 + 2] = 1;
    mask[3 * 6 + 3] = 1;
    expect(pointingHit(map, 3, mask, 6, 6)).toBe(1);
    expect(
      pointingHit(
        map,
        3,
        new Uint8Array(36).fill(0).map((_, i) => (i === 0 ? 1 : 0)),
        6,
        6,
      ),
    ).toBe(0);
    expect(pointingHit(map, 3, new Uint8Array(36), 6, 6)).toBeNull();
    // A flat map: every pixel ties, so the peak is pixel 0.
    expect(
      pointingHit(
        [1, 1, 1, 1],
        2,
        Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0)),
        4,
        4,
      ),
    ).toBe(1);
    expect(() => pointingHit([1, 2, 3], 2, new Uint8Array(4), 2, 2)).toThrow(RangeError);
  });

  it('hitRate skips empty masks; hitRateByGroup gives the gap and seeded intervals', () => {
    expect(hitRate([1, 0, null, 1], { bootstrap: 0 })).toMatchObject({ value: 2 / 3, hits: 2, images: 3, skipped: 1 });
    const grouped = hitRateByGroup([1, 1, 0, 0, 1, null], ['F', 'F', 'M', 'M', 'M', 'F'], { bootstrap: 100, seed: 1 });
    expect(grouped.groups.F?.value).toBe(1);
    expect(grouped.groups.M?.value).toBeCloseTo(1 / 3, 12);
    expect(grouped.gap).toBeCloseTo(2 / 3, 12);
    expect(grouped.gapInterval).not.toBeNull();
  });

  it('otsuThreshold separates two clusters; attentionIoU compares the thresholded map', () => {
    expect(otsuThreshold([10, 10, 12, 200, 201, 199])).toBeGreaterThanOrEqual(12);
    expect(otsuThreshold([10, 10, 12, 200, 201, 199])).toBeLessThan(199);
    expect(() => otsuThreshold([256])).toThrow(RangeError);
    const map = [0, 0, 0, 1];
    const mask = Uint8Array.from({ length: 16 }, (_, i) => (i % 4 >= 2 && i >= 8 ? 1 : 0));
    expect(attentionIoU(map, 2, mask, 4, 4)).toBeGreaterThan(0.2);
    expect(attentionIoU([1, 1, 1, 1], 2, new Uint8Array(16), 4, 4)).toBeNull();
  });
});
