/**
 * The bootstrap's two hot loops in WebAssembly SIMD, eight resamples ("lanes") per pass, four per vector:
 *
 * - `pass`: `passList` of weighted-pass.ts for eight lanes (two groups of four). Per group the negatives so far
 *   and the negatives before the current run are one i32x4 vector each, 2U accumulates in two i64x2 vectors:
 *   about twenty vector instructions a row for eight resamples, no branch.
 * - `draw`: the Poisson counts of resample.ts (`poissonRange`) for one group, the four lanes' sfc32 streams side
 *   by side in four i32x4 vectors: the same numbers as the JavaScript draw, lane by lane.
 *
 * The module is under a kilobyte, assembled here (no build step, no binary in the repository); where WebAssembly
 * SIMD is missing, `simdKernels` returns null and the JavaScript loops run instead, with the same results
 * (tests/unit/evaluation-bootstrap.test.ts).
 *
 * The products weight × (negatives so far + negatives before the run) are taken as unsigned 32-bit numbers: exact
 * while 2 × 255 × n < 2^32, i.e. for fewer than 8.4 million rows (`simdMaxRows`); larger inputs use JavaScript.
 */

import type { PoissonDraw } from './resample';

/** The part of the WebAssembly JavaScript API used here (in neither lib ES2023 nor @types/node 20). */
interface WasmModule {
  readonly kind?: 'module';
}
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
};

/** Rows up to which the 32-bit products are exact. */
export const simdMaxRows = Math.floor(2 ** 32 / (2 * 255)) - 1;

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

/** Signed LEB128 (small constants). */
function sleb(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...[...text].map((c) => c.charCodeAt(0))];

// Opcodes.
const i32 = 0x7f;
const v128 = 0x7b;
const get = (local: number): number[] => [0x20, ...uleb(local)];
const set = (local: number): number[] => [0x21, ...uleb(local)];
const tee = (local: number): number[] => [0x22, ...uleb(local)];
const i32Const = (value: number): number[] => [0x41, ...sleb(value)];
const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...uleb(op), ...immediates];
const memarg = (align: number, offset = 0): number[] => [...uleb(align), ...uleb(offset)];

/** Lanes of the kernels: eight resamples, two i32x4 groups of four; a position's counts are eight bytes. */
export const simdLanes = 8;

/**
 * `pass(counts, index, labels, runs, from, to, out)`: 2U of one list for eight lanes into out (8 × u64). labels[j]
 * and runs[j] are bytes 0 or 255: the entry is a positive, it starts a run (splatted, they are the lane masks).
 */
