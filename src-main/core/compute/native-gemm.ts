/**
 * The native sgemm addon (src-main/native/gemm): OpenBLAS's single-precision matrix product, called by the wasm
 * backend's BatchMatMul kernel (wasm-matmul.ts) on matrices in the wasm heap, in place (issue 6); with it, a
 * one-pass Sum over a block of axes (wasm-sum.ts) and the fused exact GELU and its gradient (wasm-gelu.ts). WebAssembly in
 * Node has 128-bit SIMD without FMA and one thread, and XNNPACK's products run at ~25–30 GFLOP/s here; OpenBLAS
 * uses AVX2/FMA and runs the same products at ~85–100 GFLOP/s on one core, which is what PyTorch's CPU step runs
 * at. The products are ~80 % of a `tiny` training step.
 *
 * The addon is built by `npm ci` (postinstall: src-main/native/gemm/build.mjs) where a C compiler and OpenBLAS's
 * headers exist (Debian: libopenblas-dev); where it is not built, or `ALIGNER_NATIVE_GEMM=off`, the kernel keeps
 * XNNPACK's products and the backend's device line says why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions (gemm.c). Offsets and sizes count floats; the heap is the wasm memory's HEAPF32. */
export interface NativeGemm {
  /** For each i: C_i [m, n] = op(A_i) · op(B_i), row-major; A_i at heap[aOffsets[i]] ([m, k], or [k, m] when transA). */
  sgemmBatch(
    heap: Float32Array,
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    aOffsets: Uint32Array,
    bOffsets: Uint32Array,
    cOffsets: Uint32Array,
  ): void;
  /** x [outer, reduce, inner] at heap[xOffset] → out [outer, inner] at heap[outOffset], the middle axis summed. */
  sumAxes(heap: Float32Array, xOffset: number, outer: number, reduce: number, inner: number, outOffset: number): void;
  /** y = ½x(1 + erf(x/√2)) over `size` floats. */
  gelu(heap: Float32Array, xOffset: number, size: number, yOffset: number): void;
  /** dx = dy·GELU′(x) over `size` floats. */
  geluGrad(heap: Float32Array, xOffset: number, dyOffset: number, size: number, dxOffset: number): void;
  setThreads(threads: number): void;
  /** OpenBLAS's build line, e.g. "OpenBLAS 0.3.21 … Haswell MAX_THREADS=64". */
  config(): string;
}

export type NativeGemmStatus =
  | { readonly loaded: true; readonly gemm: NativeGemm; readonly threads: number; readonly description: string }
  | { readonly loaded: false; readonly reason: string };

/** The addon's path below the project root, as node-gyp writes it. */
export const addonRelativePath = join('src-main', 'native', 'gemm', 'build', 'Release', 'aligner_gemm.node');

/**
 * The project root: the first folder above this module holding src-main/native/gemm. Works from the sources
 * (vitest, tsx) and from the bundles in out/ (the CLI, the trainer process, the hosts).
 */
function projectRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'src-main', 'native', 'gemm', 'binding.gyp'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isNativeGemm(value: unknown): value is NativeGemm {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['sgemmBatch', 'sumAxes', 'gelu', 'geluGrad', 'setThreads', 'config'].every((f) => typeof v[f] === 'function');
}

/** `ALIGNER_GEMM_THREADS`, a whole number ≥ 1; 1 when unset (the benchmark compares against PyTorch at 1 thread). */
export function gemmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ALIGNER_GEMM_THREADS;
  if (raw === undefined || raw === '') return 1;
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new Error(`ALIGNER_GEMM_THREADS must be a whole number from 1 to 256, got '${raw}'`);
  }
  return threads;
}

/**
 * Loads the addon, or says why not. `ALIGNER_NATIVE_GEMM`: `off` disables it; a path loads that file instead of
 * the built one. Never throws: a missing or broken addon is a reason, and the kernel keeps XNNPACK.
 */
export function loadNativeGemm(env: NodeJS.ProcessEnv = process.env): NativeGemmStatus {
  const setting = env.ALIGNER_NATIVE_GEMM ?? '';
  if (setting === 'off') return { loaded: false, reason: 'turned off (ALIGNER_NATIVE_GEMM=off)' };
  let path: string;
  if (setting !== '') {
    path = resolve(setting);
  } else {
    const root = projectRoot();
    if (root === null) return { loaded: false, reason: 'src-main/native/gemm not found above the running module' };
    path = join(root, addonRelativePath);
  }
  if (!existsSync(path)) {
    return {
      loaded: false,
      reason: `native sgemm not built (${path} missing; npm ci builds it where g++ and libopenblas-dev are installed)`,
    };
  }
  try {
    const threads = gemmThreads(env);
    const loaded: unknown = createRequire(import.meta.url)(path);
    if (!isNativeGemm(loaded)) return { loaded: false, reason: `${path} is not the aligner_gemm addon` };
    loaded.setThreads(threads);
    const config = loaded.config();
    const version = /^OpenBLAS\s+\S+/.exec(config)?.[0] ?? 'OpenBLAS';
    const core = /(\S+) MAX_THREADS/.exec(config)?.[1];
    const description = `${version} sgemm${core ? ` (${core})` : ''}, ${threads} thread${threads === 1 ? '' : 's'}`;
    return { loaded: true, gemm: loaded, threads, description };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { loaded: false, reason: `native sgemm failed to load: ${message.split('\n', 1)[0] ?? message}` };
  }
}
