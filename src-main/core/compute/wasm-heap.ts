/**
 * The parts of tfjs-backend-wasm's BackendWasm that the native kernels (wasm-matmul.ts, wasm-sum.ts,
 * wasm-gelu.ts) use to find tensors in the wasm heap and to allocate outputs there.
 */
import type * as TfCore from '@tensorflow/tfjs-core';

export interface WasmHeapBackend {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: TfCore.DataType): TfCore.TensorInfo;
  wasm: { HEAPF32: Float32Array };
}

/** Where the tensor's floats start in HEAPF32. */
export function floatOffset(backend: WasmHeapBackend, x: TfCore.TensorInfo): number {
  return backend.dataIdMap.get(x.dataId).memoryOffset / 4;
}

/** HEAPF32 as it is now: read it after the last makeOutput, which may have grown (and so replaced) the heap. */
export const heapF32 = (backend: WasmHeapBackend): Float32Array => backend.wasm.HEAPF32;
