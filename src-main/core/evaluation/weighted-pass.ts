/**
 * The hot loop of the evaluation: every group's Mann–Whitney U and confusion counts in one pass over
 * the rows in ascending score order, each row weighted by how often a bootstrap resample drew it.
 * Scores are sorted once; a resample only changes the weights, so it costs O(n) (ARCHITECTURE.md §7).
 * Typed arrays only: no per-row objects.
 */
import { ascendingOrder } from './auc';

/** Rows in ascending score order with their groups: built once, shared by every resample. */
export interface SortedLayout {
  readonly n: number;
  /** Attributes (slot columns). */
  readonly attributes: number;
  /** Slots: 0 is every row, then one per (attribute, value); slot `slots` itself is the sink for excluded rows. */
  readonly slots: number;
  /** [n] label (0/1) of the k-th lowest score. */
  readonly labels: Uint8Array;
  /** [attributes · n] slot of the k-th lowest score for attribute a, at a·n + k. */
  readonly slotOf: Int32Array;
  /** [n] at the first k of a run of equal scores: one past its last k (else unused). */
  readonly blockEnd: Int32Array;
  /** The first k whose score is >= the threshold (n when none). */
  readonly cut: number;
  /** [n] the row (input order) of the k-th lowest score. */
  readonly order: Int32Array;
}

/** Weighted sums per slot from one pass; index = slot. */
export interface PassSums {
  /** Mann–Whitney U: Σ over positives of weight × (negatives below + ½ negatives tied). */
  readonly u: Float64Array;
  /** Weighted positives and negatives. */
  readonly positives: Float64Array;
  readonly negatives: Float64Array;
  /** Weighted positives and negatives scored below the threshold (false negatives, true negatives). */
  readonly positivesBelow: Float64Array;
  readonly negativesBelow: Float64Array;
}

/**
 * @param scores [n] finite numbers
 * @param labels [n] 0/1
 * @param slotOfRow [attributes] each [n]: slot of row i for that attribute, or -1 to leave it out
 * @param slots number of slots, overall (0) included
 */
export function sortedLayout(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  slotOfRow: readonly Int32Array[],
  slots: number,
  threshold: number,
): SortedLayout {
  const n = scores.length;
  const order = ascendingOrder(scores);
  const sortedLabels = new Uint8Array(n);
  const blockEnd = new Int32Array(n);
  const attributes = slotOfRow.length;
  const slotOf = new Int32Array(attributes * n);
  let cut = n;
  for (let k = 0; k < n; k++) {
    const row = order[k] as number;
    sortedLabels[k] = labels[row] === 1 ? 1 : 0;
    for (let a = 0; a < attributes; a++) {
      const slot = (slotOfRow[a] as Int32Array)[row] as number;
      slotOf[a * n + k] = slot < 0 ? slots : slot;
    }
    if (cut === n && (scores[row] as number) >= threshold) cut = k;
  }
  let start = 0;
  for (let k = 1; k <= n; k++) {
    if (k === n || scores[order[k] as number] !== scores[order[start] as number]) {
      blockEnd[start] = k;
      start = k;
    }
  }
  return { n, attributes, slots, labels: sortedLabels, slotOf, blockEnd, cut, order };
}

/** Scratch arrays for `weightedPass`, sized for the layout's slots plus the sink. */
export function passSums(layout: SortedLayout): PassSums {
  const size = layout.slots + 1;
  return {
    u: new Float64Array(size),
    positives: new Float64Array(size),
    negatives: new Float64Array(size),
    positivesBelow: new Float64Array(size),
    negativesBelow: new Float64Array(size),
  };
}

/**
 * One pass: the weight of the k-th lowest score is `weights[weightIndex[k]]`.
 *
 * @param weights resample counts, in whatever order `weightIndex` maps to
 * @param weightIndex [n] position in `weights` of the k-th lowest score
 * @param out overwritten
 */
