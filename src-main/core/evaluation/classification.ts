/**
 * Classification metrics of one group at a decision threshold, with a reason wherever a metric is
 * undefined or set by convention. A score at or above the threshold is a positive call.
 */
import { ascendingOrder, rocAuc } from './auc';

/** The metrics the evaluation reports, as fractions in [0, 1]. */
export const metricNames = ['auc', 'accuracy', 'f1', 'sensitivity', 'specificity'] as const;
export type MetricName = (typeof metricNames)[number];

/** Metrics of one group: `null` where undefined, with the reason in `reasons`. */
export interface GroupMetrics {
  readonly n: number;
  readonly positives: number;
  readonly auc: number | null;
  readonly accuracy: number | null;
  readonly f1: number | null;
  readonly sensitivity: number | null;
  readonly specificity: number | null;
  /** Why a metric is null, or how a convention set it (F1 with nothing to score); absent when none applies. */
  readonly reasons?: Partial<Record<MetricName, string>>;
}

/** Counts of a confusion matrix (weighted counts are allowed: bootstrap resamples). */
export interface Confusion {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

export const nullReasons = {
  aucNoPositives: 'no positive labels in the group: AUC is undefined',
  aucNoNegatives: 'no negative labels in the group: AUC is undefined',
  empty: 'the group has no rows',
  sensitivityNoPositives: 'no positive labels in the group: sensitivity (TP / (TP + FN)) is undefined',
  specificityNoNegatives: 'no negative labels in the group: specificity (TN / (TN + FP)) is undefined',
  f1ZeroDivision:
    'no predicted and no actual positives: F1 set to 0.0 (scikit-learn zero_division default), not a measured value',
} as const;

/**
 * The confusion matrix at `threshold`.
 *
 * @param scores [n] finite numbers
 * @param labels [n] 0 or 1
 */
export function confusionAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): Confusion {
  assertSameLength(scores, labels, 'confusionAt');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const call = (scores[i] as number) >= threshold;
    if (labels[i] === 1) {
      if (call) tp++;
      else fn++;
    } else if (call) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

/**
 * Accuracy, F1, sensitivity and specificity from a confusion matrix and the AUC (computed elsewhere),
 * with the reasons for nulls. Shared by the exact per-group metrics and the bootstrap resamples.
 */
export function metricsFromConfusion(c: Confusion, auc: number | null): Omit<GroupMetrics, 'n' | 'positives'> {
  const positives = c.tp + c.fn;
  const negatives = c.tn + c.fp;
  const total = positives + negatives;
  const reasons: Partial<Record<MetricName, string>> = {};
  if (auc === null)
    reasons.auc =
      total === 0 ? nullReasons.empty : positives === 0 ? nullReasons.aucNoPositives : nullReasons.aucNoNegatives;
  if (total === 0) reasons.accuracy = reasons.f1 = nullReasons.empty;
  if (positives === 0) reasons.sensitivity = total === 0 ? nullReasons.empty : nullReasons.sensitivityNoPositives;
  if (negatives === 0) reasons.specificity = total === 0 ? nullReasons.empty : nullReasons.specificityNoNegatives;
  const f1Denominator = 2 * c.tp + c.fp + c.fn;
  if (total > 0 && f1Denominator === 0) reasons.f1 = nullReasons.f1ZeroDivision;
  return {
    auc,
    accuracy: total === 0 ? null : (c.tp + c.tn) / total,
    f1: total === 0 ? null : f1Denominator === 0 ? 0 : (2 * c.tp) / f1Denominator,
    sensitivity: positives === 0 ? null : c.tp / positives,
    specificity: negatives === 0 ? null : c.tn / negatives,
    ...(Object.keys(reasons).length > 0 ? { reasons } : {}),
  };
}

/**
 * Every metric of one group.
 *
 * @param scores [n] finite numbers
 * @param labels [n] 0 or 1
 * @param threshold decision threshold; a score >= threshold is a positive call (default 0.5)
 */
export function classificationMetrics(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold = 0.5,
): GroupMetrics {
  assertSameLength(scores, labels, 'classificationMetrics');
  const c = confusionAt(scores, labels, threshold);
  return { n: scores.length, positives: c.tp + c.fn, ...metricsFromConfusion(c, rocAuc(scores, labels)) };
}

/**
 * The threshold that maximises Youden's J = sensitivity + specificity − 1 over the observed scores
 * (a score >= threshold is a positive call). Ties in J go to the highest threshold, the fewest
 * positive calls. Meant for validation data; apply the result to the test set.
 *
 * @param scores [n] finite numbers
 * @param labels [n] 0 or 1, both classes present
 * @returns the threshold (one of the scores) and its J
 */
export function youdenThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): { readonly threshold: number; readonly j: number } {
  assertSameLength(scores, labels, 'youdenThreshold');
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0)
    throw new RangeError('youdenThreshold: needs both positive and negative labels');
  const order = ascendingOrder(scores);
  // Walk thresholds from the highest score down: calls = rows with score >= t.
  let tp = 0;
  let fp = 0;
  let best: { threshold: number; j: number } | null = null;
  let k = n - 1;
  while (k >= 0) {
    const t = scores[order[k] as number] as number;
    for (; k >= 0 && scores[order[k] as number] === t; k--) {
      if (labels[order[k] as number] === 1) tp++;
      else fp++;
    }
    const j = tp / positives - fp / negatives;
    if (best === null || j > best.j) best = { threshold: t, j };
  }
  return best ?? { threshold: 0.5, j: 0 };
}

function assertSameLength(scores: ArrayLike<number>, labels: ArrayLike<number>, name: string): void {
  if (scores.length !== labels.length)
    throw new RangeError(`${name}: ${scores.length} scores but ${labels.length} labels`);
}
