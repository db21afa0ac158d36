/**
 * Stratified multinomial resamples as per-row counts, drawn in one sequential pass (docs/metrics.md, "Bootstrap
 * intervals"). Resample r of a seed has its own random stream, seeded from (seed, r), so a resample's counts do
 * not depend on which thread draws it, on what was drawn before, or on whether the SIMD kernel or this
 * JavaScript draws it.
 *
 * A stratum of m rows gets m draws with replacement, uniform over its rows. Drawn as: an independent Poisson(λ)
 * count per row (by inversion of one 32-bit random number per row, written in order; λ from `drawRate`), then per
 * stratum the total T is corrected to m: T > m removes T − m balls chosen uniformly among the T drawn, T < m adds
 * m − T uniform draws. Given T, the T balls are T independent uniform draws over the stratum's rows, whatever λ;
 * a uniform subset of them, or further independent draws, are again independent uniform draws: the counts are
 * multinomial(m) (to the 2^-32 resolution of the random numbers, as any draw from 32-bit uniforms).
 */
import type { SortedLayout } from './weighted-pass';

/** Poisson(λ) by inversion of a uniform 32-bit t, and a lookup table for the common case. */
export interface PoissonDraw {
  readonly rate: number;
  /** The count is the number of thresholds ceil(F(k) · 2^32) <= t (F the Poisson(λ) CDF), while F(k) < 1. */
  readonly thresholds: Uint32Array;
  /** The count from t's top 12 bits where they settle it, else 255 (then the thresholds). */
  readonly table: Uint8Array;
}

export function poissonDraw(rate: number): PoissonDraw {
  const list: number[] = [];
  let term = Math.exp(-rate);
  let cdf = 0;
  for (let k = 0; ; k++) {
    cdf += term;
    term *= rate / (k + 1);
    const t = Math.ceil(cdf * 2 ** 32);
    if (t >= 2 ** 32) break;
    list.push(t);
  }
  const thresholds = Uint32Array.from(list);
  const table = new Uint8Array(4096);
  for (let i = 0; i < 4096; i++) {
    const lo = countOf(thresholds, i * 1048576);
    table[i] = lo === countOf(thresholds, i * 1048576 + 1048575) ? lo : 255;
  }
  return { rate, thresholds, table };
}

function countOf(thresholds: Uint32Array, t: number): number {
  let k = 0;
  while (k < thresholds.length && t >= (thresholds[k] as number)) k++;
  return k;
}

/**
 * The Poisson rate of a layout's draws: a little below 1 (1 − 1.5/√m for the largest stratum's m), so that a
 * stratum's total mostly falls short of its size and the correction adds draws (one row each) rather than
 * removes them (a rejection, several rows each). Any rate gives the same multinomial.
 */
export function drawRate(layout: SortedLayout): number {
  let largest = 0;
  for (let s = 0; s < layout.strata; s++)
    largest = Math.max(largest, (layout.offsets[s + 1] as number) - (layout.offsets[s] as number));
  return largest >= 100 ? 1 - 1.5 / Math.sqrt(largest) : 1;
}

/** sfc32 state (Chris Doty-Humphrey's Small Fast Counting generator): [a, b, c, d]. */
export type RandomState = Int32Array;

/** murmur3's 32-bit finaliser. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/**
 * The stream of resample `r` (and `attempt`, for a redraw) of `seed`: sfc32 seeded from a hash of the three,
 * warmed up by 16 outputs.
 */
export function seedStream(seed: number, r: number, attempt: number, state: RandomState): void {
  const h0 = mix32((seed | 0) ^ 0x243f6a88);
  const h1 = mix32(h0 ^ Math.imul(r | 0, 0x9e3779b1) ^ 0x85a308d3);
  const h2 = mix32(h1 ^ Math.imul(attempt | 0, 0x7feb352d) ^ 0x13198a2e);
  state[0] = h0;
  state[1] = h1;
  state[2] = h2;
  state[3] = 1;
  for (let i = 0; i < 16; i++) nextUint32(state);
}

/** One sfc32 output in [0, 2^32). */
export function nextUint32(state: RandomState): number {
  const a = state[0] as number;
  const b = state[1] as number;
  const c = state[2] as number;
  const d = state[3] as number;
  const t = (((a + b) | 0) + d) | 0;
  state[0] = b ^ (b >>> 9);
  state[1] = (c + (c << 3)) | 0;
  state[2] = (((c << 21) | (c >>> 11)) + t) | 0;
  state[3] = (d + 1) | 0;
  return t >>> 0;
}

/**
 * A uniform integer in [0, m), 1 <= m <= 2^31, exactly: the top bits of an output, as many as m − 1 has, drawn
 * again while they reach m (fewer than two outputs on average).
 *
 * @param shift Math.clz32(m − 1) (`bitsShift`)
 */
function uniformBelow(state: RandomState, m: number, shift: number): number {
  if (m <= 1) return 0;
  for (;;) {
    const v = nextUint32(state) >>> shift;
    if (v < m) return v;
  }
}

