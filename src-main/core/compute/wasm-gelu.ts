/**
 * The exact GELU as one fused kernel, forward and gradient, on the wasm backend where the native addon loads
 * (issue 6). Composed of tfjs ops, GELU is five elementwise passes forward (two muls, erf, add, mul) and about
 * ten backward (erf's gradient is square, neg, exp and three muls) over the MLP's widest activation, [B·N, 4D];
 * the wasm backend's scalar Exp and Erf made those ~15 % of a tiny step. The addon does each direction in one
 * vectorised pass: erf by Abramowitz & Stegun 7.1.26 (≤ 1.5e-7, the formula of tfjs's cpu backend) and one exp
 * shared by erf and the density (gemm.c), ~1 ns an element.
 *
 * The model (model/layers.ts) calls the kernel when it is registered for the active backend and composes the ops
 * otherwise, so every other backend (and the wasm backend without the addon) is unchanged.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { NativeGemm } from './native-gemm';
import { floatOffset, heapF32, type WasmHeapBackend } from './wasm-heap';

type Tf = typeof TfCore;

/** Kernel names; the gradient of the first is the second. */
export const geluKernelName = 'AlignerGelu';
export const geluGradKernelName = 'AlignerGeluGrad';

function requireFloat(x: TfCore.TensorInfo, kernel: string): void {
  if (x.dtype !== 'float32') throw new Error(`${kernel} takes float32 tensors, got ${x.dtype}`);
}

/**
 * Registers the two kernels for the wasm backend on `gemm`, and GELU's gradient (once per process). Call after
 * importing `@tensorflow/tfjs-backend-wasm`. Idempotent; with null, unregisters the kernels (the model then
 * composes GELU again).
 */
export function installWasmGelu(tf: Tf, gemm: NativeGemm | null): void {
  for (const name of [geluKernelName, geluGradKernelName]) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  }
  // The gradient registry is global to the process, like the kernel registry: register once.
  if (!tf.getGradient(geluKernelName)) {
    tf.registerGradient({
      kernelName: geluKernelName,
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => {
        const [x] = saved as [TfCore.Tensor];
        return { x: () => tf.engine().runKernel(geluGradKernelName, { x, dy: dy as TfCore.Tensor }) as TfCore.Tensor };
      },
    });
  }
  if (!gemm) return;
  tf.registerKernel({
    kernelName: geluKernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as TfCore.TensorInfo;
      requireFloat(x, geluKernelName);
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([...x.shape], 'float32');
      gemm.gelu(heapF32(wasm), floatOffset(wasm, x), tf.util.sizeFromShape(x.shape), floatOffset(wasm, out));
      return out;
    },
  });
  tf.registerKernel({
    kernelName: geluGradKernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x, dy } = inputs as { x: TfCore.TensorInfo; dy: TfCore.TensorInfo };
      requireFloat(x, geluGradKernelName);
      requireFloat(dy, geluGradKernelName);
      if (tf.util.sizeFromShape(x.shape) !== tf.util.sizeFromShape(dy.shape))
        throw new Error(`${geluGradKernelName}: x and dy differ in size`);
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([...x.shape], 'float32');
      gemm.geluGrad(
        heapF32(wasm),
        floatOffset(wasm, x),
        floatOffset(wasm, dy),
        tf.util.sizeFromShape(x.shape),
        floatOffset(wasm, out),
      );
      return out;
    },
  });
}

/** Whether the fused kernel serves the active backend. */
export function hasFusedGelu(tf: Tf): boolean {
  return tf.getKernel(geluKernelName, tf.getBackend()) !== undefined;
}
