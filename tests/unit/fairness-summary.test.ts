import { describe, expect, it } from 'vitest';
import type { GroupMetrics } from '../../src-main/core/evaluation/classification';
import type { GapMetrics } from '../../src-main/core/evaluation/fairness-report';
import { conditionKey, summariseConditions, type EvaluatedRun } from '../../src-main/core/evaluation/fairness-summary';
import {
  evaluateSource,
  groupingAttributes,
  type EvaluatedImage,
  type SourceEvaluation,
} from '../../src-main/core/evaluation/run-evaluation';

// ---------------------------------------------------------------- independent helpers

/** Mean and sample std, written out here rather than taken from the code under test. */
function meanAndStd(values: number[]): { mean: number | null; std: number | null; n: number } {
  const n = values.length;
  if (n === 0) return { mean: null, std: null, n };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { mean, std: null, n };
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(squares / (n - 1)), n };
}

function expectSummary(actual: { mean: number | null; std: number | null; n: number }, values: number[]): void {
  const expected = meanAndStd(values);
  expect(actual.n).toBe(expected.n);
  if (expected.mean === null) expect(actual.mean).toBeNull();
  else expect(actual.mean).toBeCloseTo(expected.mean, 12);
  if (expected.std === null) expect(actual.std).toBeNull();
  else expect(actual.std).toBeCloseTo(expected.std, 12);
}

