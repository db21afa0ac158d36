import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import { mergeSliceAxes } from '../../src-main/core/compute/wasm-slice';
import '../../src-main/core/model/register-gradients';

/** The wasm Slice kernel of wasm-slice.ts (installed by selectBackend) against the cpu backend's stock kernel. */
let wasm = false;
beforeAll(async () => {
  await selectBackend('cpu');
  wasm = (await selectBackend('wasm')).chosen === 'wasm';
});

/** Seeded values 0, 1, 2, … scrambled, so that a misplaced element shows. */
const values = (size: number): Float32Array => Float32Array.from({ length: size }, (_, i) => ((i * 7919) % 1009) - 500);

function sliceOn(backend: string, shape: number[], begin: number[], size: number[], dtype: tf.DataType): number[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor(values(shape.reduce((p, v) => p * v, 1)), shape, dtype);
    return Array.from(tf.slice(x, begin, size).dataSync());
  });
}

const cases: [number[], number[], number[]][] = [
  [[7], [2], [4]],
  [
    [5, 6],
    [1, 2],
    [3, 3],
  ],
  [
    [5, 6],
    [1, 0],
    [3, 6],
  ],
  [
    [4, 6, 5],
    [1, 1, 1],
    [2, 4, 3],
  ],
  [
    [4, 6, 5],
    [0, 1, 0],
    [4, 4, 5],
  ],
  [
    [3, 8, 8, 4],
    [0, 1, 2, 0],
    [3, 6, 5, 4],
  ],
  [
    [3, 8, 8, 4],
    [1, 1, 2, 1],
    [1, 6, 5, 2],
  ],
  [
    [2, 3, 4, 5, 6],
    [1, 0, 1, 2, 0],
    [1, 3, 2, 3, 6],
  ],
  [
    [2, 3, 4, 5, 6],
    [0, 1, 1, 1, 1],
    [2, 2, 3, 3, 4],
  ],
  [
    [6, 5],
    [0, 0],
    [6, 5],
  ],
  [
    [4, 5],
    [4, 0],
    [0, 5],
  ],
];

describe('wasm Slice kernel (wasm-slice.ts) against the cpu backend', () => {
  for (const [shape, begin, size] of cases) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      it(`[${shape.join(',')}] from [${begin.join(',')}] size [${size.join(',')}] ${dtype}`, (ctx) => {
        if (!wasm) ctx.skip();
        expect(sliceOn('wasm', shape, begin, size, dtype)).toEqual(sliceOn('cpu', shape, begin, size, dtype));
      });
    }
  }

  it('slices strings (the stock kernel) and takes size −1 as "to the end"', (ctx) => {
    if (!wasm) ctx.skip();
    tf.setBackend('wasm');
    tf.tidy(() => {
      expect(tf.slice(tf.tensor1d(['a', 'b', 'c']), [1], [2]).arraySync()).toEqual(['b', 'c']);
      expect(Array.from(tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [0, 1], [-1, -1]).dataSync())).toEqual([
        2, 3, 5, 6,
      ]);
    });
  });

  it("gives pad's and slice's gradients as the cpu backend does", (ctx) => {
    if (!wasm) ctx.skip();
    const grads = (backend: string): number[] => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(values(2 * 5 * 5 * 3), [2, 5, 5, 3]);
        const f = (t: tf.Tensor): tf.Scalar => {
          const padded = tf.pad(t, [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ]);
          return tf.sum(
            tf.mul(tf.slice(padded, [0, 2, 1, 0], [2, 5, 4, 3]), tf.slice(padded, [0, 0, 2, 1], [2, 5, 4, 1])),
          );
        };
        return Array.from(tf.grad(f)(x).dataSync());
      });
    };
    expect(grads('wasm')).toEqual(grads('cpu'));
  });
});

describe('mergeSliceAxes', () => {
  it('merges axes taken whole and axes taken at one index into longer runs', () => {
    // pad's gradient on [B, H+2, W+2, C]: the channel axis is whole, so each row is one run of W·C.
    expect(mergeSliceAxes([24, 58, 58, 8], [0, 1, 1, 0], [24, 56, 56, 8])).toEqual([
      { n: 24, begin: 0, size: 24 },
      { n: 58, begin: 1, size: 56 },
      { n: 464, begin: 8, size: 448 },
    ]);
    expect(mergeSliceAxes([4, 6], [2, 0], [1, 6])).toEqual([{ n: 24, begin: 12, size: 6 }]);
    expect(mergeSliceAxes([4, 6, 5], [1, 2, 1], [1, 3, 2])).toEqual([
      { n: 24, begin: 8, size: 3 },
      { n: 5, begin: 1, size: 2 },
    ]);
  });
});
