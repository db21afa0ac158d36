import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import { AdamW } from '../../src-main/core/model/adamw';
import { createAlignerModel, type AlignerModel } from '../../src-main/core/model/aligner-model';
import { parsePromptVectorsFile, presetConfig, type ModelConfig } from '../../src-main/core/model/config';
import { alignerDiceLoss, bceWithLogits, totalLoss } from '../../src-main/core/model/losses';
import { countParameters } from '../../src-main/core/model/weights';

/** wasm where it loads (the backend the trainer falls back to), else the pure-JS cpu backend. */
beforeAll(async () => {
  const report = await selectBackend('wasm');
  if (report.chosen === null) await selectBackend('cpu');
  expect(['wasm', 'cpu']).toContain(tf.getBackend());
});

const micro = presetConfig('micro', { seed: 7 });
/** A tiny variant with S = 32 (g = 4, R = 16). */
const small32 = presetConfig('micro', { imageSize: 32, findings: ['a', 'b'], seed: 3 });

/** A seeded batch for `config`: images, labels (some unknown), masks and aligner weights. */
function batch(config: ModelConfig, size: number, seed = 1) {
  const c = config.findings.length;
  const r = config.maskSize;
  return tf.tidy(() => {
    const labels = tf.cast(tf.greater(tf.randomUniform([size, c], 0, 1, 'float32', seed), 0.5), 'float32');
    const known = tf.cast(tf.greater(tf.randomUniform([size, c], 0, 1, 'float32', seed + 1), 0.2), 'float32');
    const masks = tf.cast(tf.greater(tf.randomUniform([size, c, r, r], 0, 1, 'float32', seed + 2), 0.7), 'float32');
    return {
      images: tf.randomNormal([size, config.imageSize, config.imageSize, 1], 0, 1, 'float32', seed + 3) as tf.Tensor4D,
      labels,
      known,
      masks,
      weight: tf.mul(labels, known),
    };
  });
}
type Batch = ReturnType<typeof batch>;

function lossOf(model: AlignerModel, b: Batch, lambda = 1): tf.Scalar {
  const out = model.forward(b.images);
  const loss = totalLoss(
    tf,
    bceWithLogits(tf, out.logits, b.labels, b.known),
    alignerDiceLoss(tf, out.aligned, b.masks, b.weight),
    lambda,
  );
  tf.dispose([out.logits, out.attention, out.aligned]);
  return loss;
}

