/**
 * Installs this project's replacements for tfjs-backend-wasm kernels (wasm-matmul.ts, wasm-identity.ts,
 * wasm-slice.ts). The kernel registry, like the engine, is global to the process (shared by every copy of
 * tfjs-core), so a kernel is replaced once however many copies call this.
 */
import type * as TfCore from '@tensorflow/tfjs-core';

type Tf = typeof TfCore;

/** The kernel functions registered here. */
const ours = new WeakSet<object>();

/**
 * Replaces the wasm backend's kernel `kernelName` with `make(stock)`, where `stock` is the kernel it replaces
 * (for the cases it keeps, e.g. strings). Call after importing `@tensorflow/tfjs-backend-wasm`, before the
 * backend initialises. Idempotent.
 */
export function replaceWasmKernel(
  tf: Tf,
  kernelName: string,
  make: (stock: TfCore.KernelFunc) => TfCore.KernelFunc,
): void {
  const current = tf.getKernel(kernelName, 'wasm');
  if (current && ours.has(current.kernelFunc)) return;
  if (current) tf.unregisterKernel(kernelName, 'wasm');
  const missing: TfCore.KernelFunc = () => {
    throw new Error(`the wasm backend has no stock ${kernelName} kernel`);
  };
  const fn = make(current?.kernelFunc ?? missing);
  ours.add(fn);
  // The stock kernel's setup (it binds its C entry when the backend initialises) stays, for `stock` to work.
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: fn, setupFunc: current?.setupFunc });
}