function passBody(): number[] {
  // Parameters 0–6; locals: 7 j (i32), then v128: the eight counts (as i16x8), the label mask, the run-start mask,
  // and per group of four lanes: counts, negatives so far, negatives before the run, scratch, 2U of lanes 0–1 and
  // 2–3 of the group.
  const [counts, index, labels, runs, from, to, out, j, raw, label, runStart] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  ] as const;
  const group = (g: number) => {
    const at = 11 + 6 * g;
    return { w: at, neg: at + 1, run: at + 2, tmp: at + 3, uLow: at + 4, uHigh: at + 5 };
  };
  const lanesOf = (g: number): number[] => {
    const { w, neg, run, tmp, uLow, uHigh } = group(g);
    return [
      ...get(raw),
      ...simd(g === 0 ? 0xa9 : 0xaa), // i32x4.extend_low / extend_high_i16x8_u
      ...set(w),
      // run start: before-run = negatives
      ...get(neg),
      ...get(run),
      ...get(runStart),
      ...simd(0x52), // v128.bitselect
      ...set(run),
      // positive weights · (negatives + before-run), unsigned 32 × 32 → 64, into 2U
      ...get(w),
      ...get(label),
      ...simd(0x4e), // v128.and
      ...set(tmp),
      ...get(neg),
      ...get(run),
      ...simd(0xae), // i32x4.add
      ...set(w), // w now holds negatives + before-run (the counts are widened again below)
      ...get(uLow),
      ...get(tmp),
      ...get(w),
      ...simd(0xde), // i64x2.extmul_low_i32x4_u
      ...simd(0xce), // i64x2.add
      ...set(uLow),
      ...get(uHigh),
      ...get(tmp),
      ...get(w),
      ...simd(0xdf), // i64x2.extmul_high_i32x4_u
      ...simd(0xce),
      ...set(uHigh),
      // negatives += negative weights (the counts again, masked the other way)
      ...get(neg),
      ...get(raw),
      ...simd(g === 0 ? 0xa9 : 0xaa),
      ...get(label),
      ...simd(0x4f), // v128.andnot
      ...simd(0xae),
      ...set(neg),
    ];
  };
  const body: number[] = [
    ...get(from),
    ...set(j),
    0x02,
    0x40, // block
    ...get(j),
    ...get(to),
    0x4f, // i32.ge_u
    0x0d,
    0x00, // br_if 0
    0x03,
    0x40, // loop
    // the eight count bytes at counts + 8 · index[j], widened to i16x8
    ...get(counts),
    ...get(index),
    ...get(j),
    ...i32Const(2),
    0x74, // i32.shl
    0x6a, // i32.add
    0x28,
    ...memarg(2), // i32.load
    ...i32Const(3),
    0x74,
    0x6a,
    ...simd(0x02, ...memarg(0)), // v128.load8x8_u
    ...set(raw),
    ...get(runs),
    ...get(j),
    0x6a,
    ...simd(0x07, ...memarg(0)), // v128.load8_splat
    ...set(runStart),
    ...get(labels),
    ...get(j),
    0x6a,
    ...simd(0x07, ...memarg(0)),
    ...set(label),
    ...lanesOf(0),
    ...lanesOf(1),
    // while (++j < to)
    ...get(j),
    ...i32Const(1),
    0x6a,
    ...tee(j),
    ...get(to),
    0x49, // i32.lt_u
    0x0d,
    0x00, // br_if 0 (loop)
    0x0b, // end loop
    0x0b, // end block
    ...[0, 1].flatMap((g) => [
      ...get(out),
      ...get(group(g).uLow),
      ...simd(0x0b, ...memarg(0, 32 * g)), // v128.store
      ...get(out),
      ...get(group(g).uHigh),
      ...simd(0x0b, ...memarg(0, 32 * g + 16)),
    ]),
    0x0b, // end function
  ];
  const locals = vector([
    [1, i32],
    [15, v128],
  ]);
  return [...locals, ...body];
}

/**
 * `draw(counts, from, to, state, out)`: Poisson counts of positions [from, to) for one group of four lanes (bytes
 * counts + 8p … + 3: `counts` points at the group's first lane), each lane's sfc32 state in state (a, b, c, d: one
 * i32x4 each) read and written back, the lanes' sums into out (i32x4).
 */
