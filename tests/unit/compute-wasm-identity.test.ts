import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import '../../src-main/core/model/register-gradients';

/** The wasm Identity kernel of wasm-identity.ts (installed by selectBackend): shares data instead of copying. */
let wasm = false;
beforeAll(async () => {
  await selectBackend('cpu');
  wasm = (await selectBackend('wasm')).chosen === 'wasm';
});

describe('wasm Identity kernel (wasm-identity.ts)', () => {
  it('clones without a copy; each tensor keeps its values until the last one is disposed', (ctx) => {
    if (!wasm) ctx.skip();
    tf.setBackend('wasm');
    const before = tf.memory();
    const buffers = tf.engine().backend.numDataIds();
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(tf.engine().backend.numDataIds()).toBe(buffers + 1); // one buffer for both
    expect(y.shape).toEqual([2, 3]);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const z = tf.add(y, 1);
    y.dispose();
    expect(Array.from(z.dataSync())).toEqual([2, 3, 4, 5, 6, 7]);
    z.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('keeps int32, bool and string tensors intact', (ctx) => {
    if (!wasm) ctx.skip();
    tf.setBackend('wasm');
    tf.tidy(() => {
      expect(Array.from(tf.clone(tf.tensor1d([7, -8], 'int32')).dataSync())).toEqual([7, -8]);
      expect(Array.from(tf.clone(tf.tensor1d([true, false], 'bool')).dataSync())).toEqual([1, 0]);
      expect(tf.clone(tf.tensor1d(['a', 'bc'], 'string')).arraySync()).toEqual(['a', 'bc']);
    });
  });

  it('gives the same gradients as the cpu backend through ops whose gradients use Identity', (ctx) => {
    if (!wasm) ctx.skip();
    const grads = (backend: string): number[][] => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const a = tf.tensor2d([0.5, -1, 2, 3], [2, 2]);
        const b = tf.tensor2d([1, 2, -3, 0.25], [2, 2]);
        const f = (x: tf.Tensor, y: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(tf.add(tf.clone(x), y), tf.sigmoid(tf.sub(x, tf.clone(y)))));
        return (tf.grads(f)([a, b]) as tf.Tensor[]).map((g) => Array.from(g.dataSync()));
      });
    };
    const want = grads('cpu');
    const got = grads('wasm');
    for (let i = 0; i < want.length; i++) {
      for (let j = 0; j < (want[i] ?? []).length; j++) expect(got[i]?.[j]).toBeCloseTo(want[i]?.[j] ?? Number.NaN, 6);
    }
  });
});
