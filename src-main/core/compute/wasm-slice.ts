/**
 * A replacement `Slice` kernel for the tfjs wasm backend (issue 6). The stock kernel (tfjs-backend-wasm 4.22)
 * first copies the whole input out of the wasm heap (`readSync`), then copies the slice row by row from that copy
 * in JavaScript, one `set` per innermost run — for the aligner's convolution taps (nine slices of the padded
 * maps) and pad's gradient on [B·C, H, W, 8] maps that is a full copy of the input per slice and a call per 8
 * floats. This kernel merges the axes the slice takes whole (and those it takes one index of) into longer
 * contiguous runs and moves each run inside the heap with `copyWithin`. Strings keep the stock kernel.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { replaceWasmKernel } from './wasm-kernels';

type Tf = typeof TfCore;

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: TfCore.DataType): TfCore.TensorInfo;
  wasm: { HEAPU8: Uint8Array };
}

/** One axis (or several merged) of the input: its extent, and the slice's start and length along it. */
export interface SliceAxis {
  readonly n: number;
  readonly begin: number;
  readonly size: number;
}

/**
 * The slice as few axes as possible, outermost first: an inner axis taken whole merges with the axis outside it,
 * and so does an axis of which the slice takes one index. The last axis is then a contiguous run.
 */
export function mergeSliceAxes(
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): SliceAxis[] {
  const rank = shape.length;
  if (rank === 0) return [{ n: 1, begin: 0, size: 1 }];
  const axes: SliceAxis[] = [{ n: shape[rank - 1] ?? 1, begin: begin[rank - 1] ?? 0, size: size[rank - 1] ?? 1 }];
  for (let d = rank - 2; d >= 0; d--) {
    const inner = axes[0] as SliceAxis;
    const n = shape[d] ?? 1;
    const b = begin[d] ?? 0;
    const s = size[d] ?? 1;
    if (inner.begin === 0 && inner.size === inner.n) {
      axes[0] = { n: n * inner.n, begin: b * inner.n, size: s * inner.n };
    } else if (s === 1) {
      axes[0] = { n: n * inner.n, begin: b * inner.n + inner.begin, size: inner.size };
    } else {
      axes.unshift({ n, begin: b, size: s });
    }
  }
  return axes;
}

const bytesPerElement = (dtype: TfCore.DataType): number => (dtype === 'bool' ? 1 : 4);

/** Copies the slice of the tensor at byte `from` into byte `to`, the axes as {@link mergeSliceAxes} gives them. */
function copySlice(heap: Uint8Array, from: number, to: number, axes: readonly SliceAxis[], bytes: number): void {
  const rank = axes.length;
  const run = (axes[rank - 1] as SliceAxis).size * bytes;
  // Byte strides of the input's merged axes.
  const strides = new Array<number>(rank);
  let stride = bytes;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= (axes[d] as SliceAxis).n;
  }
  let start = from;
  for (let d = 0; d < rank; d++) start += (axes[d] as SliceAxis).begin * (strides[d] ?? 0);
  const counter = new Array<number>(Math.max(0, rank - 1)).fill(0);
  let source = start;
  let target = to;
  for (;;) {
    heap.copyWithin(target, source, source + run);
    target += run;
    // Next run: odometer over the outer axes.
    let d = rank - 2;
    for (; d >= 0; d--) {
      const c = (counter[d] ?? 0) + 1;
      if (c < (axes[d] as SliceAxis).size) {
        counter[d] = c;
        source += strides[d] ?? 0;
        break;
      }
      counter[d] = 0;
      source -= ((axes[d] as SliceAxis).size - 1) * (strides[d] ?? 0);
    }
    if (d < 0) return;
  }
}

/** Replaces the wasm backend's Slice kernel; call after importing `@tensorflow/tfjs-backend-wasm`. Idempotent. */
export function installWasmSlice(tf: Tf): void {
  replaceWasmKernel(tf, tf.Slice, (stock) => (args) => {
    const { x } = args.inputs as { x: TfCore.TensorInfo };
    if (x.dtype === 'string') return stock(args);
    const backend = args.backend as unknown as WasmBackend;
    const attrs = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(
      x as TfCore.TensorInfo as TfCore.Tensor,
      attrs.begin,
      attrs.size,
    ) as [number[], number[]];
    const out = backend.makeOutput(size, x.dtype);
    if (size.some((s) => s === 0)) return out;
    const from = backend.dataIdMap.get(x.dataId).memoryOffset;
    const to = backend.dataIdMap.get(out.dataId).memoryOffset;
    copySlice(backend.wasm.HEAPU8, from, to, mergeSliceAxes(x.shape, begin, size), bytesPerElement(x.dtype));
    return out;
  });
}
