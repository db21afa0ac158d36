/**
 * A replacement `BatchMatMul` kernel for the tfjs wasm backend (issue 6). The stock kernel
 * (tfjs-backend-wasm 4.22) sends a product to XNNPACK's fully-connected operator (packed weights, SIMD, ~20
 * GFLOP/s here) only when it is one 2-D product without transposes; batched products and every product with
 * `transposeA`/`transposeB` (matMul's own gradient, attention's q·kᵀ) go to a plain loop in C++ that runs at ~1
 * GFLOP/s. This kernel turns every product into fast ones:
 *
 * - transposed operands are materialised once with the backend's Transpose kernel (one pass over memory);
 *   with both transposed, Aᵀ·Bᵀ is computed as (B·A)ᵀ: one transpose, of the output, instead of two;
 * - each matrix of the batch is one call of the stock kernel's fast path on views into the wasm heap
 *   (tensor ids registered at the matrices' offsets, no copies), the batch dims broadcast as tfjs-core
 *   does (1 against N on either side, any rank);
 * - where B has a single matrix and A's batch is contiguous, the whole batch is one [batch·M, K] × [K, N]
 *   product, so B is packed once.
 *
 * Where the native sgemm addon is built (native-gemm.ts), every product goes to OpenBLAS instead, on the same
 * heap views, transposes included (sgemm reads transposed operands itself, so nothing is materialised): ~3–4×
 * the rate of XNNPACK's wasm SIMD here. Without it, the XNNPACK path above.
 *
 * Installed by select-backend.ts before the wasm backend initialises. Only float32 (as the stock kernel).
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { loadNativeGemm, type NativeGemm, type NativeGemmStatus } from './native-gemm';
import { floatOffset, heapF32, type WasmHeapBackend } from './wasm-heap';
import { replaceWasmKernel } from './wasm-kernels';

type Tf = typeof TfCore;

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses (the fields its own kernels read). */
interface WasmBackend extends WasmHeapBackend {
  dataIdNextNumber: number;
  disposeData(dataId: object): boolean;
  wasm: WasmHeapBackend['wasm'] & {
    cwrap(name: string, returnType: null, argTypes: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
}

/** The stock kernel's C entry: (aId, aShape, aRank, bId, bShape, bRank, transposeA, transposeB, outId). */
type WasmBatchMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

const bound = new WeakMap<object, WasmBatchMatMul>();

function entry(backend: WasmBackend): WasmBatchMatMul {
  let fn = bound.get(backend);
  if (!fn) {
    const types = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'];
    fn = backend.wasm.cwrap('BatchMatMul', null, types) as unknown as WasmBatchMatMul;
    bound.set(backend, fn);
  }
  return fn;
}

const shapeBytes = (shape: readonly number[]): Uint8Array => new Uint8Array(new Int32Array(shape).buffer);

/** A tensor id registered at `offset` (bytes) in the heap, `size` floats long: a view, freed by `release`. */
function view(backend: WasmBackend, offset: number, size: number): number {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, offset);
  return id;
}

const release = (backend: WasmBackend, id: number): void => backend.wasm.tfjs.disposeData(id);

/** Sizes of the product C [batch…, M, N] = A [batch…, M, K] × B [batch…, K, N], with the broadcast batch. */
export interface ProductPlan {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly outBatchShape: number[];
  /** For each output matrix, the index of A's and B's matrix (row-major over their own batch dims). */
  readonly aIndex: Int32Array;
  readonly bIndex: Int32Array;
}

/** Broadcasts the batch dims of A and B as tfjs-core's matMul does (throws on a mismatch). */
export function planBatches(aBatch: readonly number[], bBatch: readonly number[]): Omit<ProductPlan, 'm' | 'k' | 'n'> {
  const rank = Math.max(aBatch.length, bBatch.length);
  const pad = (dims: readonly number[]): number[] => [...Array<number>(rank - dims.length).fill(1), ...dims];
  const [ad, bd] = [pad(aBatch), pad(bBatch)];
  const outBatchShape = ad.map((a, i) => {
    const b = bd[i] ?? 1;
    if (a !== b && a !== 1 && b !== 1) {
      throw new Error(`matMul: batch dims [${aBatch.join(', ')}] and [${bBatch.join(', ')}] do not broadcast`);
    }
    return Math.max(a, b);
  });
  const count = outBatchShape.reduce((p, x) => p * x, 1);
  const aIndex = new Int32Array(count);
  const bIndex = new Int32Array(count);
  for (let o = 0; o < count; o++) {
    let rest = o;
    let ai = 0;
    let bi = 0;
    let aStride = 1;
    let bStride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const size = outBatchShape[d] ?? 1;
      const coord = rest % size;
      rest = Math.floor(rest / size);
      const as = ad[d] ?? 1;
      const bs = bd[d] ?? 1;
      if (as !== 1) ai += coord * aStride;
      if (bs !== 1) bi += coord * bStride;
      aStride *= as;
      bStride *= bs;
    }
    aIndex[o] = ai;
    bIndex[o] = bi;
  }
  return { outBatchShape, aIndex, bIndex };
}