function drawBody(thresholds: Uint32Array): number[] {
  const [counts, from, to, state, out, p, a, b, c, d, t, masks, last, total, one] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
  ] as const;
  const first = 15; // locals 15–19: the first five thresholds, splatted
  const splat = (value: number): number[] => [...i32Const(value | 0), ...simd(0x11)];
  const geU = (k: number): number[] => [...get(t), ...get(first + k), ...simd(0x40)]; // i32x4.ge_u
  const rare: number[] = [];
  for (let k = 5; k < thresholds.length; k++)
    rare.push(...get(masks), ...get(t), ...splat(thresholds[k] as number), ...simd(0x40), ...simd(0xae), ...set(masks));
  const body: number[] = [
    ...get(state),
    ...simd(0x00, ...memarg(0)),
    ...set(a),
    ...get(state),
    ...simd(0x00, ...memarg(0, 16)),
    ...set(b),
    ...get(state),
    ...simd(0x00, ...memarg(0, 32)),
    ...set(c),
    ...get(state),
    ...simd(0x00, ...memarg(0, 48)),
    ...set(d),
    ...splat(1),
    ...set(one),
    ...[0, 1, 2, 3, 4].flatMap((k) => [...splat(thresholds[k] as number), ...set(first + k)]),
    ...get(from),
    ...set(p),
    0x02,
    0x40, // block
    ...get(p),
    ...get(to),
    0x4f, // i32.ge_u
    0x0d,
    0x00,
    0x03,
    0x40, // loop
    // sfc32: t = a + b + d; d += 1; a = b ^ (b >>> 9); b = c + (c << 3); c = rotl(c, 21) + t
    ...get(a),
    ...get(b),
    ...simd(0xae),
    ...get(d),
    ...simd(0xae),
    ...set(t),
    ...get(d),
    ...get(one),
    ...simd(0xae),
    ...set(d),
    ...get(b),
    ...get(b),
    ...i32Const(9),
    ...simd(0xad), // i32x4.shr_u
    ...simd(0x51), // v128.xor
    ...set(a),
    ...get(c),
    ...get(c),
    ...i32Const(3),
    ...simd(0xab), // i32x4.shl
    ...simd(0xae),
    ...set(b),
    ...get(c),
    ...i32Const(21),
    ...simd(0xab),
    ...get(c),
    ...i32Const(11),
    ...simd(0xad),
    ...simd(0x50), // v128.or
    ...get(t),
    ...simd(0xae),
    ...set(c),
    // −count = Σ_k (t >= threshold k ? −1 : 0); past the fifth threshold only where a lane reached it
    ...geU(0),
    ...geU(1),
    ...simd(0xae),
    ...geU(2),
    ...simd(0xae),
    ...geU(3),
    ...simd(0xae),
    ...geU(4),
    ...tee(last),
    ...simd(0xae),
    ...set(masks),
    ...get(last),
    ...simd(0x53), // v128.any_true
    0x04,
    0x40, // if
    ...rare,
    0x0b, // end if
    ...get(masks),
    ...simd(0xa1), // i32x4.neg
    ...set(last),
    ...get(total),
    ...get(last),
    ...simd(0xae),
    ...set(total),
    // counts[8p .. 8p + 3] = the four counts as bytes
    ...get(counts),
    ...get(p),
    ...i32Const(3),
    0x74,
    0x6a,
    ...get(last),
    ...get(last),
    ...simd(0x86), // i16x8.narrow_i32x4_u
    ...get(last),
    ...get(last),
    ...simd(0x86),
    ...simd(0x66), // i8x16.narrow_i16x8_u
    ...simd(0x5a, ...memarg(0), 0), // v128.store32_lane 0
    ...get(p),
    ...i32Const(1),
    0x6a,
    ...tee(p),
    ...get(to),
    0x49, // i32.lt_u
    0x0d,
    0x00,
    0x0b, // end loop
    0x0b, // end block
    ...[a, b, c, d].flatMap((v, i) => [...get(state), ...get(v), ...simd(0x0b, ...memarg(0, 16 * i))]),
    ...get(out),
    ...get(total),
    ...simd(0x0b, ...memarg(0)),
    0x0b,
  ];
  const locals = vector([
    [1, i32],
    [14, v128],
  ]);
  return [...locals, ...body];
}

/** The module's bytes: `pass` and `draw`, memory imported as env.memory. */
function moduleBytes(thresholds: Uint32Array): Uint8Array {
  const params = (count: number): number[] => [0x60, ...vector(Array.from({ length: count }, () => [i32])), 0x00];
  const pass = passBody();
  const draw = drawBody(thresholds);
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([params(7), params(5)])),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // memory, min 1 page
    ...section(3, vector([[0x00], [0x01]])),
    ...section(
      7,
      vector([
        [...name('pass'), 0x00, 0x00],
        [...name('draw'), 0x00, 0x01],
      ]),
    ),
    ...section(
      10,
      vector([
        [...uleb(pass.length), ...pass],
        [...uleb(draw.length), ...draw],
      ]),
    ),
  ];
  return Uint8Array.from(bytes);
}

/** Compiled modules by Poisson rate (the thresholds are constants of `draw`). */
const compiled = new Map<number, WasmModule | null>();

/** The module for `poisson`, or null where WebAssembly SIMD is not available. */
function simdModule(poisson: PoissonDraw): WasmModule | null {
  let module = compiled.get(poisson.rate);
  if (module === undefined) {
    const bytes = moduleBytes(poisson.thresholds);
    module = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    compiled.set(poisson.rate, module);
  }
  return module;
}