/** Scratch of one lane's draw. */
export interface ResampleScratch {
  readonly poisson: PoissonDraw;
  readonly state: RandomState;
  /** [strata] drawn rows per stratum below the threshold. */
  readonly below: Int32Array;
  /** [strata] drawn rows per stratum in total. */
  readonly count: Int32Array;
}

export function resampleScratch(layout: SortedLayout): ResampleScratch {
  const size = Math.max(1, layout.strata);
  return {
    poisson: poissonDraw(drawRate(layout)),
    state: new Int32Array(4),
    below: new Int32Array(size),
    count: new Int32Array(size),
  };
}

/**
 * Resample r of `seed` into one lane: `counts[stride · p + lane]` = times the row at position p was drawn (the
 * lane's byte of the position's `stride` bytes; positions: `SortedLayout.position`); `scratch.below[s]` = draws of stratum s
 * below the threshold (its rows drawn in total is its size).
 *
 * A count must fit in a byte (255). A resample where one would not (a stratum of more than 255 rows drawing one
 * row more than 255 times: probability below 10^-400 for any data set) is drawn again from the next stream of r.
 *
 * @param sizes [strata] rows of each stratum
 * @param counts [stride · n] the lane's bytes overwritten
 * @param firstAttempt the stream to start from (0; the SIMD draw hands over a lane it could not finish as 1)
 */
export function drawResample(
  layout: SortedLayout,
  sizes: Int32Array,
  seed: number,
  r: number,
  counts: Uint8Array,
  stride: number,
  lane: number,
  scratch: ResampleScratch,
  firstAttempt = 0,
): void {
  for (let attempt = firstAttempt; ; attempt++) {
    seedStream(seed, r, attempt, scratch.state);
    poissonCounts(layout, counts, stride, lane, scratch);
    if (correctTotals(layout, sizes, counts, stride, lane, scratch)) return;
  }
}

/** Poisson(1) counts of every position, stratum by stratum, with each stratum's totals below the threshold and in all. */
function poissonCounts(
  layout: SortedLayout,
  counts: Uint8Array,
  stride: number,
  lane: number,
  scratch: ResampleScratch,
): void {
  const { offsets, stratumBelow, strata } = layout;
  const { below, count } = scratch;
  for (let s = 0; s < strata; s++) {
    const start = offsets[s] as number;
    const middle = start + (stratumBelow[s] as number);
    const drawnBelow = poissonRange(counts, stride, lane, scratch, start, middle);
    below[s] = drawnBelow;
    count[s] = drawnBelow + poissonRange(counts, stride, lane, scratch, middle, offsets[s + 1] as number);
  }
}

/**
 * Poisson counts of positions [from, to) into the lane's bytes, one output each; returns their sum.
 */
function poissonRange(
  counts: Uint8Array,
  stride: number,
  lane: number,
  scratch: ResampleScratch,
  from: number,
  to: number,
): number {
  const { table, thresholds } = scratch.poisson;
  const state = scratch.state;
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let total = 0;
  for (let p = from; p < to; p++) {
    // sfc32, inlined.
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    let w = table[t >>> 20] as number;
    if (w === 255) w = countOf(thresholds, t >>> 0);
    counts[stride * p + lane] = w;
    total += w;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
  return total;
}

/**
 * Brings each stratum's total (`scratch.count`, with the stream in `scratch.state` right after the Poisson counts)
 * to its size: removes uniformly chosen drawn balls (rejection: a uniform row, kept with probability
 * count / the largest count a draw can give) or adds uniform draws. False when a count would pass 255.
 */
export function correctTotals(
  layout: SortedLayout,
  sizes: Int32Array,
  counts: Uint8Array,
  stride: number,
  lane: number,
  scratch: ResampleScratch,
): boolean {
  const { offsets, stratumBelow, strata } = layout;
  const { state, count, below } = scratch;
  const largest = scratch.poisson.thresholds.length;
  const largestShift = Math.clz32(largest - 1);
  for (let s = 0; s < strata; s++) {
    const m = sizes[s] as number;
    const shift = Math.clz32(m - 1);
    const start = offsets[s] as number;
    const belowRows = stratumBelow[s] as number;
    let excess = (count[s] as number) - m;
    while (excess > 0) {
      const i = uniformBelow(state, m, shift);
      const at = stride * (start + i) + lane;
      const v = counts[at] as number;
      if (uniformBelow(state, largest, largestShift) >= v) continue;
      counts[at] = v - 1;
      if (i < belowRows) below[s] = (below[s] as number) - 1;
      excess--;
    }
    while (excess < 0) {
      const i = uniformBelow(state, m, shift);
      const at = stride * (start + i) + lane;
      const v = counts[at] as number;
      if (v === 255) return false;
      counts[at] = v + 1;
      if (i < belowRows) below[s] = (below[s] as number) + 1;
      excess++;
    }
  }
  return true;
}
