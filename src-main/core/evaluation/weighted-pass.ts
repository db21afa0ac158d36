/**
 * The hot loop of the evaluation: every group's Mann–Whitney U from passes over the rows in ascending score order,
 * each row weighted by how often a bootstrap resample drew it. Scores are sorted once; a resample only changes the
 * weights, so it costs O(n) (docs/metrics.md, "Bootstrap intervals"). Typed arrays only: no per-row objects, no
 * closures, one weight type, so the loops stay monomorphic.
 *
 * This is the JavaScript pass (the reference, and the fallback where WebAssembly SIMD is missing: simd-kernels.ts
 * does the same for eight resamples at once). Four resamples ("lanes") go through it together: a row's four counts
 * are the four bytes of one Uint32, and each lane's sums are locals, so the four dependency chains run side by side.
 *
 * Rows are grouped into strata: one stratum per combination of every attribute's slot and the label. A stratum's
 * size, and so every group's positives and negatives, is the same in every stratified resample; what a resample
 * changes is each group's U and how many of its rows fall below the threshold.
 */
import { sortKey, sortScores } from './auc';

/** Resamples per pass: one byte each of a Uint32 count. */
export const lanes = 4;

/** Rows in ascending score order with their strata: built once, shared by every resample (and every worker). */
export interface SortedLayout {
  readonly n: number;
  /** Attributes (slot columns). */
  readonly attributes: number;
  /** Slots: 0 is every row, then one per (attribute, value); slot `slots` itself is the sink for excluded rows. */
  readonly slots: number;
  /** Strata: rows with the same slot in every attribute and the same label. */
  readonly strata: number;
  /**
   * [n] of the k-th lowest score: its label, plus 2 where it starts a run of equal scores. Within a run,
   * negatives come before positives (the passes rely on it).
   */
  readonly flags: Uint8Array;
  /**
   * Counts are stored stratum by stratum ("positions": stratum s at [offsets[s], offsets[s + 1]), ascending score
   * within each), so that drawing a resample writes them in order. [n] position of the k-th lowest score.
   */
  readonly position: Int32Array;
  /**
   * Each slot's rows as a list of positions in ascending score order, slot g at [slotStart[g], slotStart[g + 1]);
   * slot 0 (every row) and excluded rows have none. `listFlags` as `flags`, with runs taken within the list.
   */
  readonly listIndex: Int32Array;
  readonly listFlags: Uint8Array;
  readonly slotStart: Int32Array;
  /** [strata] label (0/1) of each stratum. */
  readonly stratumLabel: Uint8Array;
  /** [strata · attributes] slot of stratum s for attribute a, at s·attributes + a (`slots` for the sink). */
  readonly stratumSlots: Int32Array;
  /** [strata + 1] first position of each stratum. */
  readonly offsets: Int32Array;
  /** [strata] rows of the stratum scored below the threshold: they are its first positions. */
  readonly stratumBelow: Int32Array;
  /** The first k whose score is >= the threshold (n when none). */
  readonly cut: number;
}

/** Per-slot sums of one lane (index = slot; the sink slot included). */
export interface PassSums {
  /** 2 × Mann–Whitney U: Σ over positives of weight × (2 · negatives below + negatives tied). Integer-valued. */
  readonly u2: Float64Array;
  /** Weighted positives and negatives: the same in every stratified resample. */
  readonly positives: Float64Array;
  readonly negatives: Float64Array;
  /** Weighted positives and negatives scored below the threshold (false negatives, true negatives). */
  readonly positivesBelow: Float64Array;
  readonly negativesBelow: Float64Array;
}

