/**
 * The aligner's weights by name: what each is, its shape and how it starts. Names follow PyTorch's
 * state_dict style (`blocks.0.attn.qkv.weight`), which is how checkpoints and the PyTorch export name them.
 * Linear weights are stored [in, out] (x·W), the transpose of nn.Linear.weight; convolution weights are
 * stored im2col-style [9·Cin, Cout] (see `conv3x3` in layers.ts).
 */
import { gridSize, type ModelConfig } from './config';
import type { Initialiser } from './init';

/** Hidden channels of the aligner projector's first convolution. */
export const projectorChannels = 8;

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Initialiser;
  /** False only for frozen prompt vectors. */
  readonly trainable: boolean;
}

/** The name of the prompt embeddings Φ_text [C, D] (a variable when learned, a constant when frozen). */
export const promptWeightName = 'prompt.embeddings';

const vitInit: Initialiser = { kind: 'truncatedNormal', std: 0.02 };
const zeros: Initialiser = { kind: 'zeros' };
const ones: Initialiser = { kind: 'ones' };

/**
 * Every weight of a model with `config`, in a fixed order. Initialisation: timm's ViT for the encoder and the
 * classification head (truncated normal std 0.02, zero biases, LayerNorm 1/0); torch's nn.MultiheadAttention
 * for the cross-attention (xavier uniform), so that a prompt of std ~1 meets keys of std ~1 and the maps do
 * not start uniform; He normal for the projector's ReLU convolution and LeCun normal for its output one.
 * Frozen prompts are constants (the values come from the config, not from `init`).
 */
export function weightSpecs(config: ModelConfig): WeightSpec[] {
  const d = config.width;
  const hidden = config.mlpRatio * d;
  const tokens = gridSize(config) ** 2;
  const c = config.findings.length;
  const specs: WeightSpec[] = [];
  const add = (name: string, shape: number[], init: Initialiser, trainable = true): void => {
    specs.push({ name, shape, init, trainable });
  };
  const addLinear = (name: string, inputs: number, outputs: number, init: Initialiser = vitInit): void => {
    add(`${name}.weight`, [inputs, outputs], init);
    add(`${name}.bias`, [outputs], zeros);
  };
  const addNorm = (name: string): void => {
    add(`${name}.weight`, [d], ones);
    add(`${name}.bias`, [d], zeros);
  };

  addLinear('patch_embed', config.patchSize ** 2, d);
  add('pos_embed', [tokens, d], vitInit);
  for (let i = 0; i < config.depth; i++) {
    addNorm(`blocks.${i}.norm1`);
    addLinear(`blocks.${i}.attn.qkv`, d, 3 * d);
    addLinear(`blocks.${i}.attn.proj`, d, d);
    addNorm(`blocks.${i}.norm2`);
    addLinear(`blocks.${i}.mlp.fc1`, d, hidden);
    addLinear(`blocks.${i}.mlp.fc2`, hidden, d);
  }
  addNorm('norm');
  if (config.prompt.kind === 'learned') add(promptWeightName, [c, d], { kind: 'normal', std: config.prompt.initStd });
  else add(promptWeightName, [c, d], zeros, false);
  const xavier: Initialiser = { kind: 'xavierUniform', fanIn: d, fanOut: d };
  addLinear('cross_attn.q', d, d, xavier);
  // No key bias: it adds q·b_k to every key's score alike, which the softmax cancels (its gradient is exactly 0).
  add('cross_attn.k.weight', [d, d], xavier);
  addLinear('cross_attn.v', d, d, xavier);
  addLinear('cross_attn.proj', d, d, xavier);
  add('head.weight', [c, d], vitInit);
  add('head.bias', [c], zeros);
  add('aligner.conv1.weight', [9, projectorChannels], { kind: 'normal', std: Math.sqrt(2 / 9) });
  add('aligner.conv1.bias', [projectorChannels], zeros);
  add('aligner.conv2.weight', [9 * projectorChannels, 1], {
    kind: 'normal',
    std: Math.sqrt(1 / (9 * projectorChannels)),
  });
  add('aligner.conv2.bias', [1], zeros);
  return specs;
}

/**
 * Trainable parameters of a model with `config` (frozen prompts excluded). With the product's three findings
 * and learned prompts: base 87 770 268, small 22 061 724, tiny 5 575 068, micro 34 140 (config.ts).
 */
export function countParameters(config: ModelConfig): number {
  return weightSpecs(config)
    .filter((s) => s.trainable)
    .reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
}
