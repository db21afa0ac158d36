import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import type { NativeGemm } from '../../src-main/core/compute/native-gemm';
import { planBatches, useNativeGemm, wasmMatMulStatus } from '../../src-main/core/compute/wasm-matmul';
import '../../src-main/core/model/register-gradients';
import { relativeError, seededUniform as values } from '../helpers/float-compare';

/**
 * The wasm BatchMatMul kernel of wasm-matmul.ts (installed by selectBackend) against the pure-JS cpu backend's
 * stock kernel, on seeded random inputs: every transposeA/transposeB, 2-D and batched shapes, batch broadcasting,
 * odd sizes, and the gradients tf.grads takes through matMul (which multiply with transposed operands). Both of
 * its paths: the native OpenBLAS sgemm (where built; CI sets ALIGNER_EXPECT_NATIVE_GEMM=1 so that a missing
 * addon fails there instead of skipping) and XNNPACK's.
 */
let wasm = false;
let native: NativeGemm | null = null;
beforeAll(async () => {
  await selectBackend('cpu');
  wasm = (await selectBackend('wasm')).chosen === 'wasm';
  const status = wasmMatMulStatus();
  native = status?.loaded ? status.gemm : null;
  if (!native) {
    const reason = status && !status.loaded ? status.reason : 'wasm backend not available';
    if (process.env.ALIGNER_EXPECT_NATIVE_GEMM === '1') throw new Error(`native sgemm expected: ${reason}`);
    console.log(`native sgemm path skipped: ${reason}`);
  }
});
afterAll(() => useNativeGemm(native));

const sizeOf = (shape: readonly number[]): number => shape.reduce((p, x) => p * x, 1);

interface Case {
  readonly a: number[];
  readonly b: number[];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/**
 * The product and the gradients of Σ w ⊙ matMul(a, b) on `backend`, as arrays. tfjs-core 4.22's BatchMatMul gradient
 * does not sum over broadcast batch dims (1 against N, or a missing dim) on any backend ("The gradient of input
 * 'a' has shape '4,5,7', which does not match the shape of the input '1,5,7'"), so those cases check the product
 * alone (`grads` false).
 */
function run(
  backend: string,
  c: Case,
  grads = true,
): { out: Float32Array; da: Float32Array; db: Float32Array; shape: number[] } {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const a = tf.tensor(values(sizeOf(c.a), 1), c.a);
    const b = tf.tensor(values(sizeOf(c.b), 2), c.b);
    const out = tf.matMul(a, b, c.transposeA, c.transposeB);
    if (!grads)
      return { out: out.dataSync() as Float32Array, da: new Float32Array(), db: new Float32Array(), shape: out.shape };
    const w = tf.tensor(values(out.size, 3), out.shape);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(x, y, c.transposeA, c.transposeB), w)),
    )([a, b]) as [tf.Tensor, tf.Tensor];
    expect(da.shape).toEqual(c.a);
    expect(db.shape).toEqual(c.b);
    return {
      out: out.dataSync() as Float32Array,
      da: da.dataSync() as Float32Array,
      db: db.dataSync() as Float32Array,
      shape: out.shape,
    };
  });
}

/** A [..., M, K] and B [..., K, N] laid out for the transposes. */
function shapes(aBatch: number[], bBatch: number[], m: number, k: number, n: number, tA: boolean, tB: boolean): Case {
  return {
    a: [...aBatch, ...(tA ? [k, m] : [m, k])],
    b: [...bBatch, ...(tB ? [n, k] : [k, n])],
    transposeA: tA,
    transposeB: tB,
  };
}

/** Label, A's and B's batch dims, whether tfjs-core can take the gradients (see `run`). */
const batchings: [string, number[], number[], boolean][] = [
  ['2-D', [], [], true],
  ['N×N', [4], [4], true],
  ['1×N', [1], [4], false],
  ['N×1', [4], [1], false],
  ['3-D × 2-D', [3], [], false],
  ['2-D × 3-D', [], [3], false],
  ['4-D N×N', [2, 3], [2, 3], true],
];
const sizes: [number, number, number][] = [
  [5, 7, 3],
  [1, 9, 1],
  [17, 33, 1],
  [65, 40, 33],
];

