/**
 * Metrics overall and per subgroup, fairness gaps (best minus worst subgroup) and stratified bootstrap
 * percentile intervals on all of them, for any model's predictions (issue 7, ARCHITECTURE.md §7).
 */
import { percentileInterval } from './aggregate';
import { metricNames, metricsFromConfusion, type GroupMetrics, type MetricName } from './classification';
import {
  drawStratified,
  passScratch,
  passSums,
  sortedLayout,
  strataOf,
  weightedPass,
  type PassSums,
  type SortedLayout,
} from './weighted-pass';

/** One grouping attribute: each row's value as an index into `values`, or -1 when the row has none. */
export interface GroupingAttribute {
  readonly name: string;
  /** [n] index into `values`, -1 to leave the row out of this attribute's groups. */
  readonly codes: Int32Array;
  readonly values: readonly string[];
}

export interface FairnessOptions {
  /** Decision threshold; a score >= threshold is a positive call. Default 0.5. */
  readonly threshold?: number;
  /** Bootstrap resamples; 0 disables the intervals. Default 1000. */
  readonly bootstrap?: number;
  /** Seed of the resampling. Default 0. */
  readonly seed?: number;
  /** Confidence level of the percentile intervals. Default 0.95. */
  readonly level?: number;
}

export const gapNames = [...metricNames, 'worstGroupAuc'] as const;
export type GapName = (typeof gapNames)[number];

/** Best minus worst subgroup of each metric (fractions), and the worst subgroup's AUC. */
export type GapMetrics = { readonly [M in GapName]: number | null } & {
  /** The subgroup with the lowest AUC. */
  readonly worstAucGroup: string | null;
  readonly reasons?: Partial<Record<GapName, string>>;
};

export type Interval = readonly [number, number] | null;

export interface FairnessIntervals {
  readonly overall: Record<MetricName, Interval>;
  readonly groups: Record<string, Record<string, Record<MetricName, Interval>>>;
  readonly gaps: Record<string, Record<GapName, Interval>>;
}

export interface FairnessReport {
  readonly threshold: number;
  readonly overall: GroupMetrics;
  readonly groups: Record<string, Record<string, GroupMetrics>>;
  readonly gaps: Record<string, GapMetrics>;
  /** Rows left out of each attribute's groups because their value is empty. */
  readonly excluded: Record<string, number>;
  readonly bootstrap: {
    readonly resamples: number;
    readonly seed: number;
    readonly level: number;
    readonly method: string;
  } | null;
  readonly intervals?: FairnessIntervals;
}

export const bootstrapMethod =
  'percentile intervals over stratified multinomial resamples: rows are resampled with replacement within each ' +
  'stratum (one value of every attribute × label), so every group keeps its size and its positives';

/**
 * @param scores [n] finite numbers
 * @param labels [n] 0 or 1
 * @param attributes grouping attributes, each with [n] codes
 */
export function fairnessReport(
  scores: Float64Array,
  labels: Uint8Array,
  attributes: readonly GroupingAttribute[],
  options: FairnessOptions = {},
): FairnessReport {
  const threshold = options.threshold ?? 0.5;
  const resamples = options.bootstrap ?? 1000;
  const seed = options.seed ?? 0;
  const level = options.level ?? 0.95;
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`fairnessReport: ${n} scores but ${labels.length} labels`);
  for (const attribute of attributes)
    if (attribute.codes.length !== n)
      throw new RangeError(`fairnessReport: attribute ${attribute.name} has ${attribute.codes.length} rows, not ${n}`);

  // Slot 0 is every row; then one slot per (attribute, value).
  const bases: number[] = [];
  let slots = 1;
  for (const attribute of attributes) {
    bases.push(slots);
    slots += attribute.values.length;
  }
  const slotOfRow = attributes.map((attribute, a) => {
    const base = bases[a] as number;
    return attribute.codes.map((code) => (code < 0 ? -1 : base + code));
  });
  const layout = sortedLayout(scores, labels, slotOfRow, slots, threshold);
  const sums = passSums(layout);
  const scratch = passScratch(layout);
  const ones = new Uint8Array(n).fill(1);
  const identity = new Int32Array(n).map((_, i) => i);
  weightedPass(layout, ones, identity, sums, scratch);

  const overall = metricsOf(sums, 0);
  const groups: Record<string, Record<string, GroupMetrics>> = {};
  const gaps: Record<string, GapMetrics> = {};
  const excluded: Record<string, number> = {};
  attributes.forEach((attribute, a) => {
    const base = bases[a] as number;
    const perValue: Record<string, GroupMetrics> = {};
    attribute.values.forEach((value, v) => {
      const m = metricsOf(sums, base + v);
      if (m.n > 0) perValue[value] = m;
    });
    groups[attribute.name] = perValue;
    gaps[attribute.name] = gapsOf(perValue);
    excluded[attribute.name] = attribute.codes.reduce((c, code) => (code < 0 ? c + 1 : c), 0);
  });

  const report: FairnessReport = {
    threshold,
    overall,
    groups,
    gaps,
    excluded,
    bootstrap: resamples > 0 ? { resamples, seed, level, method: bootstrapMethod } : null,
  };
  if (resamples <= 0) return report;
  const present = Array.from(
    { length: slots },
    (_, g) => (sums.positives[g] as number) + (sums.negatives[g] as number) > 0,
  );
  return { ...report, intervals: bootstrapIntervals(layout, attributes, bases, present, resamples, seed, level) };
}