/** SharedArrayBuffer-backed typed arrays, so that bootstrap workers read the layout without a copy. */
function shared<T extends Int32Array | Uint8Array>(Type: new (buffer: SharedArrayBuffer) => T, length: number): T {
  const bytes = Type === (Int32Array as unknown) ? 4 : 1;
  return new Type(new SharedArrayBuffer(Math.max(1, length) * bytes));
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
  const attributes = slotOfRow.length;

  // Strata, in input order (sequential reads): a numeric key (label + 2 · mixed-radix slots), looked up in a table
  // while the key space is small, else in a Map.
  const radix = slots + 1;
  const keySpace = 2 * radix ** attributes;
  const table = keySpace <= 1 << 20 ? new Int32Array(keySpace).fill(-1) : null;
  const ids = new Map<number | string, number>();
  const stratumLabels: number[] = [];
  const stratumSlotList: number[] = [];
  const stratumOfRow = new Int32Array(n);
  const rowSlots = new Int32Array(attributes);
  for (let i = 0; i < n; i++) {
    const label = labels[i] === 1 ? 1 : 0;
    let numeric = 0;
    for (let a = 0; a < attributes; a++) {
      const slot = (slotOfRow[a] as Int32Array)[i] as number;
      const g = slot < 0 ? slots : slot;
      rowSlots[a] = g;
      numeric = numeric * radix + g;
    }
    numeric = numeric * 2 + label;
    let id: number;
    if (table !== null) id = table[numeric] as number;
    else {
      const key = keySpace < Number.MAX_SAFE_INTEGER ? numeric : `${label},${rowSlots.join(',')}`;
      id = ids.get(key) ?? -1;
      if (id < 0) ids.set(key, stratumLabels.length);
    }
    if (id < 0) {
      id = stratumLabels.length;
      stratumLabels.push(label);
      for (let a = 0; a < attributes; a++) stratumSlotList.push(rowSlots[a] as number);
      if (table !== null) table[numeric] = id;
    }
    stratumOfRow[i] = id;
  }
  const strata = stratumLabels.length;
  const stratumLabel = shared(Uint8Array, strata);
  stratumLabel.set(stratumLabels);
  const stratumSlots = shared(Int32Array, strata * attributes);
  stratumSlots.set(stratumSlotList);

  // Sorted: each position's stratum (one gather), runs of equal keys; within a run negatives first (stable).
  const { order, hi, lo } = sortScores(scores);
  const stratumOf = new Int32Array(n);
  for (let k = 0; k < n; k++) stratumOf[k] = stratumOfRow[order[k] as number] as number;
  const runOf = new Int32Array(n);
  const flags = shared(Uint8Array, n);
  const spare: number[] = [];
  let runs = -1;
  let start = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0 && k < n && hi[k] === hi[k - 1] && lo[k] === lo[k - 1]) continue;
    if (k - start > 1) {
      // Positives of the run [start, k) to its end, in order.
      spare.length = 0;
      let at = start;
      for (let j = start; j < k; j++) {
        const s = stratumOf[j] as number;
        if (stratumLabel[s] === 1) spare.push(s);
        else stratumOf[at++] = s;
      }
      for (const s of spare) stratumOf[at++] = s;
    }
    if (k === n) break;
    runs++;
    flags[k] = 2;
    start = k;
    runOf[k] = runs;
  }
  for (let k = 1; k < n; k++) if (flags[k] !== 2) runOf[k] = runOf[k - 1] as number;
  for (let k = 0; k < n; k++) flags[k] = (flags[k] as number) | (stratumLabel[stratumOf[k] as number] as number);
  // The first k whose score is >= the threshold: a binary search on the keys.
  const [th, tl] = sortKey(threshold);
  let below = 0;
  let above = n;
  while (below < above) {
    const mid = (below + above) >>> 1;
    const h = hi[mid] as number;
    if (h < th || (h === th && (lo[mid] as number) < tl)) below = mid + 1;
    else above = mid;
  }
  const cut = below;
  const slotsOf = new Int32Array(attributes * n);
  for (let k = 0; k < n; k++) {
    const s = stratumOf[k] as number;
    for (let a = 0; a < attributes; a++) slotsOf[a * n + k] = stratumSlots[s * attributes + a] as number;
  }

  // Positions: stratum by stratum, ascending score within each.
  const offsets = shared(Int32Array, strata + 1);
  const stratumBelow = shared(Int32Array, strata);
  for (let k = 0; k < n; k++) {
    const s = stratumOf[k] as number;
    offsets[s + 1] = (offsets[s + 1] as number) + 1;
    if (k < cut) stratumBelow[s] = (stratumBelow[s] as number) + 1;
  }
  for (let s = 0; s < strata; s++) offsets[s + 1] = (offsets[s + 1] as number) + (offsets[s] as number);
  const position = shared(Int32Array, n);
  const next = offsets.slice(0, strata);
  for (let k = 0; k < n; k++) {
    const s = stratumOf[k] as number;
    position[k] = next[s] as number;
    next[s] = (next[s] as number) + 1;
  }

  // Slots' lists, ascending; a run starts in a list where the previous entry of the list is in another run.
  const slotStart = shared(Int32Array, slots + 1);
  for (let i = 0; i < attributes * n; i++) {
    const g = slotsOf[i] as number;
    if (g < slots) slotStart[g + 1] = (slotStart[g + 1] as number) + 1;
  }
  for (let g = 0; g < slots; g++) slotStart[g + 1] = (slotStart[g + 1] as number) + (slotStart[g] as number);
  const length = slotStart[slots] as number;
  const listIndex = shared(Int32Array, length);
  const listFlags = shared(Uint8Array, length);
  const fill = slotStart.slice(0, slots);
  const lastRun = new Int32Array(slots).fill(-1);
  for (let a = 0; a < attributes; a++) {
    for (let k = 0; k < n; k++) {
      const g = slotsOf[a * n + k] as number;
      if (g === slots) continue;
      const at = fill[g] as number;
      fill[g] = at + 1;
      listIndex[at] = position[k] as number;
      const run = runOf[k] as number;
      listFlags[at] = ((flags[k] as number) & 1) | ((lastRun[g] as number) === run ? 0 : 2);
      lastRun[g] = run;
    }
  }

  return {
    n,
    attributes,
    slots,
    strata,
    flags,
    position,
    listIndex,
    listFlags,
    slotStart,
    stratumLabel,
    stratumSlots,
    offsets,
    stratumBelow,
    cut,
  };
}

