/**
 * Bootstrap replicates of every slot's metrics and every attribute's gaps: resample r is drawn from its own
 * stream (seed, r) and written to column · resamples + r, so any split of the resamples over threads gives the
 * same replicates (bootstrap-parallel.ts). Shared by the main thread and the bootstrap worker: no Node imports.
 */
import { correctTotals, drawResample, resampleScratch, seedStream, type ResampleScratch } from './resample';
import { simdKernels, simdLanes, type SimdKernels } from './simd-kernels';
import {
  lanes,
  passSums,
  slotCounts,
  stratumSizes,
  weightedPass,
  type PassSums,
  type SortedLayout,
} from './weighted-pass';

/** Metrics per slot in a replicate, in the order of `metricNames`. */
export const metricCount = 5;
/** Gaps per attribute: one per metric, then the worst group's AUC. */
export const gapCount = metricCount + 1;

/** Everything a thread needs to compute resamples: plain data (typed arrays), cloneable to a worker. */
export interface BootstrapPlan {
  readonly layout: SortedLayout;
  readonly resamples: number;
  readonly seed: number;
  /** [attributes] first slot of each attribute's values, and how many values it has. */
  readonly bases: Int32Array;
  readonly valueCounts: Int32Array;
  /** [slots] 1 where the slot has rows. */
  readonly present: Uint8Array;
}

/** Columns of the replicates array: slots × metrics, then attributes × gaps. */
export function replicateColumns(plan: BootstrapPlan): number {
  return plan.layout.slots * metricCount + plan.layout.attributes * gapCount;
}

