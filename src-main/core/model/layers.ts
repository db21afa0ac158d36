/**
 * The building blocks of the aligner as pure functions of tensors, written with ops whose gradients exist on
 * every backend (ENVIRONMENT.md, TensorFlow.js): no gather, conv2d, einsum or stridedSlice. Hot products
 * are 2-D matMuls on [rows, features] matrices; callers reshape [B, N, D] to [B·N, D] around them.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { geluKernelName, hasFusedGelu } from '../compute/wasm-gelu';

export type Tf = typeof TfCore;

/** LayerNorm's epsilon: 1e-6, as timm's ViT (PyTorch's default is 1e-5). */
export const layerNormEpsilon = 1e-6;

/**
 * y = x·W + b.
 * @param x [rows, in]
 * @param weight [in, out] (the transpose of PyTorch's nn.Linear.weight)
 * @param bias [out]
 * @returns [rows, out]
 */
export function linear(tf: Tf, x: TfCore.Tensor2D, weight: TfCore.Tensor, bias: TfCore.Tensor): TfCore.Tensor2D {
  return tf.add(tf.matMul(x, weight as TfCore.Tensor2D), bias);
}

/**
 * LayerNorm over the last axis (biased variance, as PyTorch), with {@link layerNormEpsilon}.
 * @param x [..., D]; @param gamma [D]; @param beta [D]
 */
export function layerNorm<T extends TfCore.Tensor>(tf: Tf, x: T, gamma: TfCore.Tensor, beta: TfCore.Tensor): T {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, layerNormEpsilon))), gamma), beta) as T;
}

/**
 * GELU, the exact form x·Φ(x) = ½x(1 + erf(x/√2)) (PyTorch's nn.GELU default and the pretrained ViT-B's),
 * not the tanh approximation: tf.erf and its gradient exist on every backend. On the wasm backend with the
 * native addon, one fused kernel each way (compute/wasm-gelu.ts).
 */
export function gelu<T extends TfCore.Tensor>(tf: Tf, x: T): T {
  if (hasFusedGelu(tf)) return tf.engine().runKernel(geluKernelName, { x }) as T;
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as T;
}

/**
 * A 3×3 convolution, stride 1, zero padding 1, without conv2d (wasm lacks Conv2DBackpropFilter): the sum over
 * the nine taps of (input shifted by the tap) × (the tap's [Cin, Cout] weight rows), each a 2-D matMul. The
 * shifts are slices of the padded input viewed as [B, H+2, (W+2)·Cin], whose inner runs are contiguous (much
 * faster on wasm than slicing or concatenating on a one-channel innermost axis, as a plain im2col does).
 * Gradients are those of pad, slice, matMul and addN, which every backend has.
 * @param x [B, H, W, Cin]
 * @param weight [9·Cin, Cout], rows ordered (ky, kx, cin): PyTorch's conv weight [Cout, Cin, 3, 3] permuted
 *   to (2, 3, 1, 0) and reshaped
 * @param bias [Cout]
 * @returns [B, H, W, Cout]
 */
export function conv3x3(tf: Tf, x: TfCore.Tensor4D, weight: TfCore.Tensor, bias: TfCore.Tensor): TfCore.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const outChannels = weight.shape[1] ?? 1;
  const padded = tf.reshape(
    tf.pad(x, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]),
    [batch, height + 2, (width + 2) * channels],
  );
  const taps: TfCore.Tensor2D[] = [];
  for (let ky = 0; ky < 3; ky++) {
    for (let kx = 0; kx < 3; kx++) {
      const shifted = tf.reshape(tf.slice(padded, [0, ky, kx * channels], [batch, height, width * channels]), [
        batch * height * width,
        channels,
      ]) as TfCore.Tensor2D;
      const rows = tf.slice(weight as TfCore.Tensor2D, [(ky * 3 + kx) * channels, 0], [channels, outChannels]);
      taps.push(tf.matMul(shifted, rows));
    }
  }
  return tf.reshape(tf.add(tf.addN(taps), bias), [batch, height, width, outChannels]);
}

/**
 * The matrix U [out, in] of 1-D linear interpolation from `size` to `outSize` samples with PyTorch's
 * `F.interpolate(mode='bilinear', align_corners=False)` convention: output i samples the input at
 * max(0, (i + ½)·in/out − ½), clamped at the last sample. Bilinear resizing of an image X [in, in] is U·X·Uᵀ.
 */
export function interpolationMatrix(size: number, outSize: number): Float32Array {
  const matrix = new Float32Array(outSize * size);
  const scale = size / outSize;
  for (let i = 0; i < outSize; i++) {
    const source = Math.max(0, (i + 0.5) * scale - 0.5);
    const lower = Math.min(Math.floor(source), size - 1);
    const upper = Math.min(lower + 1, size - 1);
    const frac = source - lower;
    matrix[i * size + lower] = (matrix[i * size + lower] ?? 0) + 1 - frac;
    matrix[i * size + upper] = (matrix[i * size + upper] ?? 0) + frac;
  }
  return matrix;
}

/**
 * Bilinear upsampling of square maps by two 2-D matMuls with the fixed interpolation matrix.
 * @param maps [M, g, g] (rows y, columns x)
 * @param interpT Uᵀ [g, R] from {@link interpolationMatrix}
 * @returns [M, R, R]
 */
export function resizeSquare(tf: Tf, maps: TfCore.Tensor3D, interpT: TfCore.Tensor2D): TfCore.Tensor3D {
  const [count, size] = maps.shape;
  const outSize = interpT.shape[1];
  // Along x: [M·g(y), g(x)] × [g, R] → [M, g(y), R(x')]
  const rows = tf.reshape(maps, [count * size, size]) as TfCore.Tensor2D;
  const alongX = tf.reshape(tf.matMul(rows, interpT), [count, size, outSize]);
  // Along y: [M·R(x'), g(y)] × [g, R] → [M, R(x'), R(y')], then back to rows y'
  const swapped = tf.reshape(tf.transpose(alongX, [0, 2, 1]), [count * outSize, size]) as TfCore.Tensor2D;
  const alongY = tf.reshape(tf.matMul(swapped, interpT), [count, outSize, outSize]);
  return tf.transpose(alongY, [0, 2, 1]) as TfCore.Tensor3D;
}