/**
 * 2 × U of every slot for four lanes at once: the counts of the k-th lowest score are the bytes of
 * `counts[position[k]]` (lane l in bits 8l to 8l + 7).
 *
 * A positive counts the negatives of its group below its run of equal scores in full and those in the run half:
 * 2U gains weight × (negatives so far + negatives before the run), since within a run the negatives come first.
 *
 * @param u2 [(slots + 1) · lanes] overwritten: slot g, lane l at g·lanes + l
 */
export function weightedPass(layout: SortedLayout, counts: Uint32Array, u2: Float64Array): void {
  u2.fill(0);
  // Slot 0 (every row) over the rows themselves; each other slot over its list.
  passList(counts, layout.position, layout.flags, 0, layout.n, u2, 0);
  const { slotStart, listIndex, listFlags } = layout;
  for (let g = 1; g < layout.slots; g++)
    passList(counts, listIndex, listFlags, slotStart[g] as number, slotStart[g + 1] as number, u2, g * lanes);
}

/** One list's 2U for four lanes: entries [from, to) of `flags`, counts at `index[j]`. */
function passList(
  counts: Uint32Array,
  index: Int32Array,
  flags: Uint8Array,
  from: number,
  to: number,
  u2: Float64Array,
  at: number,
): void {
  // Negatives so far, negatives before the current run, 2U: per lane.
  let n0 = 0;
  let n1 = 0;
  let n2 = 0;
  let n3 = 0;
  let r0 = 0;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  let u0 = 0;
  let u1 = 0;
  let u2b = 0;
  let u3 = 0;
  for (let j = from; j < to; j++) {
    const f = flags[j] as number;
    const w = counts[index[j] as number] as number;
    if ((f & 2) !== 0) {
      r0 = n0;
      r1 = n1;
      r2 = n2;
      r3 = n3;
    }
    if ((f & 1) !== 0) {
      u0 += (w & 255) * (n0 + r0);
      u1 += ((w >>> 8) & 255) * (n1 + r1);
      u2b += ((w >>> 16) & 255) * (n2 + r2);
      u3 += (w >>> 24) * (n3 + r3);
    } else {
      n0 += w & 255;
      n1 += (w >>> 8) & 255;
      n2 += (w >>> 16) & 255;
      n3 += w >>> 24;
    }
  }
  u2[at] = u0;
  u2[at + 1] = u1;
  u2[at + 2] = u2b;
  u2[at + 3] = u3;
}

/**
 * Every slot's positives, negatives and below-threshold counts from per-stratum counts (a slot's are the sums
 * of its strata's).
 *
 * @param stratumCount [strata] weighted rows of each stratum
 * @param stratumBelow [strata] weighted rows of each stratum below the threshold
 */
export function slotCounts(
  layout: SortedLayout,
  stratumCount: ArrayLike<number>,
  stratumBelow: ArrayLike<number>,
  out: PassSums,
): void {
  const { attributes, strata, stratumLabel, stratumSlots } = layout;
  out.positives.fill(0);
  out.negatives.fill(0);
  out.positivesBelow.fill(0);
  out.negativesBelow.fill(0);
  for (let s = 0; s < strata; s++) {
    const count = stratumCount[s] as number;
    const below = stratumBelow[s] as number;
    const total = stratumLabel[s] === 1 ? out.positives : out.negatives;
    const totalBelow = stratumLabel[s] === 1 ? out.positivesBelow : out.negativesBelow;
    total[0] = (total[0] as number) + count;
    totalBelow[0] = (totalBelow[0] as number) + below;
    for (let a = 0; a < attributes; a++) {
      const g = stratumSlots[s * attributes + a] as number;
      total[g] = (total[g] as number) + count;
      totalBelow[g] = (totalBelow[g] as number) + below;
    }
  }
}

export function passSums(layout: SortedLayout): PassSums {
  const size = layout.slots + 1;
  return {
    u2: new Float64Array(size),
    positives: new Float64Array(size),
    negatives: new Float64Array(size),
    positivesBelow: new Float64Array(size),
    negativesBelow: new Float64Array(size),
  };
}

/** Rows of each stratum (its size). */
export function stratumSizes(layout: SortedLayout): Int32Array {
  const sizes = new Int32Array(Math.max(1, layout.strata));
  for (let s = 0; s < layout.strata; s++) sizes[s] = (layout.offsets[s + 1] as number) - (layout.offsets[s] as number);
  return sizes;
}
