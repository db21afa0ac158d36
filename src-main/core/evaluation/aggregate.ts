/** Summaries over repeated runs and over bootstrap resamples. */

/**
 * Mean and sample standard deviation (n − 1 in the denominator) of repeated runs, e.g. one metric over seeds.
 *
 * @returns mean null for no values; std null for fewer than two
 */
export function meanStd(values: readonly number[]): {
  readonly mean: number | null;
  readonly std: number | null;
  readonly n: number;
} {
  const n = values.length;
  if (n === 0) return { mean: null, std: null, n };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const squares = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(squares / (n - 1)), n };
}

/**
 * The q-quantile of already sorted values with linear interpolation between order statistics (NumPy's default
 * `method='linear'`): h = (n − 1)·q.
 *
 * @param sorted [n] ascending, n >= 1
 * @param q in [0, 1]
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantileSorted: no values');
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  return a + (h - lo) * ((sorted[hi] as number) - a);
}

/**
 * Percentile interval of bootstrap replicates: the (1 − level)/2 and (1 + level)/2 quantiles of the defined
 * (non-NaN) replicates.
 *
 * @returns null when no replicate is defined
 */
export function percentileInterval(replicates: ArrayLike<number>, level = 0.95): [number, number] | null {
  const defined = Float64Array.from(replicates).filter((v) => !Number.isNaN(v));
  if (defined.length === 0) return null;
  defined.sort();
  return [quantileSorted(defined, (1 - level) / 2), quantileSorted(defined, (1 + level) / 2)];
}