/** The tensor with its last two axes swapped, by the backend's Transpose kernel (a new tensor). */
function swapLastAxes(tf: Tf, backend: WasmBackend, x: TfCore.TensorInfo): TfCore.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!transpose) throw new Error('wasm backend has no Transpose kernel');
  return transpose.kernelFunc({
    inputs: { x },
    backend: backend as unknown as TfCore.KernelBackend,
    attrs: { perm },
  }) as TfCore.TensorInfo;
}

/**
 * C = A × B on the fast path: A [batchA…, M, K] and B [batchB…, K, N] in the heap, neither transposed; writes a
 * new tensor [outBatch…, M, N].
 */
function product(tf: Tf, backend: WasmBackend, a: TfCore.TensorInfo, b: TfCore.TensorInfo): TfCore.TensorInfo {
  const m = a.shape[a.shape.length - 2] ?? 1;
  const k = a.shape[a.shape.length - 1] ?? 1;
  const n = b.shape[b.shape.length - 1] ?? 1;
  const { outBatchShape, aIndex, bIndex } = planBatches(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...outBatchShape, m, n], 'float32');
  const count = aIndex.length;
  if (count === 0 || m === 0 || n === 0) return out;
  const outOffset = backend.dataIdMap.get(out.dataId).memoryOffset;
  if (k === 0) {
    backend.wasm.HEAPF32.fill(0, outOffset / 4, outOffset / 4 + count * m * n);
    return out;
  }
  const call = entry(backend);
  const bShape = shapeBytes([1, k, n]);
  const bCount = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const aCount = tf.util.sizeFromShape(a.shape.slice(0, -2));
  // One B for every output matrix, and A's matrices in output order: a single [count·M, K] × [K, N] product on
  // the tensors themselves (B's id keys XNNPACK's cache of packed weights, as in the stock kernel).
  if (bCount === 1 && aCount === count) {
    const id = (x: TfCore.TensorInfo): number => backend.dataIdMap.get(x.dataId).id;
    call(id(a), shapeBytes([1, count * m, k]), 3, id(b), bShape, 3, false, false, id(out));
    return out;
  }
  // Matrix by matrix; a B used by consecutive outputs keeps its view, so XNNPACK packs it once.
  const aOffset = backend.dataIdMap.get(a.dataId).memoryOffset;
  const bOffset = backend.dataIdMap.get(b.dataId).memoryOffset;
  const aShape = shapeBytes([1, m, k]);
  let bId = -1;
  let bCurrent = -1;
  for (let o = 0; o < count; o++) {
    const bi = bIndex[o] ?? 0;
    if (bi !== bCurrent) {
      if (bId >= 0) release(backend, bId);
      bId = view(backend, bOffset + 4 * bi * k * n, k * n);
      bCurrent = bi;
    }
    const aId = view(backend, aOffset + 4 * (aIndex[o] ?? 0) * m * k, m * k);
    const outId = view(backend, outOffset + 4 * o * m * n, m * n);
    call(aId, aShape, 3, bId, bShape, 3, false, false, outId);
    release(backend, aId);
    release(backend, outId);
  }
  if (bId >= 0) release(backend, bId);
  return out;
}

/** The native sgemm the kernel uses, or null for XNNPACK (set by {@link installWasmMatMul} and the tests). */
let nativeGemm: NativeGemm | null = null;

/** Routes every product to `gemm` (OpenBLAS), or back to XNNPACK with null. */
export function useNativeGemm(gemm: NativeGemm | null): void {
  nativeGemm = gemm;
}

/**
 * C = op(A) × op(B) by the native sgemm, reading A and B where they lie in the heap and writing a new tensor
 * [outBatch…, M, N]; transposed operands are passed to sgemm as such.
 */
