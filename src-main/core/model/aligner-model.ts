/**
 * The aligner (ARCHITECTURE.md §5) on tfjs-core alone, as plain tf.Variables:
 *
 *   images [B,S,S,1] → patches [B·N, P²] → ×W + pos → L pre-LN blocks → LN → tokens [B·N, D]
 *   prompts Φ_text [C, D] → query; tokens → keys, values (H heads) → weights A [B, H, C, N]
 *   M_c = mean_h A reshaped [B, C, g, g]              (attention)
 *   fused [B, C, D] → per-finding linear head → logits [B, C]
 *   N·M_c → bilinear ×(R/g) → conv3×3 (8 ch) → ReLU → conv3×3 (1 ch) → σ → P_c [B, C, R, R]   (aligned)
 *
 * Decisions (the PyTorch reference, tests/reference/python/aligner_reference.py, makes the same):
 * - No class token and no dropout; the fused features carry the classification.
 * - GELU is the exact erf form; LayerNorm ε = 1e-6 (layers.ts).
 * - The projector's input is N·M_c, so that uniform attention reads 1 and the convolutions start at a
 *   sensible scale (raw weights are ~1/N); upsampling is bilinear, PyTorch's align_corners=False.
 * - The classification head is one linear map per finding (head.weight [C, D]) on that finding's fused
 *   feature (fused = cross-attention output projected by cross_attn.proj).
 *
 * Only ops whose gradients exist on every backend are used (no gather, conv2d, einsum, stridedSlice).
 * Products are plain tf.matMul, 2-D on [B·N, D] rows where possible, batched for the attention products. The
 * stock wasm kernel ran batched and transposed products (matMul's gradient, q·kᵀ) ~15× slower than 2-D ones;
 * the wasm backend now has a BatchMatMul kernel (compute/wasm-matmul.ts) that runs them all on OpenBLAS's sgemm
 * (the native addon) or XNNPACK's 2-D path, so no custom gradient is needed (tiny, batch 32: 4.6 s a step in
 * tests/bench/train-step.mjs with the addon, 10.8 s on XNNPACK, ~45 s with the stock kernel).
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { gridSize, type ModelConfig } from './config';
import { initialValues } from './init';
import { conv3x3, gelu, interpolationMatrix, layerNorm, linear, resizeSquare, type Tf } from './layers';
import './register-gradients';
import { countParameters, promptWeightName, weightSpecs } from './weights';

/** What the model computes for a batch; the caller owns (and disposes) these tensors. */
export interface AlignerOutputs {
  /** z [B, C]: one logit per finding, p_c = σ(z_c). */
  readonly logits: TfCore.Tensor2D;
  /** M_c [B, C, g, g]: cross-attention weights averaged over heads; each map sums to 1. */
  readonly attention: TfCore.Tensor4D;
  /** P_c [B, C, R, R] in (0, 1): the attention aligner's refined map, compared with the human mask Y. */
  readonly aligned: TfCore.Tensor4D;
}

export interface AlignerModel {
  readonly config: ModelConfig;
  /**
   * @param images [B, S, S, 1] float32, windowed and normalised
   * Runs in its own tidy: nothing but the outputs survives.
   */
  forward(images: TfCore.Tensor4D): AlignerOutputs;
  /** The variables an optimiser updates, by weight name (frozen prompts are not among them). */
  readonly trainableVariables: Readonly<Record<string, TfCore.Variable>>;
  /**
   * The value of `loss` and its gradient for every trainable variable, keyed by weight name (tf.variableGrads,
   * whose keys are the engine's unique variable names). The caller disposes `value` and `grads`.
   */
  variableGrads(loss: () => TfCore.Scalar): { value: TfCore.Scalar; grads: Record<string, TfCore.Tensor> };
  /** Copies of every weight by name (frozen prompts included); cheap (shared data), the caller disposes them. */
  getWeights(): Record<string, TfCore.Tensor>;
  /** Replaces weights by name; unknown names and wrong shapes throw before anything is changed. */
  setWeights(weights: Readonly<Record<string, TfCore.Tensor>>): void;
  /** Trainable parameters (see weights.ts for the presets' figures). */
  readonly parameterCount: number;
  /** Frees every variable and constant; the model is unusable afterwards. */
  dispose(): void;
}