describe('aligner model', () => {
  const models: AlignerModel[] = [];
  const make = (config: ModelConfig) => {
    const model = createAlignerModel(tf, config);
    models.push(model);
    return model;
  };
  afterAll(() => models.forEach((m) => m.dispose()));

  it.each([
    ['micro', micro, 3],
    ['S=32', small32, 2],
  ] as const)(
    '%s: outputs have the documented shapes and ranges',
    async (_, config, batchSize) => {
      const model = make(config);
      const b = batch(config, batchSize);
      const { logits, attention, aligned } = model.forward(b.images);
      const g = config.imageSize / config.patchSize;
      const c = config.findings.length;
      expect(logits.shape).toEqual([batchSize, c]);
      expect(attention.shape).toEqual([batchSize, c, g, g]);
      expect(aligned.shape).toEqual([batchSize, c, 4 * g, 4 * g]);
      const rowSums = tf.sum(attention, [2, 3]);
      for (const s of await rowSums.data()) expect(s).toBeCloseTo(1, 5);
      const [lo, hi] = await Promise.all([tf.min(aligned).data(), tf.max(aligned).data()]);
      expect(lo[0]).toBeGreaterThanOrEqual(0);
      expect(hi[0]).toBeLessThanOrEqual(1);
      // Not all equal: the cross-attention does not start uniform (SCIENCE-NOTES.md, prompt init).
      expect((await tf.max(attention).data())[0]).toBeGreaterThan(1.5 / (g * g));
      expect(Number.isFinite((await tf.sum(logits).data())[0])).toBe(true);
      tf.dispose([logits, attention, aligned, rowSums, ...Object.values(b)]);
    },
    30_000,
  );

  it('rejects images of the wrong size', () => {
    const model = make(micro);
    const wrong = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
    expect(() => model.forward(wrong)).toThrow(/\[B, 64, 64, 1\]/);
    wrong.dispose();
  });

  it('gives every trainable variable a non-zero gradient', async () => {
    const model = make(micro);
    const b = batch(micro, 4);
    const { value, grads } = model.variableGrads(() => lossOf(model, b));
    expect(Object.keys(grads).sort()).toEqual(Object.keys(model.trainableVariables).sort());
    for (const [name, grad] of Object.entries(grads)) {
      const norm = (await tf.norm(grad).data())[0] ?? 0;
      expect(norm, name).toBeGreaterThan(0);
      expect(Number.isFinite(norm), name).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads), ...Object.values(b)]);
  }, 30_000);

  it('trains 20 steps without leaking tensors, and the loss falls', async () => {
    const model = make(micro);
    const optimiser = new AdamW(tf, model.trainableVariables, { learningRate: 1e-3 });
    const b = batch(micro, 4);
    const losses: number[] = [];
    let before = 0;
    for (let step = 0; step < 20; step++) {
      if (step === 1) before = tf.memory().numTensors;
      const { value, grads } = model.variableGrads(() => lossOf(model, b, 5));
      optimiser.update(grads);
      losses.push((await value.data())[0] ?? Number.NaN);
      tf.dispose([value, ...Object.values(grads)]);
      if (step >= 1) expect(tf.memory().numTensors).toBe(before);
    }
    expect(optimiser.step).toBe(20);
    const out = model.forward(b.images);
    tf.dispose([out.logits, out.attention, out.aligned]);
    expect(tf.memory().numTensors, 'inference leaks nothing').toBe(before);
    expect(losses.at(-1)).toBeLessThan(losses[0] ?? 0);
    optimiser.dispose();
    tf.dispose(Object.values(b));
  }, 120_000);

  it('is repeatable: the same seed gives identical weights and outputs, another seed does not', async () => {
    const [a, b, other] = [make(micro), make(micro), make({ ...micro, seed: 8 })];
    const [wa, wb, wo] = [a.getWeights(), b.getWeights(), other.getWeights()];
    for (const name of Object.keys(wa)) {
      expect(await wb[name]?.data(), name).toEqual(await wa[name]?.data());
    }
    expect(await wo['pos_embed']?.data()).not.toEqual(await wa['pos_embed']?.data());
    const input = batch(micro, 2);
    const [oa, ob] = [a.forward(input.images), b.forward(input.images)];
    expect(await ob.aligned.data()).toEqual(await oa.aligned.data());
    expect(await ob.logits.data()).toEqual(await oa.logits.data());
    tf.dispose([...Object.values(wa), ...Object.values(wb), ...Object.values(wo), ...Object.values(input)]);
    tf.dispose([oa.logits, oa.attention, oa.aligned, ob.logits, ob.attention, ob.aligned]);
  }, 30_000);

  it('round-trips its weights through getWeights/setWeights and checks names and shapes', async () => {
    const [a, b] = [make(micro), make({ ...micro, seed: 99 })];
    const weights = a.getWeights();
    b.setWeights(weights);
    const copied = b.getWeights();
    for (const name of Object.keys(weights))
      expect(await copied[name]?.data(), name).toEqual(await weights[name]?.data());
    const bad = tf.zeros([2, 2]);
    expect(() => b.setWeights({ pos_embed: bad })).toThrow(/pos_embed.*shape/);
    expect(() => b.setWeights({ nope: bad })).toThrow(/no weight 'nope'/);
    tf.dispose([bad, ...Object.values(weights), ...Object.values(copied)]);
  });

  it('keeps frozen prompts out of the trainable variables and uses the given vectors', async () => {
    const vectors = micro.findings.map((_, i) => Array.from({ length: micro.width }, (__, j) => Math.sin(i + j)));
    const frozen = make(presetConfig('micro', { prompt: { kind: 'frozen', vectors } }));
    expect(Object.keys(frozen.trainableVariables)).not.toContain('prompt.embeddings');
    expect(Object.keys(make(micro).trainableVariables)).toContain('prompt.embeddings');
    expect(frozen.parameterCount).toBe(countParameters(micro) - 3 * micro.width);
    const weights = frozen.getWeights();
    expect(Array.from(await (weights['prompt.embeddings'] as tf.Tensor).data())).toEqual(
      Array.from(Float32Array.from(vectors.flat())),
    );
    tf.dispose(Object.values(weights));
  });

  it('restores AdamW state: a restored optimiser continues exactly as the original', async () => {
    const [a, b] = [make(micro), make(micro)];
    const [optA, optB] = [
      new AdamW(tf, a.trainableVariables, { learningRate: 1e-3 }),
      new AdamW(tf, b.trainableVariables, { learningRate: 1e-3 }),
    ];
    const data = batch(micro, 2);
    const train = (model: AlignerModel, optimiser: AdamW): void => {
      const { value, grads } = model.variableGrads(() => lossOf(model, data));
      optimiser.update(grads);
      tf.dispose([value, ...Object.values(grads)]);
    };
    for (let i = 0; i < 3; i++) train(a, optA);
    const [weights, state] = [a.getWeights(), optA.getState()];
    expect(state.step).toBe(3);
    expect(Object.keys(state.tensors)).toContain('pos_embed/m');
    b.setWeights(weights);
    optB.setState(state);
    expect(optB.step).toBe(3);
    train(a, optA);
    train(b, optB);
    const [wa, wb] = [a.getWeights(), b.getWeights()];
    for (const name of Object.keys(wa)) expect(await wb[name]?.data(), name).toEqual(await wa[name]?.data());
    const bad = tf.zeros([1]);
    expect(() => optB.setState({ step: 1, tensors: { ...state.tensors, 'pos_embed/v': bad } })).toThrow(
      /pos_embed\/v.*shape/,
    );
    expect(() => optB.setState({ step: 1, tensors: {} })).toThrow(/has no/);
    tf.dispose([
      bad,
      ...Object.values(weights),
      ...Object.values(state.tensors),
      ...Object.values(wa),
      ...Object.values(wb),
    ]);
    tf.dispose(Object.values(data));
    optA.dispose();
    optB.dispose();
  }, 30_000);

  it('trains with frozen prompts, leaving them unchanged', async () => {
    const vectors = micro.findings.map((_, i) => Array.from({ length: micro.width }, (__, j) => Math.cos(i * j)));
    const model = make(presetConfig('micro', { prompt: { kind: 'frozen', vectors } }));
    const optimiser = new AdamW(tf, model.trainableVariables, { learningRate: 1e-2 });
    const data = batch(micro, 2);
    const { value, grads } = model.variableGrads(() => lossOf(model, data));
    expect(Object.keys(grads)).not.toContain('prompt.embeddings');
    optimiser.update(grads);
    const weights = model.getWeights();
    expect(Array.from(await (weights['prompt.embeddings'] as tf.Tensor).data())).toEqual(
      Array.from(Float32Array.from(vectors.flat())),
    );
    tf.dispose([value, ...Object.values(grads), ...Object.values(weights), ...Object.values(data)]);
    optimiser.dispose();
  }, 30_000);

  it('has the documented parameter counts', () => {
    expect(countParameters(presetConfig('base'))).toBe(87_770_268);
    expect(countParameters(presetConfig('small'))).toBe(22_061_724);
    expect(countParameters(presetConfig('tiny'))).toBe(5_575_068);
    expect(countParameters(micro)).toBe(34_140);
  });
});

