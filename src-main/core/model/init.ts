/**
 * Seeded initial weights. Every weight draws from its own stream keyed by the model's seed and the weight's
 * name (sfc32 via the simulator's {@link Rng}), in plain JavaScript: the same seed gives bit-identical
 * weights on every backend and machine, and adding a weight never reshuffles the others.
 */
import { Rng } from '../simulator/prng';

/** How one weight starts. Shapes are the weight's, the fill is row-major. */
export type Initialiser =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  /** Normal(0, std). */
  | { kind: 'normal'; std: number }
  /** Normal(0, std) redrawn outside ±2·std (timm's ViT init, std 0.02). */
  | { kind: 'truncatedNormal'; std: number }
  /** Uniform(−limit, limit), limit = √(6 / (fanIn + fanOut)) (torch's xavier_uniform_). */
  | { kind: 'xavierUniform'; fanIn: number; fanOut: number };

/** The initial values of weight `name` with `size` entries. */
export function initialValues(seed: number, name: string, size: number, init: Initialiser): Float32Array {
  const out = new Float32Array(size);
  if (init.kind === 'zeros') return out;
  if (init.kind === 'ones') return out.fill(1);
  const rng = new Rng('aligner-init', seed, name);
  switch (init.kind) {
    case 'normal':
      for (let i = 0; i < size; i++) out[i] = rng.normal(0, init.std);
      break;
    case 'truncatedNormal':
      for (let i = 0; i < size; i++) {
        let z = rng.normal();
        while (Math.abs(z) > 2) z = rng.normal();
        out[i] = z * init.std;
      }
      break;
    case 'xavierUniform': {
      const limit = Math.sqrt(6 / (init.fanIn + init.fanOut));
      for (let i = 0; i < size; i++) out[i] = rng.uniform(-limit, limit);
      break;
    }
  }
  return out;
}