/** tf.variable names are global to the engine: each model prefixes its own. */
let modelCounter = 0;

/** Builds a model with the weights `config.seed` gives (see init.ts); nothing is built at import time. */
export function createAlignerModel(tf: Tf, config: ModelConfig): AlignerModel {
  const prefix = `aligner${++modelCounter}/`;
  const g = gridSize(config);
  const tokens = g * g;
  const d = config.width;
  const heads = config.heads;
  const headDim = d / heads;
  const c = config.findings.length;
  const r = config.maskSize;

  const variables: Record<string, TfCore.Variable> = {};
  let frozenPrompt: TfCore.Tensor | null = null;
  for (const spec of weightSpecs(config)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!spec.trainable) {
      const vectors = config.prompt.kind === 'frozen' ? config.prompt.vectors.flat() : [];
      frozenPrompt = tf.tensor(vectors, [...spec.shape], 'float32');
      continue;
    }
    const values = tf.tensor(initialValues(config.seed, spec.name, size, spec.init), [...spec.shape], 'float32');
    variables[spec.name] = tf.variable(values, true, prefix + spec.name);
    values.dispose();
  }

  // Constants: the interpolation matrix Uᵀ [g, R] and the head masks of the cross-attention.
  const interpT = tf.tidy(() => tf.transpose(tf.tensor2d(interpolationMatrix(g, r), [r, g])));
  const headOfFeature = Array.from({ length: d }, (_, i) => Math.floor(i / headDim));
  /** [D, H·C]: 1 where feature i belongs to the head of column h·C + c. */
  const queryMask = tf.tensor2d(
    headOfFeature.flatMap((h) => Array.from({ length: heads * c }, (_, col) => (Math.floor(col / c) === h ? 1 : 0))),
    [d, heads * c],
  );
  /** [H, 1, D]: 1 where feature i belongs to head h. */
  const valueMask = tf.tensor3d(
    Array.from({ length: heads }, (_, h) => headOfFeature.map((hh) => (hh === h ? 1 : 0))).flat(),
    [heads, 1, d],
  );

  const w = (name: string): TfCore.Tensor => {
    if (name === promptWeightName && frozenPrompt) return frozenPrompt;
    const v = variables[name];
    if (!v) throw new Error(`aligner model has no weight '${name}'`);
    return v;
  };

  /** [B·N, D] → [B·N, D]: pre-LN multi-head self-attention with its residual. */
  const selfAttention = (x: TfCore.Tensor2D, batch: number, block: string): TfCore.Tensor2D => {
    const h = layerNorm(tf, x, w(`${block}.norm1.weight`), w(`${block}.norm1.bias`));
    // q, k, v from the column blocks of the fused [D, 3D] weight, each [B·N, D] → [B·H, N, dh] by a 4-D transpose:
    // wasm runs the 5-D transpose of the fused [B, N, 3, H, dh] output several times slower than three 4-D ones.
    const qkvWeight = w(`${block}.attn.qkv.weight`) as TfCore.Tensor2D;
    const qkvBias = w(`${block}.attn.qkv.bias`);
    const [q, k, v] = [0, 1, 2].map((part) => {
      const projected = linear(tf, h, tf.slice(qkvWeight, [0, part * d], [d, d]), tf.slice(qkvBias, [part * d], [d]));
      return tf.reshape(tf.transpose(tf.reshape(projected, [batch, tokens, heads, headDim]), [0, 2, 1, 3]), [
        batch * heads,
        tokens,
        headDim,
      ]);
    }) as [TfCore.Tensor3D, TfCore.Tensor3D, TfCore.Tensor3D];
    const weights = tf.softmax(tf.matMul(tf.mul(q, 1 / Math.sqrt(headDim)), k, false, true));
    const mixed = tf.matMul(weights, v); // [B·H, N, dh]
    const merged = tf.reshape(tf.transpose(tf.reshape(mixed, [batch, heads, tokens, headDim]), [0, 2, 1, 3]), [
      batch * tokens,
      d,
    ]);
    return tf.add(
      x,
      linear(tf, merged as TfCore.Tensor2D, w(`${block}.attn.proj.weight`), w(`${block}.attn.proj.bias`)),
    );
  };

  /** [B·N, D] → [B·N, D]: pre-LN GELU MLP with its residual. */
  const mlp = (x: TfCore.Tensor2D, block: string): TfCore.Tensor2D => {
    const h = layerNorm(tf, x, w(`${block}.norm2.weight`), w(`${block}.norm2.bias`));
    const hidden = gelu(tf, linear(tf, h, w(`${block}.mlp.fc1.weight`), w(`${block}.mlp.fc1.bias`)));
    return tf.add(x, linear(tf, hidden, w(`${block}.mlp.fc2.weight`), w(`${block}.mlp.fc2.bias`)));
  };

  /** images [B, S, S, 1] → tokens [B·N, D] (after the final LayerNorm). */
  const encode = (images: TfCore.Tensor4D, batch: number): TfCore.Tensor2D => {
    const p = config.patchSize;
    const patches = tf.reshape(tf.transpose(tf.reshape(images, [batch, g, p, g, p]), [0, 1, 3, 2, 4]), [
      batch * tokens,
      p * p,
    ]) as TfCore.Tensor2D;
    const embedded = linear(tf, patches, w('patch_embed.weight'), w('patch_embed.bias'));
    let x = tf.reshape(tf.add(tf.reshape(embedded, [batch, tokens, d]), w('pos_embed')), [batch * tokens, d]);
    for (let i = 0; i < config.depth; i++)
      x = mlp(selfAttention(x as TfCore.Tensor2D, batch, `blocks.${i}`), `blocks.${i}`);
    return layerNorm(tf, x as TfCore.Tensor2D, w('norm.weight'), w('norm.bias'));
  };

  /**
   * Cross-attention of the C prompts over the N tokens, as 2-D matMuls: the scaled queries of all heads are laid
   * out block-diagonally in Q [D, H·C], so keys [B·N, D] × Q gives every head's scores at once.
   * @returns weights [B, H·C, N] (softmax over N) and fused features [B, C, D]
   */
  const crossAttention = (x: TfCore.Tensor2D, batch: number): { weights: TfCore.Tensor3D; fused: TfCore.Tensor3D } => {
    const q = linear(tf, w(promptWeightName) as TfCore.Tensor2D, w('cross_attn.q.weight'), w('cross_attn.q.bias'));
    const k = tf.matMul(x, w('cross_attn.k.weight') as TfCore.Tensor2D); // no bias: see weights.ts
    const v = linear(tf, x, w('cross_attn.v.weight'), w('cross_attn.v.bias'));
    const queries = tf.mul(
      tf.tile(tf.transpose(tf.mul(q, 1 / Math.sqrt(headDim))), [1, heads]),
      queryMask,
    ) as TfCore.Tensor2D;
    const scores = tf.transpose(tf.reshape(tf.matMul(k, queries), [batch, tokens, heads * c]), [0, 2, 1]);
    const weights = tf.softmax(scores) as TfCore.Tensor3D; // [B, H·C, N]
    const values = tf.reshape(v, [batch, tokens, d]) as TfCore.Tensor3D;
    const perHead = tf.reshape(tf.matMul(weights, values), [batch, heads, c, d]);
    const merged = tf.reshape(tf.sum(tf.mul(perHead, valueMask), 1), [batch * c, d]) as TfCore.Tensor2D;
    const fused = linear(tf, merged, w('cross_attn.proj.weight'), w('cross_attn.proj.bias'));
    return { weights, fused: tf.reshape(fused, [batch, c, d]) };
  };

  /** M [B, C, g, g] → P [B, C, R, R]. */
  const project = (attention: TfCore.Tensor4D, batch: number): TfCore.Tensor4D => {
    const scaled = tf.reshape(tf.mul(attention, tokens), [batch * c, g, g]) as TfCore.Tensor3D;
    const upsampled = tf.reshape(resizeSquare(tf, scaled, interpT), [batch * c, r, r, 1]) as TfCore.Tensor4D;
    const hidden = tf.relu(conv3x3(tf, upsampled, w('aligner.conv1.weight'), w('aligner.conv1.bias')));
    const out = conv3x3(tf, hidden, w('aligner.conv2.weight'), w('aligner.conv2.bias'));
    return tf.reshape(tf.sigmoid(out), [batch, c, r, r]);
  };

  const forward = (images: TfCore.Tensor4D): AlignerOutputs => {
    const [batch, height, width, channels] = images.shape;
    if (height !== config.imageSize || width !== config.imageSize || channels !== 1) {
      throw new Error(
        `aligner input must be [B, ${config.imageSize}, ${config.imageSize}, 1], got [${images.shape.join(', ')}]`,
      );
    }
    if (images.dtype !== 'float32') throw new Error(`aligner input must be float32, got ${images.dtype}`);
    return tf.tidy(() => {
      const x = encode(images, batch);
      const { weights, fused } = crossAttention(x, batch);
      const attention = tf.reshape(tf.mean(tf.reshape(weights, [batch, heads, c, tokens]), 1), [batch, c, g, g]);
      const logits = tf.add(tf.sum(tf.mul(fused, w('head.weight')), -1), w('head.bias')) as TfCore.Tensor2D;
      return { logits, attention: attention as TfCore.Tensor4D, aligned: project(attention as TfCore.Tensor4D, batch) };
    });
  };

  const trainableVariables = Object.freeze({ ...variables });
  const byEngineName = new Map(Object.entries(variables).map(([name, v]) => [v.name, name]));

  return {
    config,
    forward,
    trainableVariables,
    parameterCount: countParameters(config),
    variableGrads(loss) {
      const { value, grads } = tf.variableGrads(loss, Object.values(variables));
      const named: Record<string, TfCore.Tensor> = {};
      for (const [engineName, grad] of Object.entries(grads)) named[byEngineName.get(engineName) ?? engineName] = grad;
      return { value, grads: named };
    },
    getWeights() {
      const out: Record<string, TfCore.Tensor> = {};
      for (const [name, v] of Object.entries(variables)) out[name] = tf.clone(v);
      if (frozenPrompt) out[promptWeightName] = tf.clone(frozenPrompt);
      return out;
    },
    setWeights(weights) {
      for (const [name, value] of Object.entries(weights)) {
        const target = name === promptWeightName && frozenPrompt ? frozenPrompt : variables[name];
        if (!target) throw new Error(`setWeights: the model has no weight '${name}'`);
        if (target.shape.join() !== value.shape.join()) {
          throw new Error(
            `setWeights: '${name}' has shape [${value.shape.join(', ')}], expected [${target.shape.join(', ')}]`,
          );
        }
      }
      for (const [name, value] of Object.entries(weights)) {
        if (name === promptWeightName && frozenPrompt) {
          frozenPrompt.dispose();
          frozenPrompt = tf.cast(value, 'float32');
        } else tf.tidy(() => variables[name]?.assign(tf.cast(value, 'float32')));
      }
    },
    dispose() {
      for (const v of Object.values(variables)) v.dispose();
      frozenPrompt?.dispose();
      interpT.dispose();
      queryMask.dispose();
      valueMask.dispose();
    },
  };
}
