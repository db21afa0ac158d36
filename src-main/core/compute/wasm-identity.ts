/**
 * A replacement `Identity` kernel for the tfjs wasm backend (issue 6): the output shares the input's data (one
 * more reference on its dataId, as the cpu backend's identity and the wasm backend's own Reshape do) instead of
 * a copy. tfjs-core runs Identity for every tf.clone and inside gradients (a few per op in backprop) — about
 * 1,300 copies of up to [1568, 768] floats in one step of the tiny preset. No wasm kernel writes into its inputs,
 * so sharing is safe. Strings keep the stock kernel.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { replaceWasmKernel } from './wasm-kernels';

type Tf = typeof TfCore;

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmBackend {
  incRef(dataId: object): void;
}

/** Replaces the wasm backend's Identity kernel; call after importing `@tensorflow/tfjs-backend-wasm`. Idempotent. */
export function installWasmIdentity(tf: Tf): void {
  replaceWasmKernel(tf, tf.Identity, (stock) => (args) => {
    const { x } = args.inputs as { x: TfCore.TensorInfo };
    if (x.dtype === 'string') return stock(args);
    (args.backend as unknown as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}