export function weightedPass(
  layout: SortedLayout,
  weights: Uint8Array | Uint32Array,
  weightIndex: Int32Array,
  out: PassSums,
  scratch: PassScratch,
): void {
  out.u.fill(0);
  out.positives.fill(0);
  out.negatives.fill(0);
  const overall = scratch.overall;
  overall.fill(0);
  // Below the threshold, then the rest: the hot loop has no branch that runs once per pass (such a branch costs
  // a deoptimisation per call in V8 when it was never seen before the loop was optimised).
  passRange(layout, weights, weightIndex, out, scratch, 0, layout.cut);
  out.positivesBelow.set(out.positives);
  out.negativesBelow.set(out.negatives);
  out.positivesBelow[0] = overall[1] as number;
  out.negativesBelow[0] = overall[2] as number;
  passRange(layout, weights, weightIndex, out, scratch, layout.cut, layout.n);
  out.u[0] = overall[0] as number;
  out.positives[0] = overall[1] as number;
  out.negatives[0] = overall[2] as number;
}

/** Scratch of `weightedPass`: per-slot sums of a run of tied scores, and slot 0's [u, positives, negatives]. */
export interface PassScratch {
  readonly blockPositives: Float64Array;
  readonly blockNegatives: Float64Array;
  readonly overall: Float64Array;
}

export function passScratch(layout: SortedLayout): PassScratch {
  return {
    blockPositives: new Float64Array(layout.slots + 1),
    blockNegatives: new Float64Array(layout.slots + 1),
    overall: new Float64Array(3),
  };
}

function passRange(
  layout: SortedLayout,
  weights: Uint8Array | Uint32Array,
  weightIndex: Int32Array,
  out: PassSums,
  scratch: PassScratch,
  from: number,
  to: number,
): void {
  const { n, attributes, labels, slotOf, blockEnd } = layout;
  const { u, positives, negatives } = out;
  const overall = scratch.overall;
  // Slot 0 (every row) lives in locals; the others in the arrays.
  let u0 = overall[0] as number;
  let p0 = overall[1] as number;
  let n0 = overall[2] as number;
  let k = from;
  while (k < to) {
    const end = blockEnd[k] as number;
    if (end !== k + 1) {
      overall[0] = u0;
      overall[1] = p0;
      overall[2] = n0;
      tiedRun(layout, weights, weightIndex, out, scratch, k, end);
      u0 = overall[0] as number;
      p0 = overall[1] as number;
      n0 = overall[2] as number;
      k = end;
      continue;
    }
    const w = weights[weightIndex[k] as number] as number;
    const p = (labels[k] as number) * w;
    const q = w - p;
    u0 += p * n0;
    p0 += p;
    n0 += q;
    for (let a = 0, at = k; a < attributes; a++, at += n) {
      const g = slotOf[at] as number;
      u[g] = (u[g] as number) + p * (negatives[g] as number);
      positives[g] = (positives[g] as number) + p;
      negatives[g] = (negatives[g] as number) + q;
    }
    k = end;
  }
  overall[0] = u0;
  overall[1] = p0;
  overall[2] = n0;
}

/** A run of tied scores [from, to): a positive counts the negatives below the run in full and those in it half. */
function tiedRun(
  layout: SortedLayout,
  weights: Uint8Array | Uint32Array,
  weightIndex: Int32Array,
  out: PassSums,
  scratch: PassScratch,
  from: number,
  to: number,
): void {
  const { n, attributes, labels, slotOf } = layout;
  const { u, positives, negatives } = out;
  const { blockPositives, blockNegatives, overall } = scratch;
  let bp = 0;
  let bn = 0;
  for (let j = from; j < to; j++) {
    const w = weights[weightIndex[j] as number] as number;
    const p = (labels[j] as number) * w;
    bp += p;
    bn += w - p;
    for (let a = 0, at = j; a < attributes; a++, at += n) {
      const g = slotOf[at] as number;
      blockPositives[g] = (blockPositives[g] as number) + p;
      blockNegatives[g] = (blockNegatives[g] as number) + (w - p);
    }
  }
  overall[0] = (overall[0] as number) + bp * ((overall[2] as number) + 0.5 * bn);
  overall[1] = (overall[1] as number) + bp;
  overall[2] = (overall[2] as number) + bn;
  for (let j = from; j < to; j++) {
    for (let a = 0, at = j; a < attributes; a++, at += n) {
      const g = slotOf[at] as number;
      const bpg = blockPositives[g] as number;
      const bng = blockNegatives[g] as number;
      // Zeroed below, so a slot that several rows of the run share is counted once.
      u[g] = (u[g] as number) + bpg * ((negatives[g] as number) + 0.5 * bng);
      positives[g] = (positives[g] as number) + bpg;
      negatives[g] = (negatives[g] as number) + bng;
      blockPositives[g] = 0;
      blockNegatives[g] = 0;
    }
  }
}