/** AUC by comparing every positive with every negative (ties ½): the definition, O(P·N). */
function pairwiseAuc(scores: number[], labels: number[]): number | null {
  let wins = 0;
  let pairs = 0;
  scores.forEach((sp, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((sn, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return pairs === 0 ? null : wins / pairs;
}

function handMetrics(scores: number[], labels: number[], threshold: number) {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  scores.forEach((s, i) => {
    const call = s >= threshold;
    if (labels[i] === 1) {
      if (call) tp++;
      else fn++;
    } else if (call) fp++;
    else tn++;
  });
  const p = tp + fn;
  const q = tn + fp;
  return {
    n: scores.length,
    positives: p,
    auc: pairwiseAuc(scores, labels),
    accuracy: (tp + tn) / scores.length,
    f1: 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    sensitivity: p === 0 ? null : tp / p,
    specificity: q === 0 ? null : tn / q,
  };
}

// ---------------------------------------------------------------- per-source evaluation

function image(
  imageId: number,
  score: number,
  label: 0 | 1,
  sex: string,
  age: number | null,
  view: string | null = 'PA',
): EvaluatedImage {
  return { imageId, source: 'summit', score, label, sex, age, view, rows: 100, cols: 80, pseudonym: `P${imageId}` };
}

describe('evaluateSource', () => {
  // Women: both classes. Men: positives only (AUC and specificity undefined). One unknown sex, one unknown age.
  const images: EvaluatedImage[] = [
    image(1, 0.9, 1, 'F', 70),
    image(2, 0.4, 1, 'F', 30),
    image(3, 0.6, 0, 'F', 65),
    image(4, 0.2, 0, 'F', 44),
    image(5, 0.7, 1, 'M', 61),
    image(6, 0.3, 1, 'M', 59),
    image(7, 0.8, 0, 'unknown', 80),
    image(8, 0.55, 1, 'F', null),
  ];
  // Positives 1, 2, 5, 6, 8. Hits: 1 hit, 2 miss, 5 hit, 6 not annotated, 8 miss.
  const alignment = new Map([
    [1, { hit: 1 as const, iou: 0.5 }],
    [2, { hit: 0 as const, iou: 0.1 }],
    [5, { hit: 1 as const, iou: 0.3 }],
    [6, { hit: null, iou: null }],
    [8, { hit: 0 as const, iou: 0.2 }],
  ]);
  const threshold = 0.5;
  const result = evaluateSource('summit', images, alignment, { ageThreshold: 60, threshold });

  it('gives the overall metrics of every labelled image at the threshold', () => {
    const expected = handMetrics(
      images.map((i) => i.score),
      images.map((i) => i.label),
      threshold,
    );
    for (const [name, value] of Object.entries(expected))
      expect(result.metrics[name as keyof GroupMetrics], name).toBeCloseTo(value as number, 12);
  });

  it('splits by sex as stored and by age at the threshold, leaving unknowns out', () => {
    const sex = result.attributes.find((a) => a.attribute === 'sex');
    const age = result.attributes.find((a) => a.attribute === 'age');
    expect(result.attributes.map((a) => a.attribute)).toEqual(['sex', 'age']); // one view only: no view attribute
    expect(sex?.groups.map((g) => [g.value, g.metrics.n, g.metrics.positives])).toEqual([
      ['F', 5, 3],
      ['M', 2, 2],
    ]);
    expect(age?.groups.map((g) => [g.value, g.metrics.n])).toEqual([
      ['<60', 3],
      ['>=60', 4],
    ]);
    const women = images.filter((i) => i.sex === 'F');
    const f = handMetrics(
      women.map((i) => i.score),
      women.map((i) => i.label),
      threshold,
    );
    const fGroup = sex?.groups[0]?.metrics;
    expect(fGroup?.auc).toBeCloseTo(f.auc as number, 12);
    expect(fGroup?.f1).toBeCloseTo(f.f1, 12);
    // Men are positives only: AUC and specificity are null, never a made-up 0.5.
    const m = sex?.groups[1]?.metrics;
    expect(m?.auc).toBeNull();
    expect(m?.specificity).toBeNull();
    expect(m?.sensitivity).toBe(0.5); // 0.7 called, 0.3 not
  });

  it('computes the gaps as best minus worst group with the metric defined, and the worst-group AUC', () => {
    const sex = result.attributes.find((a) => a.attribute === 'sex');
    const [f, m] = [sex?.groups[0]?.metrics, sex?.groups[1]?.metrics] as [GroupMetrics, GroupMetrics];
    expect(sex?.gaps.accuracy).toBeCloseTo(Math.abs((f.accuracy as number) - (m.accuracy as number)), 12);
    expect(sex?.gaps.sensitivity).toBeCloseTo(Math.abs((f.sensitivity as number) - (m.sensitivity as number)), 12);
    expect(sex?.gaps.auc).toBeNull(); // only one group has an AUC
    expect(sex?.gaps.worstGroupAuc).toBeCloseTo(f.auc as number, 12);
    const age = result.attributes.find((a) => a.attribute === 'age');
    const young = images.filter((i) => i.age !== null && i.age < 60);
    const old = images.filter((i) => i.age !== null && i.age >= 60);
    const auc = (list: EvaluatedImage[]) =>
      pairwiseAuc(
        list.map((i) => i.score),
        list.map((i) => i.label),
      ) as number;
    expect(age?.gaps.auc).toBeCloseTo(Math.abs(auc(young) - auc(old)), 12);
    expect(age?.gaps.worstGroupAuc).toBeCloseTo(Math.min(auc(young), auc(old)), 12);
  });

  it('plays the pointing game over the annotated positives, overall and per group, with the gap', () => {
    // Counted: 1 (hit), 2 (miss), 5 (hit), 8 (miss) → 2 / 4.
    expect(result.hitRate).toBe(0.5);
    expect(result.hitImages).toBe(4);
    expect(result.miou).toBeCloseTo((0.5 + 0.1 + 0.3 + 0.2) / 4, 12);
    const sex = result.attributes.find((a) => a.attribute === 'sex');
    // F: 1 hit, 2 miss, 8 miss → 1/3; M: 5 hit → 1/1.
    expect(sex?.groups.map((g) => [g.value, g.hitRate, g.hitImages])).toEqual([
      ['F', 1 / 3, 3],
      ['M', 1, 1],
    ]);
    expect(sex?.hitRateGap).toBeCloseTo(1 - 1 / 3, 12);
    const age = result.attributes.find((a) => a.attribute === 'age');
    // <60: 2 miss (6 uncounted) → 0; >=60: 1 hit, 5 hit → 1. Image 8 has no age.
    expect(age?.groups.map((g) => g.hitRate)).toEqual([0, 1]);
    expect(age?.hitRateGap).toBe(1);
  });

  it('gives null hit rates where no image counts', () => {
    const none = evaluateSource('x', images, new Map(), { ageThreshold: 60, threshold });
    expect(none.hitRate).toBeNull();
    expect(none.miou).toBeNull();
    expect(none.attributes[0]?.hitRateGap).toBeNull();
    expect(none.attributes[0]?.groups.every((g) => g.hitRate === null && g.hitImages === 0)).toBe(true);
  });
});

describe('groupingAttributes', () => {
  it('adds the view position only when the images carry two views or more', () => {
    const one = [image(1, 0.5, 1, 'F', 50, 'PA'), image(2, 0.5, 0, 'M', 50, null)];
    expect(groupingAttributes(one, 60).map((a) => a.name)).toEqual(['sex', 'age']);
    const two = [image(1, 0.5, 1, 'F', 50, 'PA'), image(2, 0.5, 0, 'M', 50, 'AP'), image(3, 0.5, 0, 'M', 50, ' ')];
    const attributes = groupingAttributes(two, 50);
    expect(attributes.map((a) => [a.name, a.values])).toEqual([
      ['sex', ['F', 'M']],
      ['age', ['<50', '>=50']],
      ['view', ['AP', 'PA']],
    ]);
    const view = attributes[2];
    expect(two.map((i) => view?.valueOf(i))).toEqual(['PA', 'AP', null]);
    expect(two.map((i) => attributes[1]?.valueOf(i))).toEqual(['>=50', '>=50', '>=50']);
  });
});

// ---------------------------------------------------------------- summary over seeds

function metrics(n: number, positives: number, values: Partial<GroupMetrics>): GroupMetrics {
  return { n, positives, auc: null, accuracy: null, f1: null, sensitivity: null, specificity: null, ...values };
}

function gaps(values: Partial<GapMetrics>): GapMetrics {
  return {
    auc: null,
    accuracy: null,
    f1: null,
    sensitivity: null,
    specificity: null,
    worstGroupAuc: null,
    worstAucGroup: null,
    ...values,
  };
}

function source(
  name: string,
  auc: number | null,
  hitRate: number | null,
  groups: [string, number][],
): SourceEvaluation {
  return {
    source: name,
    metrics: metrics(40, 20, { auc, accuracy: 0.7, f1: 0.6, sensitivity: 0.5, specificity: 0.9 }),
    hitRate,
    hits: 0,
    hitImages: 10,
    miou: hitRate === null ? null : hitRate / 2,
    attributes: [
      {
        attribute: 'sex',
        groups: groups.map(([value, groupAuc]) => ({
          value,
          metrics: metrics(20, 10, { auc: groupAuc, accuracy: groupAuc - 0.1 }),
          hitRate,
          hitImages: 5,
        })),
        gaps: gaps({
          auc: groups.length > 1 ? Math.max(...groups.map((g) => g[1])) - Math.min(...groups.map((g) => g[1])) : null,
          worstGroupAuc: Math.min(...groups.map((g) => g[1])),
        }),
        hitRateGap: groups.length > 1 ? 0.1 : null,
      },
    ],
  };
}

function run(
  id: number,
  seed: number,
  config: Partial<EvaluatedRun['run']['config']>,
  sources: SourceEvaluation[],
): EvaluatedRun {
  return {
    run: {
      id,
      seed,
      config: { preset: 'micro', alignment: 0, dataRatio: 1, randomAlignment: false, ...config },
    },
    evaluation: { sources },
  };
}

describe('summariseConditions', () => {
  const runs: EvaluatedRun[] = [
    // Condition a=0.5: seeds 2, 0, 1 given out of order; seed 1 lacks the hit rate and source 'lakeside'.
    run(12, 2, { alignment: 0.5 }, [
      source('summit', 0.8, 0.4, [
        ['F', 0.7],
        ['M', 0.9],
      ]),
      source('lakeside', 0.6, 0.2, [['F', 0.6]]),
    ]),
    run(10, 0, { alignment: 0.5 }, [
      source('summit', 0.9, 0.6, [
        ['F', 0.85],
        ['M', 0.95],
      ]),
      source('lakeside', 0.7, 0.3, [['F', 0.65]]),
    ]),
    run(11, 1, { alignment: 0.5 }, [source('summit', null, null, [['M', 0.75]])]),
    // Other conditions, to be ordered: random ablation last, data ratio before alignment, tiny after micro.
    run(20, 0, { alignment: 1, randomAlignment: true }, [source('summit', 0.5, 0.1, [['F', 0.5]])]),
    run(21, 0, { alignment: 1 }, [source('summit', 0.55, 0.5, [['F', 0.5]])]),
    run(22, 0, { alignment: 0, dataRatio: 0.5 }, [source('summit', 0.52, 0.2, [['F', 0.5]])]),
    run(23, 0, { alignment: 0, preset: 'tiny' }, [source('summit', 0.56, 0.2, [['F', 0.5]])]),
    run(24, 0, { alignment: 0 }, [source('summit', 0.57, 0.2, [['F', 0.5]])]),
  ];
  const conditions = summariseConditions(runs);

  it('groups runs by preset, alignment, data ratio and ablation, ordered as the schema says', () => {
    expect(conditions.map((c) => c.key)).toEqual([
      'micro|a=0|r=0.5|random=0',
      'micro|a=0|r=1|random=0',
      'micro|a=0.5|r=1|random=0',
      'micro|a=1|r=1|random=0',
      'micro|a=1|r=1|random=1',
      'tiny|a=0|r=1|random=0',
    ]);
    expect(conditionKey({ preset: 'small', alignment: 0.25, dataRatio: 0.1, randomAlignment: true })).toBe(
      'small|a=0.25|r=0.1|random=1',
    );
    const half = conditions[2];
    expect(half).toMatchObject({ preset: 'micro', alignment: 0.5, dataRatio: 1, randomAlignment: false });
    expect(half?.runIds).toEqual([10, 11, 12]);
    expect(half?.seeds).toEqual([0, 1, 2]);
  });

  it('summarises every quantity over the seeds that have it (mean, sample std, n)', () => {
    const half = conditions[2];
    const summit = half?.sources.find((s) => s.source === 'summit');
    expect(half?.sources.map((s) => s.source)).toEqual(['summit', 'lakeside']);
    expectSummary(summit?.performance.auc as never, [0.9, 0.8]); // seed 1's AUC is null
    expectSummary(summit?.performance.accuracy as never, [0.7, 0.7, 0.7]);
    expectSummary(summit?.hitRate as never, [0.6, 0.4]);
    expectSummary(summit?.miou as never, [0.3, 0.2]);
    expect(summit?.n).toBe(40);
    const sex = summit?.attributes[0];
    expect(sex?.attribute).toBe('sex');
    expect(sex?.groups.map((g) => g.value)).toEqual(['F', 'M']);
    expectSummary(sex?.groups[0]?.performance.auc as never, [0.85, 0.7]);
    expectSummary(sex?.groups[1]?.performance.auc as never, [0.95, 0.75, 0.9]);
    expectSummary(sex?.groups[1]?.performance.accuracy as never, [0.85, 0.65, 0.8]);
    // Gaps are averaged per run, not recomputed from averaged groups; seed 1 (one group) has none.
    expectSummary(sex?.gaps.auc as never, [0.95 - 0.85, 0.9 - 0.7]);
    expectSummary(sex?.gaps.worstGroupAuc as never, [0.85, 0.75, 0.7]);
    expectSummary(sex?.hitRateGap as never, [0.1, 0.1]);
    const lakeside = half?.sources.find((s) => s.source === 'lakeside');
    expectSummary(lakeside?.performance.auc as never, [0.7, 0.6]);
    expectSummary(lakeside?.hitRate as never, [0.3, 0.2]);
  });

  it('gives n 1 and a null std for a single seed, and nothing for no runs', () => {
    const single = conditions[1]?.sources[0];
    expect(single?.performance.auc).toEqual({ mean: 0.57, std: null, n: 1 });
    expect(summariseConditions([])).toEqual([]);
  });
});
