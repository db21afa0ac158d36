/**
 * A replacement `Sum` kernel for the tfjs wasm backend (issue 6), used where the native addon loads
 * (native-gemm.ts). The stock kernel transposes the reduced axes innermost (a full copy) and then sums rows; the
 * bias gradients of every linear layer are sums over the leading rows ([B·N, D] → [D]), so each was a transpose of
 * an activation-sized tensor. This kernel views the input as [outer, reduce, inner] when the reduced axes are one
 * contiguous block and sums the middle axis in one pass (the addon's sumAxes); other axis sets, other dtypes and
 * the XNNPACK-only path keep the stock kernel.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { NativeGemm } from './native-gemm';
import { replaceWasmKernel } from './wasm-kernels';
import { floatOffset, heapF32, type WasmHeapBackend } from './wasm-heap';

type Tf = typeof TfCore;

/** The input as [outer, reduce, inner] for a sum over `axes`, or null when the axes are not one block. */
export function sumBlocks(
  shape: readonly number[],
  axes: readonly number[],
): { outer: number; reduce: number; inner: number } | null {
  if (axes.length === 0) return null;
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const last = sorted[sorted.length - 1] ?? 0;
  if (last - first + 1 !== sorted.length || new Set(sorted).size !== sorted.length) return null;
  const product = (from: number, to: number): number => shape.slice(from, to).reduce((p, x) => p * x, 1);
  return { outer: product(0, first), reduce: product(first, last + 1), inner: product(last + 1, shape.length) };
}

/** The addon the kernel sums on; null: the stock kernel for every sum. */
let native: NativeGemm | null = null;

/** Replaces the wasm backend's Sum kernel, summing on `gemm` (the addon) or, with null, by the stock kernel. */
export function installWasmSum(tf: Tf, gemm: NativeGemm | null): void {
  native = gemm;
  replaceWasmKernel(tf, tf.Sum, (stock) => (args) => {
    const x = args.inputs.x as TfCore.TensorInfo;
    const backend = args.backend as unknown as WasmHeapBackend;
    const gemm = native;
    if (!gemm || x.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) === 0) return stock(args);
    const axes = tf.util.parseAxisParam(args.attrs?.axis as number | number[], x.shape);
    const blocks = sumBlocks(x.shape, axes);
    if (!blocks) return stock(args);
    const reduced = new Set(axes);
    const outShape = args.attrs?.keepDims
      ? x.shape.map((d, i) => (reduced.has(i) ? 1 : d))
      : x.shape.filter((_, i) => !reduced.has(i));
    const out = backend.makeOutput(outShape, 'float32');
    gemm.sumAxes(
      heapF32(backend),
      floatOffset(backend, x),
      blocks.outer,
      blocks.reduce,
      blocks.inner,
      floatOffset(backend, out),
    );
    return out;
  });
}