/**
 * Strata for a stratified bootstrap: rows with the same slot in every attribute and the same label
 * share a stratum. Weights are laid out stratum by stratum (ascending score within each), so a resample
 * writes each stratum's counts into one contiguous range.
 */
export interface Strata {
  /** [strata + 1] start of each stratum in the weights array. */
  readonly offsets: Int32Array;
  /** [n] position in the weights array of the k-th lowest score. */
  readonly weightIndex: Int32Array;
}

export function strataOf(layout: SortedLayout): Strata {
  const { n, attributes, labels, slotOf } = layout;
  const radix = layout.slots + 1;
  // A numeric key (label + 2 · mixed-radix slots) while it stays exact, else a string.
  const numeric = 2 * radix ** attributes < Number.MAX_SAFE_INTEGER;
  const ids = new Map<number | string, number>();
  const stratumOf = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    let key: number | string;
    if (numeric) {
      let slotsKey = 0;
      for (let a = 0; a < attributes; a++) slotsKey = slotsKey * radix + (slotOf[a * n + k] as number);
      key = slotsKey * 2 + (labels[k] as number);
    } else {
      const parts = [labels[k] as number];
      for (let a = 0; a < attributes; a++) parts.push(slotOf[a * n + k] as number);
      key = parts.join(',');
    }
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    stratumOf[k] = id;
  }
  const offsets = new Int32Array(ids.size + 1);
  for (let k = 0; k < n; k++) {
    const at = (stratumOf[k] as number) + 1;
    offsets[at] = (offsets[at] as number) + 1;
  }
  for (let s = 0; s < ids.size; s++) offsets[s + 1] = (offsets[s + 1] as number) + (offsets[s] as number);
  const next = offsets.slice(0, ids.size);
  const weightIndex = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const s = stratumOf[k] as number;
    const at = next[s] as number;
    weightIndex[k] = at;
    next[s] = at + 1;
  }
  return { offsets, weightIndex };
}

/**
 * One stratified multinomial resample: each stratum of m rows gets m draws with replacement, uniform
 * over its rows; `counts[i]` = times position i was drawn. Uses and advances the mulberry32 state.
 *
 * @returns the new state, or null with `counts` unusable when a count passed 255 (Uint8Array counts):
 *   the caller redraws from the same state into a Uint32Array.
 */
export function drawStratified(strata: Strata, counts: Uint8Array | Uint32Array, state: number): number | null {
  const { offsets } = strata;
  counts.fill(0);
  const limit = counts instanceof Uint8Array ? 255 : 0xffffffff;
  let s = state | 0;
  let overflow = false;
  for (let c = 0; c + 1 < offsets.length; c++) {
    const start = offsets[c] as number;
    const m = (offsets[c + 1] as number) - start;
    for (let i = 0; i < m; i++) {
      // mulberry32 (Tommy Ettinger): a 32-bit state, one multiply-xorshift round per draw.
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      const j = start + Math.floor(((t ^ (t >>> 14)) >>> 0) * 2.3283064365386963e-10 * m);
      const v = counts[j] as number;
      if (v === limit) overflow = true;
      counts[j] = v + 1;
    }
  }
  return overflow ? null : s;
}