/** A metric of one slot as a number, NaN where undefined (the resample's equivalent of null). */
export function slotMetric(sums: PassSums, g: number, metric: number): number {
  const p = sums.positives[g] as number;
  const q = sums.negatives[g] as number;
  const fn = sums.positivesBelow[g] as number;
  const tn = sums.negativesBelow[g] as number;
  const tp = p - fn;
  switch (metric) {
    case 0:
      return p > 0 && q > 0 ? (sums.u2[g] as number) / (2 * p * q) : NaN;
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

/** Per-thread buffers for `bootstrapRange`, reused across resamples. */
export interface BootstrapScratch {
  readonly sizes: Int32Array;
  /** The WebAssembly SIMD kernels, or null: the JavaScript loops. */
  readonly simd: SimdKernels | null;
  /** Resamples per pass: 8 with the kernels, 4 in JavaScript; a position's counts are that many bytes. */
  readonly batch: number;
  /** [batch · n] the counts (in the kernels' memory where they run). */
  readonly countBytes: Uint8Array;
  /** [(slots + 1) · batch] 2U per slot and lane. */
  readonly u2: Float64Array;
  readonly sums: PassSums;
  readonly resample: ResampleScratch[];
}

/**
 * @param useSimd false forces the JavaScript loops (tests compare the two)
 */
export function bootstrapScratch(plan: BootstrapPlan, useSimd = true): BootstrapScratch {
  const { layout } = plan;
  const resample = Array.from({ length: simdLanes }, () => resampleScratch(layout));
  const simd = useSimd
    ? simdKernels(
        layout.position,
        layout.flags,
        layout.listIndex,
        layout.listFlags,
        layout.slotStart,
        layout.slots,
        (resample[0] as ResampleScratch).poisson,
      )
    : null;
  const batch = simd === null ? lanes : simdLanes;
  return {
    sizes: stratumSizes(layout),
    simd,
    batch,
    countBytes: simd === null ? new Uint8Array(lanes * layout.n) : simd.countBytes,
    u2: new Float64Array((layout.slots + 1) * batch),
    sums: passSums(layout),
    resample,
  };
}

/**
 * Resamples [from, to) into `replicates` ([columns · resamples], column-major by resample), a batch at a time.
 * Resample r depends only on (seed, r): any split of the resamples into ranges gives the same replicates.
 */
export function bootstrapRange(
  plan: BootstrapPlan,
  replicates: Float64Array,
  from: number,
  to: number,
  scratch: BootstrapScratch = bootstrapScratch(plan),
): void {
  const { layout, seed } = plan;
  const { sizes, countBytes, u2, sums, simd, batch } = scratch;
  const counts = new Uint32Array(countBytes.buffer, countBytes.byteOffset, countBytes.length / 4);
  for (let first = from; first < to; first += batch) {
    const used = Math.min(batch, to - first);
    // A lane left unused keeps the counts of an earlier resample: its sums are computed and ignored.
    if (simd !== null) {
      drawLanes(layout, sizes, seed, first, used, simd, scratch.resample);
      simd.pass(u2);
    } else {
      for (let lane = 0; lane < used; lane++)
        drawResample(
          layout,
          sizes,
          seed,
          first + lane,
          countBytes,
          lanes,
          lane,
          scratch.resample[lane] as ResampleScratch,
        );
      weightedPass(layout, counts, u2);
    }
    for (let lane = 0; lane < used; lane++) {
      const resample = scratch.resample[lane] as ResampleScratch;
      slotCounts(layout, sizes, resample.below, sums);
      for (let g = 0; g <= layout.slots; g++) sums.u2[g] = u2[g * batch + lane] as number;
      writeReplicate(plan, sums, replicates, first + lane);
    }
  }
}

/**
 * `drawResample` of resamples first … first + 7 at once: the Poisson counts by the SIMD kernel (two groups of
 * four lanes), the corrections to the strata's sizes lane by lane in JavaScript (from each lane's stream where the
 * kernel left it).
 */
function drawLanes(
  layout: SortedLayout,
  sizes: Int32Array,
  seed: number,
  first: number,
  used: number,
  simd: SimdKernels,
  scratch: ResampleScratch[],
): void {
  const { state, totals } = simd;
  for (let lane = 0; lane < simdLanes; lane++) {
    const own = (scratch[lane] as ResampleScratch).state;
    seedStream(seed, first + lane, 0, own);
    const at = 16 * (lane >> 2) + (lane & 3);
    for (let i = 0; i < 4; i++) state[at + 4 * i] = own[i] as number;
  }
  const { offsets, stratumBelow, strata } = layout;
  for (let s = 0; s < strata; s++) {
    const start = offsets[s] as number;
    const middle = start + (stratumBelow[s] as number);
    const end = offsets[s + 1] as number;
    for (let group = 0; group < simdLanes / 4; group++) {
      simd.draw(group, start, middle);
      for (let lane = 4 * group; lane < 4 * group + 4; lane++)
        (scratch[lane] as ResampleScratch).below[s] = totals[lane] as number;
      simd.draw(group, middle, end);
      for (let lane = 4 * group; lane < 4 * group + 4; lane++) {
        const own = scratch[lane] as ResampleScratch;
        own.count[s] = (own.below[s] as number) + (totals[lane] as number);
      }
    }
  }
  for (let lane = 0; lane < used; lane++) {
    const own = scratch[lane] as ResampleScratch;
    const at = 16 * (lane >> 2) + (lane & 3);
    for (let i = 0; i < 4; i++) own.state[i] = state[at + 4 * i] as number;
    if (!correctTotals(layout, sizes, simd.countBytes, simdLanes, lane, own))
      drawResample(layout, sizes, seed, first + lane, simd.countBytes, simdLanes, lane, own, 1);
  }
}

/** Resample r's metrics and gaps from its sums. */
function writeReplicate(plan: BootstrapPlan, sums: PassSums, replicates: Float64Array, r: number): void {
  const { layout, resamples, bases, valueCounts, present } = plan;
  const slots = layout.slots;
  for (let g = 0; g < slots; g++)
    for (let m = 0; m < metricCount; m++) replicates[(g * metricCount + m) * resamples + r] = slotMetric(sums, g, m);
  for (let a = 0; a < layout.attributes; a++) {
    const base = bases[a] as number;
    const values = valueCounts[a] as number;
    const column = slots * metricCount + a * gapCount;
    for (let m = 0; m < metricCount; m++) {
      let lo = Infinity;
      let hi = -Infinity;
      let defined = 0;
      for (let v = 0; v < values; v++) {
        const g = base + v;
        if (present[g] !== 1) continue;
        const x = slotMetric(sums, g, m);
        if (Number.isNaN(x)) continue;
        defined++;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      replicates[(column + m) * resamples + r] = defined >= 2 ? hi - lo : NaN;
      if (m === 0) replicates[(column + metricCount) * resamples + r] = defined >= 1 ? lo : NaN;
    }
  }
}

/**
 * Claims batches of resamples from a shared counter (`claim[0]`, advanced atomically) until none is left:
 * how a thread takes its share, whichever thread it is.
 */
export function bootstrapClaimed(
  plan: BootstrapPlan,
  replicates: Float64Array,
  claim: Int32Array,
  batch: number,
  scratch: BootstrapScratch = bootstrapScratch(plan),
): number {
  let done = 0;
  for (;;) {
    const from = Atomics.add(claim, 0, batch);
    if (from >= plan.resamples) return done;
    const to = Math.min(plan.resamples, from + batch);
    bootstrapRange(plan, replicates, from, to, scratch);
    done += to - from;
  }
}