/** A thread's instance: its memory holds the counts, copies of the lists, the lanes' streams and sums. */
export interface SimdKernels {
  /** [8n] the eight lanes' count bytes (lane l of position p at 8p + l), written by `draw`, read by `pass`. */
  readonly countBytes: Uint8Array;
  /** [32] the lanes' sfc32 states: group g (lanes 4g … 4g + 3) at 16g: a of its four lanes, then b, c, d. */
  readonly state: Int32Array;
  /** [8] each lane's sum of the counts of its group's last `draw`. */
  readonly totals: Int32Array;
  /** Poisson counts of positions [from, to) for one group of four lanes, as resample.ts's `poissonRange`. */
  draw(group: number, from: number, to: number): void;
  /** 2U of every slot and lane into u2 ([(slots + 1) · 8], slot g lane l at 8g + l), as `weightedPass`. */
  pass(u2: Float64Array): void;
}

/**
 * @param position [n] position of the k-th lowest score (the overall list's index)
 * @param flags [n] the overall list's flags
 * @param listIndex, listFlags, slotStart the slots' lists (SortedLayout)
 * @param poisson the draw's Poisson thresholds
 * @returns null where WebAssembly SIMD is missing or n is too large for it
 */
export function simdKernels(
  position: Int32Array,
  flags: Uint8Array,
  listIndex: Int32Array,
  listFlags: Uint8Array,
  slotStart: Int32Array,
  slots: number,
  poisson: PoissonDraw,
): SimdKernels | null {
  const n = position.length;
  if (n > simdMaxRows) return null;
  const module = simdModule(poisson);
  if (module === null) return null;
  const length = listIndex.length;
  // The memory: counts (8n), position, listIndex, the label and run-start masks (bytes 0 or 255) of the overall
  // list and of the lists, out (64 bytes), states (2 × 64), sums (2 × 16); each 16-byte aligned.
  const align = (x: number): number => Math.ceil(x / 16) * 16;
  const countsAt = 0;
  const positionAt = align(8 * n);
  const indexAt = align(positionAt + 4 * n);
  const labelsAt = align(indexAt + 4 * length);
  const runsAt = align(labelsAt + n);
  const listLabelsAt = align(runsAt + n);
  const listRunsAt = align(listLabelsAt + length);
  const outAt = align(listRunsAt + length);
  const stateAt = outAt + 64;
  const totalsAt = stateAt + 128;
  const bytes = totalsAt + 32;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const passList = instance.exports.pass as (
    counts: number,
    index: number,
    labels: number,
    runs: number,
    from: number,
    to: number,
    out: number,
  ) => void;
  const drawRange = instance.exports.draw as (
    counts: number,
    from: number,
    to: number,
    state: number,
    out: number,
  ) => void;
  const buffer = memory.buffer;
  new Int32Array(buffer, positionAt, n).set(position);
  new Int32Array(buffer, indexAt, length).set(listIndex);
  const masks = (from: Uint8Array, labelsTo: number, runsTo: number): void => {
    const labelMasks = new Uint8Array(buffer, labelsTo, from.length);
    const runMasks = new Uint8Array(buffer, runsTo, from.length);
    for (let i = 0; i < from.length; i++) {
      const f = from[i] as number;
      labelMasks[i] = (f & 1) === 1 ? 255 : 0;
      runMasks[i] = (f & 2) === 2 ? 255 : 0;
    }
  };
  masks(flags, labelsAt, runsAt);
  masks(listFlags, listLabelsAt, listRunsAt);
  const out = new Uint32Array(buffer, outAt, 16);
  const read = (u2: Float64Array, at: number): void => {
    for (let lane = 0; lane < simdLanes; lane++)
      u2[at + lane] = (out[2 * lane + 1] as number) * 4294967296 + (out[2 * lane] as number);
  };
  // Group g's sums at totals + 16g: lane-ordered, the totals of lanes 4g … 4g + 3.
  const totals = new Int32Array(buffer, totalsAt, simdLanes);
  return {
    countBytes: new Uint8Array(buffer, countsAt, 8 * n),
    state: new Int32Array(buffer, stateAt, 32),
    totals,
    draw(group, from, to) {
      drawRange(countsAt + 4 * group, from, to, stateAt + 64 * group, totalsAt + 16 * group);
    },
    pass(u2) {
      u2.fill(0);
      passList(countsAt, positionAt, labelsAt, runsAt, 0, n, outAt);
      read(u2, 0);
      for (let g = 1; g < slots; g++) {
        passList(
          countsAt,
          indexAt,
          listLabelsAt,
          listRunsAt,
          slotStart[g] as number,
          slotStart[g + 1] as number,
          outAt,
        );
        read(u2, g * simdLanes);
      }
    },
  };
}
