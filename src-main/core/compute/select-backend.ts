import type { BackendAttempt, BackendReport } from '../../api/contract';
import { backendNames, type BackendName, type BackendPreference } from './backend-names';
import { installWasmIdentity } from './wasm-identity';
import { installWasmGelu } from './wasm-gelu';
import { installWasmMatMul, wasmMatMulStatus } from './wasm-matmul';
import { installWasmSlice } from './wasm-slice';
import { installWasmSum } from './wasm-sum';

type Tf = typeof import('@tensorflow/tfjs-core');

/** What one backend needs to be usable: its package loaded, its tfjs backend initialised. */
interface Candidate {
  /** Package providing the backend; imported lazily so a missing optional one is a reason, not a crash. */
  readonly packageName: string;
  /** Name under which the package registers with tfjs-core. */
  readonly tfjsName: string;
  readonly describeDevice: (tf: Tf) => string;
  /** Set before the backend is initialised. */
  readonly configure?: (tf: Tf) => void;
}

const candidates: Record<BackendName, Candidate> = {
  'tensorflow-gpu': {
    packageName: '@tensorflow/tfjs-node-gpu',
    tfjsName: 'tensorflow',
    describeDevice: () => 'CUDA GPU via libtensorflow (tfjs-node-gpu)',
  },
  tensorflow: {
    packageName: '@tensorflow/tfjs-node',
    tfjsName: 'tensorflow',
    describeDevice: () => 'CPU via libtensorflow (tfjs-node)',
  },
  wasm: {
    packageName: '@tensorflow/tfjs-backend-wasm',
    tfjsName: 'wasm',
    describeDevice: (tf) => {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD on' : 'SIMD off';
      const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'threads on' : 'threads off';
      const gemm = wasmMatMulStatus();
      const products = gemm?.loaded
        ? `; matrix products, sums and GELU by native ${gemm.description}`
        : `; matrix products by XNNPACK (${gemm?.reason ?? 'native sgemm not tried'})`;
      return `CPU via WebAssembly (${simd}, ${threads})${products}`;
    },
    // Every product on native OpenBLAS sgemm where built, else on XNNPACK's fast 2-D path (wasm-matmul.ts);
    // with the addon also one-pass sums (wasm-sum.ts) and the fused GELU (wasm-gelu.ts); Identity without a
    // copy; Slice inside the heap.
    configure: (tf) => {
      const native = installWasmMatMul(tf);
      const gemm = native.loaded ? native.gemm : null;
      installWasmSum(tf, gemm);
      installWasmGelu(tf, gemm);
      installWasmIdentity(tf);
      installWasmSlice(tf);
    },
  },
  cpu: {
    packageName: '@tensorflow/tfjs-backend-cpu',
    tfjsName: 'cpu',
    describeDevice: () => 'CPU, pure JavaScript (too slow to train anything but the micro preset)',
  },
};

/**
 * Picks the compute backend. `auto` tries tfjs-node-gpu, tfjs-node, wasm, cpu in
 * that order and keeps the first that loads, initialises and multiplies two
 * matrices correctly; a named backend is tried alone. Every attempt is reported
 * with its reason, so the UI and the CLI can say why a better one was skipped.
 * Loads TensorFlow into the calling process: hosts call it in a child process.
 */
export async function selectBackend(preference: BackendPreference): Promise<BackendReport> {
  const order: readonly BackendName[] = preference === 'auto' ? backendNames : [preference];
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    const started = performance.now();
    try {
      const result = await tryBackend(name);
      attempts.push({ backend: name, ok: true, reason: null, ms: round(performance.now() - started) });
      return { requested: preference, chosen: name, ...result, attempts };
    } catch (err) {
      attempts.push({ backend: name, ok: false, reason: explain(name, err), ms: round(performance.now() - started) });
    }
  }
  return { requested: preference, chosen: null, device: null, tfjsVersion: null, matmulGflops: null, attempts };
}

async function tryBackend(name: BackendName): Promise<Pick<BackendReport, 'device' | 'tfjsVersion' | 'matmulGflops'>> {
  const candidate = candidates[name];
  // Non-literal specifiers keep the bundler from resolving optional packages at build time.
  const corePackage = '@tensorflow/tfjs-core';
  const tf = (await import(corePackage)) as Tf;
  await import(candidate.packageName);
  candidate.configure?.(tf);
  const ok = await tf.setBackend(candidate.tfjsName);
  if (!ok) throw new Error(`tfjs could not initialise the '${candidate.tfjsName}' backend`);
  await tf.ready();
  if (name === 'tensorflow-gpu') await assertGpuVisible(tf);
  const gflops = await measureMatmul(tf);
  return { device: candidate.describeDevice(tf), tfjsVersion: tf.version_core, matmulGflops: gflops };
}

/**
 * tfjs-node-gpu silently runs on the CPU when CUDA is missing; a GPU build then
 * is no better than tfjs-node. Its binding reports whether CUDA devices exist.
 */
async function assertGpuVisible(tf: Tf): Promise<void> {
  const backend = tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } };
  const usingGpu = backend.binding?.isUsingGpuDevice?.();
  if (usingGpu === false) throw new Error('libtensorflow GPU build loaded but found no CUDA device');
}

/**
 * Multiplies two 256×256 matrices, checks one entry against a plain loop and
 * returns the rate of a few repeats: a sanity check and a speed hint in one.
 */
async function measureMatmul(tf: Tf): Promise<number> {
  const n = 256;
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 7);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 8);
  try {
    const first = tf.matMul(a, b);
    const [av, bv, cv] = await Promise.all([a.data(), b.data(), first.data()]);
    first.dispose();
    let expected = 0;
    for (let k = 0; k < n; k += 1) expected += (av[k] ?? 0) * (bv[k * n] ?? 0);
    if (Math.abs((cv[0] ?? Number.NaN) - expected) > 1e-3 * n) {
      throw new Error(`matmul check failed: got ${cv[0]}, expected ${expected}`);
    }
    const repeats = 5;
    const started = performance.now();
    for (let i = 0; i < repeats; i += 1) {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    return round((2 * n * n * n * repeats) / seconds / 1e9);
  } finally {
    a.dispose();
    b.dispose();
  }
}

function explain(name: BackendName, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    if (name === 'tensorflow-gpu' || name === 'tensorflow') {
      return `${candidates[name].packageName} is not installed (an optional dependency whose install downloads libtensorflow, which needs the internet; see README "Compute backends")`;
    }
    return `${candidates[name].packageName} is not installed`;
  }
  return firstLine(message);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
