import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NativeGemm } from '../../src-main/core/compute/native-gemm';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import { hasFusedGelu } from '../../src-main/core/compute/wasm-gelu';
import { wasmMatMulStatus } from '../../src-main/core/compute/wasm-matmul';
import { sumBlocks } from '../../src-main/core/compute/wasm-sum';
import { gelu } from '../../src-main/core/model/layers';
import '../../src-main/core/model/register-gradients';
import { relativeError, seededUniform as values } from '../helpers/float-compare';

/**
 * The wasm backend's other native kernels (wasm-sum.ts, wasm-gelu.ts) against the pure-JS cpu backend's stock
 * ops, on seeded random inputs. They run only where the addon is built; CI sets ALIGNER_EXPECT_NATIVE_GEMM=1 so
 * that a missing addon fails there instead of skipping.
 */
let native: NativeGemm | null = null;
beforeAll(async () => {
  await selectBackend('cpu');
  const wasm = (await selectBackend('wasm')).chosen === 'wasm';
  const status = wasmMatMulStatus();
  native = wasm && status?.loaded ? status.gemm : null;
  if (!native) {
    const reason = !wasm ? 'wasm backend not available' : status && !status.loaded ? status.reason : 'not tried';
    if (process.env.ALIGNER_EXPECT_NATIVE_GEMM === '1') throw new Error(`native kernels expected: ${reason}`);
    console.log(`native Sum/GELU tests skipped: ${reason}`);
  }
});

describe('sumBlocks', () => {
  it('views a sum over one block of axes as [outer, reduce, inner]', () => {
    expect(sumBlocks([4, 5, 6], [0])).toEqual({ outer: 1, reduce: 4, inner: 30 });
    expect(sumBlocks([4, 5, 6], [2])).toEqual({ outer: 20, reduce: 6, inner: 1 });
    expect(sumBlocks([4, 5, 6], [1, 0])).toEqual({ outer: 1, reduce: 20, inner: 6 });
    expect(sumBlocks([2, 3, 4, 5], [1, 2])).toEqual({ outer: 2, reduce: 12, inner: 5 });
  });

  it('refuses axes that are not one block, and no axes', () => {
    expect(sumBlocks([4, 5, 6], [0, 2])).toBeNull();
    expect(sumBlocks([4, 5, 6], [])).toBeNull();
    expect(sumBlocks([4, 5, 6], [1, 1])).toBeNull();
  });
});

const sumCases: [number[], number | number[], boolean][] = [
  [[37, 19], 0, false],
  [[37, 19], 1, true],
  [[37, 19], [0, 1], false],
  [[3, 5, 7, 9], [1, 2], true],
  [[3, 5, 7, 9], [0, 2], false],
  [[3, 5, 7, 9], -1, false],
  [[1568, 768], 0, false],
  [[1, 17], 0, false],
];

describe('native Sum on the wasm backend, against the cpu backend', () => {
  for (const [shape, axis, keepDims] of sumCases) {
    it(`sum over ${JSON.stringify(axis)} of [${shape.join(', ')}], keepDims ${keepDims}`, (ctx) => {
      if (!native) ctx.skip();
      const data = values(
        shape.reduce((p, x) => p * x, 1),
        7,
      );
      const on = (backend: string): { out: Float32Array; shape: number[] } => {
        tf.setBackend(backend);
        return tf.tidy(() => {
          const s = tf.sum(tf.tensor(data, shape), axis, keepDims);
          return { out: s.dataSync() as Float32Array, shape: s.shape };
        });
      };
      const ref = on('cpu');
      const got = on('wasm');
      expect(got.shape).toEqual(ref.shape);
      expect(relativeError(got.out, ref.out)).toBeLessThan(1e-5);
    });
  }

  it('keeps the stock kernel for int32 sums', (ctx) => {
    if (!native) ctx.skip();
    tf.setBackend('wasm');
    expect(Array.from(tf.tidy(() => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0).dataSync()))).toEqual([4, 6]);
  });
});

describe('fused GELU on the wasm backend, against the composed ops on the cpu backend', () => {
  it('is the kernel the model uses on wasm, and not on cpu', (ctx) => {
    if (!native) ctx.skip();
    tf.setBackend('wasm');
    expect(hasFusedGelu(tf)).toBe(true);
    tf.setBackend('cpu');
    expect(hasFusedGelu(tf)).toBe(false);
  });

  it('gives GELU and its gradient to 1e-5 relative, over [-6, 6]', (ctx) => {
    if (!native) ctx.skip();
    const shape = [64, 96];
    const x = values(64 * 96, 3, 6);
    const w = values(64 * 96, 4);
    const on = (backend: string): { y: Float32Array; dx: Float32Array } => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const input = tf.tensor(x, shape);
        const weights = tf.tensor(w, shape);
        const y = gelu(tf, input);
        const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(gelu(tf, v), weights)))(input);
        return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
      });
    };
    const ref = on('cpu');
    const got = on('wasm');
    expect(relativeError(got.y, ref.y)).toBeLessThan(1e-5);
    expect(relativeError(got.dx, ref.dx)).toBeLessThan(1e-5);
  });

  it('propagates NaN forward and backward, so that a NaN loss still stops the run', (ctx) => {
    if (!native) ctx.skip();
    tf.setBackend('wasm');
    const [y, dx] = tf.tidy(() => {
      const x = tf.tensor1d([Number.NaN, 0.5, Number.NaN, -1, 2, 3, 4, 5, Number.NaN]);
      return [
        gelu(tf, x).dataSync(),
        tf
          .grad((v: tf.Tensor) => tf.sum(gelu(tf, v)))(x)
          .dataSync(),
      ];
    });
    for (const i of [0, 2, 8]) {
      expect(y[i]).toBeNaN();
      expect(dx[i]).toBeNaN();
    }
    expect(Number.isFinite(y[1]) && Number.isFinite(dx[1])).toBe(true);
  });

  it('leaves no tensors behind', (ctx) => {
    if (!native) ctx.skip();
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const v = tf.ones([4, 8]);
      tf.grad((t: tf.Tensor) => tf.sum(gelu(tf, t)))(v).dataSync();
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