for (const path of ['native sgemm', 'XNNPACK'] as const) {
  describe(`wasm BatchMatMul kernel (wasm-matmul.ts), ${path} path, against the cpu backend`, () => {
    let usable = false;
    beforeAll(() => {
      usable = wasm && (path === 'XNNPACK' || native !== null);
      useNativeGemm(path === 'XNNPACK' ? null : native);
    });

    for (const [label, aBatch, bBatch, grads] of batchings) {
      for (const [m, k, n] of sizes) {
        for (const tA of [false, true]) {
          for (const tB of [false, true]) {
            const c = shapes(aBatch, bBatch, m, k, n, tA, tB);
            const what = grads ? 'product and gradients' : 'product';
            it(`${label} [${c.a.join(',')}] × [${c.b.join(',')}] tA=${tA} tB=${tB}: ${what}`, (ctx) => {
              if (!usable) ctx.skip();
              const ref = run('cpu', c, grads);
              const got = run('wasm', c, grads);
              expect(got.shape).toEqual(ref.shape);
              expect(relativeError(got.out, ref.out)).toBeLessThan(1e-5);
              expect(relativeError(got.da, ref.da)).toBeLessThan(1e-5);
              expect(relativeError(got.db, ref.db)).toBeLessThan(1e-5);
            });
          }
        }
      }
    }

    it('broadcasts batch dims of 1 on either side in one product ([2, 1, M, K] × [1, 3, K, N]), as a plain loop', (ctx) => {
      if (!usable) ctx.skip();
      const [m, k, n] = [4, 6, 5];
      tf.setBackend('wasm');
      const av = values(2 * m * k, 4);
      const bv = values(3 * k * n, 5);
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const got = tf.tidy(() => {
            const a = tf.tensor(av, [2, 1, ...(tA ? [k, m] : [m, k])]);
            const b = tf.tensor(bv, [1, 3, ...(tB ? [n, k] : [k, n])]);
            const out = tf.matMul(a, b, tA, tB);
            expect(out.shape).toEqual([2, 3, m, n]);
            return out.dataSync() as Float32Array;
          });
          const want = new Float32Array(2 * 3 * m * n);
          for (let i = 0; i < 2; i++) {
            for (let j = 0; j < 3; j++) {
              for (let r = 0; r < m; r++) {
                for (let col = 0; col < n; col++) {
                  let s = 0;
                  for (let t = 0; t < k; t++) {
                    const x = av[i * m * k + (tA ? t * m + r : r * k + t)] ?? 0;
                    const y = bv[j * k * n + (tB ? col * k + t : t * n + col)] ?? 0;
                    s += x * y;
                  }
                  want[((i * 3 + j) * m + r) * n + col] = s;
                }
              }
            }
          }
          expect(relativeError(got, want)).toBeLessThan(1e-5);
        }
      }
    });

    it('multiplies the [B·H, N, dh] attention products of the tiny preset as the cpu backend does', (ctx) => {
      if (!usable) ctx.skip();
      const c = shapes([6], [6], 196, 64, 196, false, true);
      const ref = run('cpu', c);
      const got = run('wasm', c);
      expect(relativeError(got.out, ref.out)).toBeLessThan(1e-5);
      expect(relativeError(got.da, ref.da)).toBeLessThan(1e-5);
      expect(relativeError(got.db, ref.db)).toBeLessThan(1e-5);
    });

    it('leaves no tensors or heap views behind', (ctx) => {
      if (!usable) ctx.skip();
      tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          tf.tidy(() => tf.matMul(tf.ones([3, 4, 4]), tf.ones([1, 4, 4]), tA, tB).dataSync());
        }
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    });

    it('rejects batch dims that do not broadcast and mismatched inner sizes', (ctx) => {
      if (!usable) ctx.skip();
      tf.setBackend('wasm');
      expect(() => tf.matMul(tf.ones([2, 3, 4]), tf.ones([3, 4, 5]))).toThrow();
      expect(() => tf.matMul(tf.ones([3, 4]), tf.ones([5, 4]))).toThrow();
    });
  });
}

describe('planBatches', () => {
  it('maps each output matrix to the broadcast matrices of A and B', () => {
    const plan = planBatches([2, 1], [3]);
    expect(plan.outBatchShape).toEqual([2, 3]);
    expect([...plan.aIndex]).toEqual([0, 0, 0, 1, 1, 1]);
    expect([...plan.bIndex]).toEqual([0, 1, 2, 0, 1, 2]);
    expect([...planBatches([], [4]).aIndex]).toEqual([0, 0, 0, 0]);
    expect(() => planBatches([2], [3])).toThrow(/broadcast/);
  });
});
