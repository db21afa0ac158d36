/**
 * AdamW with decoupled weight decay, step for step as torch.optim.AdamW (PyTorch 1.13, amsgrad off):
 *
 *   θ ← θ·(1 − lr·λ)
 *   m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
 *   θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 *
 * Weight decay applies to every variable it is given (torch's default with one parameter group). One step
 * counter t serves all variables; a variable without a gradient in a step is left alone (torch skips it too,
 * but keeps a counter per parameter: they differ only when some steps skip some variables).
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Tf } from './layers';

export interface AdamWOptions {
  /** lr (required: 5e-5 for a pretrained ViT-B, ~1e-3 from scratch; SCIENCE-NOTES.md). */
  readonly learningRate: number;
  /** β1, default 0.9. */
  readonly beta1?: number;
  /** β2, default 0.999. */
  readonly beta2?: number;
  /** ε, added outside the square root; default 1e-8. */
  readonly epsilon?: number;
  /** λ, decoupled weight decay; default 0.01 (torch's). */
  readonly weightDecay?: number;
}

/** The optimiser's state for a checkpoint: moments named `NAME/m` and `NAME/v`, and the step count. */
export interface AdamWState {
  readonly step: number;
  readonly tensors: Record<string, TfCore.Tensor>;
}

export class AdamW {
  private readonly moments = new Map<string, { m: TfCore.Variable; v: TfCore.Variable }>();
  private stepCount = 0;
  private learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;

  /** @param variables what to update, by weight name (AlignerModel.trainableVariables) */
  constructor(
    private readonly tf: Tf,
    private readonly variables: Readonly<Record<string, TfCore.Variable>>,
    options: AdamWOptions,
  ) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    if (!(this.learningRate > 0)) throw new Error(`AdamW: learningRate must be > 0, got ${this.learningRate}`);
    for (const [name, variable] of Object.entries(variables)) {
      this.moments.set(name, {
        m: tf.variable(tf.zerosLike(variable), false),
        v: tf.variable(tf.zerosLike(variable), false),
      });
    }
  }

  /** Steps taken so far (t after the last step). */
  get step(): number {
    return this.stepCount;
  }

  /** Changes lr for the following steps (schedules). */
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  /**
   * One update from `grads` (keyed by weight name, as AlignerModel.variableGrads gives them). The caller still
   * owns and disposes `grads`.
   */
  update(grads: Readonly<Record<string, TfCore.Tensor>>): void {
    for (const name of Object.keys(grads)) {
      if (!this.moments.has(name)) throw new Error(`AdamW: gradient for '${name}', which is not a variable it updates`);
    }
    this.stepCount += 1;
    const t = this.stepCount;
    const lr = this.learningRate;
    const stepSize = lr / (1 - this.beta1 ** t);
    const correction2 = Math.sqrt(1 - this.beta2 ** t);
    const tf = this.tf;
    tf.tidy(() => {
      for (const [name, grad] of Object.entries(grads)) {
        const param = this.variables[name];
        const state = this.moments.get(name);
        if (!param || !state) continue;
        const m = tf.add(tf.mul(state.m, this.beta1), tf.mul(grad, 1 - this.beta1));
        const v = tf.add(tf.mul(state.v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
        const decayed = tf.mul(param, 1 - lr * this.weightDecay);
        const denominator = tf.add(tf.div(tf.sqrt(v), correction2), this.epsilon);
        param.assign(tf.sub(decayed, tf.mul(tf.div(m, denominator), stepSize)));
        state.m.assign(m);
        state.v.assign(v);
      }
    });
  }

  /** Copies of the moments and the step count (the caller disposes the tensors). */
  getState(): AdamWState {
    const tensors: Record<string, TfCore.Tensor> = {};
    for (const [name, { m, v }] of this.moments) {
      tensors[`${name}/m`] = this.tf.clone(m);
      tensors[`${name}/v`] = this.tf.clone(v);
    }
    return { step: this.stepCount, tensors };
  }

  /** Restores a state from {@link getState}; every moment must be present with its variable's shape. */
  setState(state: AdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`AdamW: bad step count ${state.step}`);
    for (const [name, { m }] of this.moments) {
      for (const key of [`${name}/m`, `${name}/v`]) {
        const value = state.tensors[key];
        if (!value) throw new Error(`AdamW state has no '${key}'`);
        if (value.shape.join() !== m.shape.join()) {
          throw new Error(
            `AdamW state '${key}' has shape [${value.shape.join(', ')}], expected [${m.shape.join(', ')}]`,
          );
        }
      }
    }
    this.tf.tidy(() => {
      for (const [name, { m, v }] of this.moments) {
        m.assign(this.tf.cast(state.tensors[`${name}/m`] as TfCore.Tensor, 'float32'));
        v.assign(this.tf.cast(state.tensors[`${name}/v`] as TfCore.Tensor, 'float32'));
      }
    });
    this.stepCount = state.step;
  }

  /** Frees the moments (not the variables, which the model owns). */
  dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
  }
}
