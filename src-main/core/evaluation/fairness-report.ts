/**
 * Metrics overall and per subgroup, fairness gaps (best minus worst subgroup) and stratified bootstrap
 * percentile intervals on all of them, for any model's predictions (issue 7, ARCHITECTURE.md §7).
 */
import { percentileInterval } from './aggregate';
import { bootstrapRange, gapCount, metricCount, replicateColumns, type BootstrapPlan } from './bootstrap';
import { metricNames, metricsFromConfusion, type GroupMetrics, type MetricName } from './classification';
import { lanes, passSums, slotCounts, sortedLayout, stratumSizes, weightedPass, type PassSums } from './weighted-pass';

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
 * Computes a plan's replicates ([replicateColumns(plan) · resamples]): in this thread (`fairnessReport`) or spread
 * over worker threads (bootstrap-parallel.ts); either way the same numbers.
 */
export type BootstrapRunner = (plan: BootstrapPlan) => Promise<Float64Array>;

/**
 * Metrics, gaps and (with `bootstrap` > 0) intervals, all in this thread.
 *
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
  const { report, plan } = pointEstimates(scores, labels, attributes, options);
  if (plan === null) return report;
  const replicates = new Float64Array(replicateColumns(plan) * plan.resamples);
  bootstrapRange(plan, replicates, 0, plan.resamples);
  return withIntervals(report, plan, attributes, replicates, options.level ?? 0.95);
}

/** `fairnessReport` with the bootstrap replicates computed by `runner` (e.g. on worker threads). */
export async function fairnessReportWith(
  runner: BootstrapRunner,
  scores: Float64Array,
  labels: Uint8Array,
  attributes: readonly GroupingAttribute[],
  options: FairnessOptions = {},
): Promise<FairnessReport> {
  const { report, plan } = pointEstimates(scores, labels, attributes, options);
  if (plan === null) return report;
  return withIntervals(report, plan, attributes, await runner(plan), options.level ?? 0.95);
}

/** The report without intervals, and the bootstrap's plan (null without a bootstrap). */
function pointEstimates(
  scores: Float64Array,
  labels: Uint8Array,
  attributes: readonly GroupingAttribute[],
  options: FairnessOptions,
): { report: FairnessReport; plan: BootstrapPlan | null } {
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
  const bases = new Int32Array(attributes.length);
  const valueCounts = new Int32Array(attributes.length);
  let slots = 1;
  attributes.forEach((attribute, a) => {
    bases[a] = slots;
    valueCounts[a] = attribute.values.length;
    slots += attribute.values.length;
  });
  const slotOfRow = attributes.map((attribute, a) => {
    const base = bases[a] as number;
    const codes = attribute.codes;
    const slotOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const code = codes[i] as number;
      slotOf[i] = code < 0 ? -1 : base + code;
    }
    return slotOf;
  });
  const layout = sortedLayout(scores, labels, slotOfRow, slots, threshold);
  const sums = passSums(layout);
  // Every row once: lane 0 of the counts.
  const u2 = new Float64Array((slots + 1) * lanes);
  weightedPass(layout, new Uint32Array(n).fill(1), u2);
  for (let g = 0; g <= slots; g++) sums.u2[g] = u2[g * lanes] as number;
  slotCounts(layout, stratumSizes(layout), layout.stratumBelow, sums);

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
    let left = 0;
    for (const code of attribute.codes) if (code < 0) left++;
    excluded[attribute.name] = left;
  });

  const report: FairnessReport = {
    threshold,
    overall,
    groups,
    gaps,
    excluded,
    bootstrap: resamples > 0 ? { resamples, seed, level, method: bootstrapMethod } : null,
  };
  if (resamples <= 0) return { report, plan: null };
  const present = new Uint8Array(slots);
  for (let g = 0; g < slots; g++)
    present[g] = (sums.positives[g] as number) + (sums.negatives[g] as number) > 0 ? 1 : 0;
  return { report, plan: { layout, resamples, seed, bases, valueCounts, present } };
}

/** Metrics of one slot from the pass sums (weighted counts). */
function metricsOf(sums: PassSums, g: number): GroupMetrics {
  const p = sums.positives[g] as number;
  const q = sums.negatives[g] as number;
  const fn = sums.positivesBelow[g] as number;
  const tn = sums.negativesBelow[g] as number;
  const auc = p > 0 && q > 0 ? (sums.u2[g] as number) / (2 * p * q) : null;
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

/** The report with percentile intervals from the replicates. */
function withIntervals(
  report: FairnessReport,
  plan: BootstrapPlan,
  attributes: readonly GroupingAttribute[],
  replicates: Float64Array,
  level: number,
): FairnessReport {
  const { resamples, bases, present } = plan;
  const slots = plan.layout.slots;
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
      if (present[base + v] === 1) perValue[value] = metricIntervals(base + v);
    });
    groups[attribute.name] = perValue;
    const column = slots * metricCount + a * gapCount;
    gaps[attribute.name] = Object.fromEntries(gapNames.map((name, m) => [name, interval(column + m)])) as Record<
      GapName,
      Interval
    >;
  });
  return { ...report, intervals: { overall: metricIntervals(0), groups, gaps } };
}