/** Metrics of one slot from the pass sums (weighted counts). */
function metricsOf(sums: PassSums, g: number): GroupMetrics {
  const p = sums.positives[g] as number;
  const q = sums.negatives[g] as number;
  const fn = sums.positivesBelow[g] as number;
  const tn = sums.negativesBelow[g] as number;
  const auc = p > 0 && q > 0 ? (sums.u[g] as number) / (p * q) : null;
  return { n: p + q, positives: p, ...metricsFromConfusion({ tp: p - fn, fn, tn, fp: q - tn }, auc) };
}

function gapsOf(perValue: Record<string, GroupMetrics>): GapMetrics {
  const entries = Object.entries(perValue);
  const gap: Record<string, number | null> = {};
  const reasons: Partial<Record<GapName, string>> = {};
  for (const metric of metricNames) {
    const defined = entries.map(([, m]) => m[metric]).filter((v): v is number => v !== null);
    gap[metric] = defined.length >= 2 ? Math.max(...defined) - Math.min(...defined) : null;
    if (defined.length < 2)
      reasons[metric] = `fewer than two groups with a defined ${metric} (${defined.length} of ${entries.length})`;
  }
  let worst: [string, number] | null = null;
  for (const [value, m] of entries) if (m.auc !== null && (worst === null || m.auc < worst[1])) worst = [value, m.auc];
  if (worst === null) reasons.worstGroupAuc = 'no group has a defined AUC';
  return {
    auc: gap.auc ?? null,
    accuracy: gap.accuracy ?? null,
    f1: gap.f1 ?? null,
    sensitivity: gap.sensitivity ?? null,
    specificity: gap.specificity ?? null,
    worstGroupAuc: worst?.[1] ?? null,
    worstAucGroup: worst?.[0] ?? null,
    ...(Object.keys(reasons).length > 0 ? { reasons } : {}),
  };
}

/** A metric of one slot as a number, NaN where undefined (the resample's equivalent of null). */
function slotMetric(sums: PassSums, g: number, metric: number): number {
  const p = sums.positives[g] as number;
  const q = sums.negatives[g] as number;
  const fn = sums.positivesBelow[g] as number;
  const tn = sums.negativesBelow[g] as number;
  const tp = p - fn;
  switch (metric) {
    case 0:
      return p > 0 && q > 0 ? (sums.u[g] as number) / (p * q) : NaN;
    case 1:
      return p + q > 0 ? (tp + tn) / (p + q) : NaN;
    case 2: {
      const d = 2 * tp + (q - tn) + fn;
      return p + q === 0 ? NaN : d === 0 ? 0 : (2 * tp) / d;
    }
    case 3:
      return p > 0 ? tp / p : NaN;
    default:
      return q > 0 ? tn / q : NaN;
  }
}

function bootstrapIntervals(
  layout: SortedLayout,
  attributes: readonly GroupingAttribute[],
  bases: readonly number[],
  present: readonly boolean[],
  resamples: number,
  seed: number,
  level: number,
): FairnessIntervals {
  const metricCount = metricNames.length;
  const gapCount = gapNames.length;
  const columns = layout.slots * metricCount + attributes.length * gapCount;
  // replicates[column · resamples + r]
  const replicates = new Float64Array(columns * resamples);
  const strata = strataOf(layout);
  const sums = passSums(layout);
  const scratch = passScratch(layout);
  const counts = new Uint8Array(layout.n);
  let wide: Uint32Array | null = null;
  let state = seed | 0;
  for (let r = 0; r < resamples; r++) {
    let weights: Uint8Array | Uint32Array = counts;
    const next = drawStratified(strata, counts, state);
    if (next === null) {
      wide ??= new Uint32Array(layout.n);
      state = drawStratified(strata, wide, state) as number;
      weights = wide;
    } else state = next;
    weightedPass(layout, weights, strata.weightIndex, sums, scratch);
    for (let g = 0; g < layout.slots; g++)
      for (let m = 0; m < metricCount; m++) replicates[(g * metricCount + m) * resamples + r] = slotMetric(sums, g, m);
    attributes.forEach((attribute, a) => {
      const base = bases[a] as number;
      const column = layout.slots * metricCount + a * gapCount;
      for (let m = 0; m < metricCount; m++) {
        let lo = Infinity;
        let hi = -Infinity;
        let defined = 0;
        for (let v = 0; v < attribute.values.length; v++) {
          const g = base + v;
          if (present[g] !== true) continue;
          const x = slotMetric(sums, g, m);
          if (Number.isNaN(x)) continue;
          defined++;
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        replicates[(column + m) * resamples + r] = defined >= 2 ? hi - lo : NaN;
        if (m === 0) replicates[(column + metricCount) * resamples + r] = defined >= 1 ? lo : NaN;
      }
    });
  }
  const interval = (column: number): Interval =>
    percentileInterval(replicates.subarray(column * resamples, (column + 1) * resamples), level);
  const metricIntervals = (g: number): Record<MetricName, Interval> =>
    Object.fromEntries(metricNames.map((name, m) => [name, interval(g * metricCount + m)])) as Record<
      MetricName,
      Interval
    >;
  const groups: FairnessIntervals['groups'] = {};
  const gaps: FairnessIntervals['gaps'] = {};
  attributes.forEach((attribute, a) => {
    const base = bases[a] as number;
    const perValue: Record<string, Record<MetricName, Interval>> = {};
    attribute.values.forEach((value, v) => {
      if (present[base + v] === true) perValue[value] = metricIntervals(base + v);
    });
    groups[attribute.name] = perValue;
    const column = layout.slots * metricCount + a * gapCount;
    gaps[attribute.name] = Object.fromEntries(gapNames.map((name, m) => [name, interval(column + m)])) as Record<
      GapName,
      Interval
    >;
  });
  return { overall: metricIntervals(0), groups, gaps };
}