describe('model config', () => {
  it('applies presets and defaults', () => {
    expect(micro).toMatchObject({ imageSize: 64, patchSize: 8, width: 32, depth: 2, heads: 2, mlpRatio: 4 });
    expect(micro.maskSize).toBe(32);
    expect(micro.prompt).toEqual({ kind: 'learned', initStd: 1 });
    expect(presetConfig('base')).toMatchObject({ imageSize: 224, patchSize: 16, width: 768, depth: 12, heads: 12 });
    expect(presetConfig('base').maskSize).toBe(56);
    expect(presetConfig('small', { maskSize: 28 }).maskSize).toBe(28);
  });

  it('rejects inconsistent configs, naming the field', () => {
    expect(() => presetConfig('micro', { imageSize: 60 })).toThrow(/imageSize.*not divisible by patchSize/);
    expect(() => presetConfig('micro', { width: 33 })).toThrow(/width 33 is not divisible by heads 2/);
    expect(() => presetConfig('micro', { findings: ['a', 'a'] })).toThrow(/repeat/);
    expect(() => presetConfig('micro', { prompt: { kind: 'frozen', vectors: [[1, 2]] } })).toThrow(
      /1 frozen prompt vectors for 3 findings/,
    );
    expect(() => presetConfig('micro', { findings: ['a'], prompt: { kind: 'frozen', vectors: [[1, 2]] } })).toThrow(
      /length 2, the model width is 32/,
    );
  });

  it('reads prompt vector files with clear errors', () => {
    expect(parsePromptVectorsFile('{"b":[3,4],"a":[1,2]}', ['a', 'b'], 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => parsePromptVectorsFile('{', ['a'], 2)).toThrow(/not JSON/);
    expect(() => parsePromptVectorsFile('[]', ['a'], 2)).toThrow(/must be an object/);
    expect(() => parsePromptVectorsFile('{"a":[1,2]}', ['a', 'b'], 2)).toThrow(/no vector for 'b'/);
    expect(() => parsePromptVectorsFile('{"a":[1,2],"c":[1,2]}', ['a'], 2)).toThrow(/does not have: c/);
    expect(() => parsePromptVectorsFile('{"a":[1,"x"]}', ['a'], 2)).toThrow(/finite numbers/);
    expect(() => parsePromptVectorsFile('{"a":[1,2,3]}', ['a'], 2)).toThrow(/length 3, the model width is 2/);
  });
});

describe('losses', () => {
  const value = async (t: tf.Scalar): Promise<number> => {
    const v = (await t.data())[0] ?? Number.NaN;
    t.dispose();
    return v;
  };
  /** Y and P [1, 1, 4, 4] from row-major pixel lists. */
  const map = (pixels: number[]) => tf.tensor4d(pixels, [1, 1, 4, 4]);
  let one: tf.Tensor;
  beforeAll(() => {
    one = tf.ones([1, 1]);
  });
  afterAll(() => one.dispose());
  const square = [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]; // ΣY = 4

  it('dice: P = Y gives ~0', async () => {
    const y = map(square);
    expect(await value(alignerDiceLoss(tf, y, y, one))).toBeCloseTo(0, 6);
    y.dispose();
  });

  it('dice: P = 0 with Y non-empty gives 1 − α/(ΣY + α)', async () => {
    const [y, p] = [map(square), map(new Array(16).fill(0))];
    expect(await value(alignerDiceLoss(tf, p, y, one))).toBeCloseTo(1 - (1 + 1e-6) / (4 + 1 + 1e-6), 6);
    tf.dispose([y, p]);
  });

  it('dice: false positives weigh w_FP; the annotated reading ignores them', async () => {
    const y = map(square);
    const p = map(new Array(16).fill(1)); // ΣYP = 4, Σ(Y+P) = 20, ΣFP = 12
    const expected = (wFp: number) => 1 - (8 + 1 + 1e-6) / (20 + (wFp - 1) * 12 + 1 + 1e-6);
    expect(await value(alignerDiceLoss(tf, p, y, one))).toBeCloseTo(expected(2), 6);
    expect(await value(alignerDiceLoss(tf, p, y, one, { wFp: 1 }))).toBeCloseTo(expected(1), 6);
    // Over Ω⁺ only: P = 1 on the 4 annotated pixels is perfect.
    expect(await value(alignerDiceLoss(tf, p, y, one, { region: 'annotated' }))).toBeCloseTo(0, 6);
    const half = map(square.map((s) => s * 0.5)); // ΣP over Ω⁺ = 2
    expect(await value(alignerDiceLoss(tf, half, y, one, { region: 'annotated' }))).toBeCloseTo(
      1 - (4 + 1 + 1e-6) / (4 + 2 + 1 + 1e-6),
      6,
    );
    tf.dispose([y, p, half]);
  });

  it('dice: averages over weight-1 entries only and is 0 when there are none', async () => {
    const y = tf.concat([map(square), map(square)], 1); // [1, 2, 4, 4]
    const p = tf.concat([map(square), map(new Array(16).fill(0))], 1);
    const miss = 1 - (1 + 1e-6) / (4 + 1 + 1e-6);
    const w = (a: number, b: number) => tf.tensor2d([[a, b]]);
    const [both, first, second, none] = [w(1, 1), w(1, 0), w(0, 1), w(0, 0)];
    expect(await value(alignerDiceLoss(tf, p, y, both))).toBeCloseTo(miss / 2, 6);
    expect(await value(alignerDiceLoss(tf, p, y, first))).toBeCloseTo(0, 6);
    expect(await value(alignerDiceLoss(tf, p, y, second))).toBeCloseTo(miss, 6);
    expect(await value(alignerDiceLoss(tf, p, y, none))).toBe(0);
    expect(() => alignerDiceLoss(tf, p, y, one)).toThrow(/weight must be \[B, C\]/);
    tf.dispose([y, p, both, first, second, none]);
  });

  it('bce: matches the formula, skips unknown labels, stays finite for large logits', async () => {
    const logits = tf.tensor2d([[2, -1, 100, -100]]);
    const labels = tf.tensor2d([[1, 0, 0, 1]]);
    const allKnown = tf.ones([1, 4]);
    const firstTwo = tf.tensor2d([[1, 1, 0, 0]]);
    const none = tf.zeros([1, 4]);
    const bce = (z: number, y: number) =>
      -(y * Math.log(1 / (1 + Math.exp(-z))) + (1 - y) * Math.log(1 - 1 / (1 + Math.exp(-z))));
    expect(await value(bceWithLogits(tf, logits, labels, firstTwo))).toBeCloseTo((bce(2, 1) + bce(-1, 0)) / 2, 5);
    expect(await value(bceWithLogits(tf, logits, labels, allKnown))).toBeCloseTo((bce(2, 1) + bce(-1, 0) + 200) / 4, 3);
    expect(await value(bceWithLogits(tf, logits, labels, none))).toBe(0);
    expect(() => bceWithLogits(tf, logits, tf.zeros([2, 4]), allKnown)).toThrow(/labels \[2, 4\] does not match/);
    tf.dispose([logits, labels, allKnown, firstTwo, none]);
  });

  it('total = bce + λ·aligner', async () => {
    expect(await value(totalLoss(tf, tf.scalar(0.5), tf.scalar(0.25), 20))).toBeCloseTo(5.5, 6);
  });
});