function nativeProduct(
  tf: Tf,
  gemm: NativeGemm,
  backend: WasmBackend,
  a: TfCore.TensorInfo,
  b: TfCore.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TfCore.TensorInfo {
  const last = (x: TfCore.TensorInfo, from: 1 | 2): number => x.shape[x.shape.length - from] ?? 1;
  const m = transposeA ? last(a, 1) : last(a, 2);
  const k = transposeA ? last(a, 2) : last(a, 1);
  const n = transposeB ? last(b, 2) : last(b, 1);
  const aBatch = a.shape.slice(0, -2);
  const { outBatchShape, aIndex, bIndex } = planBatches(aBatch, b.shape.slice(0, -2));
  const out = backend.makeOutput([...outBatchShape, m, n], 'float32');
  const count = aIndex.length;
  if (count === 0 || m === 0 || n === 0) return out;
  const [aBase, bBase, outBase] = [floatOffset(backend, a), floatOffset(backend, b), floatOffset(backend, out)];
  const heap = heapF32(backend);
  if (k === 0) {
    heap.fill(0, outBase, outBase + count * m * n);
    return out;
  }
  // One B for all, and A's matrices stacked in output order: a single [count·M, K] × op(B) product.
  if (tf.util.sizeFromShape(b.shape.slice(0, -2)) === 1 && tf.util.sizeFromShape(aBatch) === count && !transposeA) {
    const one = (x: number): Uint32Array => Uint32Array.of(x);
    gemm.sgemmBatch(heap, false, transposeB, count * m, n, k, one(aBase), one(bBase), one(outBase));
    return out;
  }
  const aOffsets = new Uint32Array(count);
  const bOffsets = new Uint32Array(count);
  const outOffsets = new Uint32Array(count);
  for (let o = 0; o < count; o++) {
    aOffsets[o] = aBase + (aIndex[o] ?? 0) * m * k;
    bOffsets[o] = bBase + (bIndex[o] ?? 0) * k * n;
    outOffsets[o] = outBase + o * m * n;
  }
  gemm.sgemmBatch(heap, transposeA, transposeB, m, n, k, aOffsets, bOffsets, outOffsets);
  return out;
}

/** The kernel: float32 A and B of rank ≥ 2, batch dims broadcast, either operand transposed. */
export function batchMatMulWasm(
  tf: Tf,
  args: { inputs: TfCore.NamedTensorInfoMap; backend: unknown; attrs?: TfCore.NamedAttrMap },
): TfCore.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs as { a: TfCore.TensorInfo; b: TfCore.TensorInfo };
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error('BatchMatMul for non-float32 tensors is not supported');
  }
  const inner = (x: TfCore.TensorInfo, transposed: boolean, first: boolean): number =>
    x.shape[x.shape.length - (transposed === first ? 2 : 1)] ?? 1;
  const innerA = inner(a, transposeA, true);
  const innerB = inner(b, transposeB, false);
  if (innerA !== innerB) {
    throw new Error(
      `Error in matMul: inner shapes (${innerA}) and (${innerB}) of Tensors with shapes ${a.shape} and ${b.shape} ` +
        `and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  if (nativeGemm) return nativeProduct(tf, nativeGemm, backend, a, b, transposeA, transposeB);
  const temporaries: TfCore.TensorInfo[] = [];
  const transposed = (x: TfCore.TensorInfo): TfCore.TensorInfo => {
    const t = swapLastAxes(tf, backend, x);
    temporaries.push(t);
    return t;
  };
  try {
    if (transposeA && transposeB) {
      // Aᵀ·Bᵀ = (B·A)ᵀ.
      const swapped = product(tf, backend, b, a);
      temporaries.push(swapped);
      return swapLastAxes(tf, backend, swapped);
    }
    return product(tf, backend, transposeA ? transposed(a) : a, transposeB ? transposed(b) : b);
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}

let nativeStatus: NativeGemmStatus | null = null;

/**
 * Replaces the wasm backend's BatchMatMul kernel with {@link batchMatMulWasm}, on the native sgemm where it loads
 * (loaded once per process). Call after importing `@tensorflow/tfjs-backend-wasm` (which registers the stock
 * kernel); idempotent. Returns whether the native sgemm is in use, and why not.
 */
export function installWasmMatMul(tf: Tf): NativeGemmStatus {
  replaceWasmKernel(tf, tf.BatchMatMul, () => (args) => batchMatMulWasm(tf, args));
  nativeStatus ??= loadNativeGemm();
  useNativeGemm(nativeStatus.loaded ? nativeStatus.gemm : null);
  return nativeStatus;
}

/** The status {@link installWasmMatMul} found, or null before it ran. */
export function wasmMatMulStatus(): NativeGemmStatus | null {
  return nativeStatus;
}
