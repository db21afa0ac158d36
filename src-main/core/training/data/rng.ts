/**
 * Seeded randomness for training, with a state that can be saved in a
 * checkpoint and restored, so a resumed run draws exactly what an unbroken one
 * would. The generator is sfc32 (as the simulator's `Rng`, which cannot export
 * its state); keys are hashed with cyrb128 in plain JavaScript (no node:crypto),
 * so the same keys give the same stream in Node, a worker or a browser.
 *
 * Every concern draws from its own stream, keyed by the run's seed and what it
 * is for (`createRng(seed, 'shuffle', epoch)`), so changing one knob never
 * reshuffles another.
 */

/** sfc32's four 32-bit words; JSON-safe, for checkpoints. */
export type RngState = readonly [number, number, number, number];

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** A uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** A whole number in [min, max] (both included). */
  int(min: number, max: number): number;
  /** The generator's state, a copy: `setState(getState())` changes nothing. */
  getState(): RngState;
  /** Continues from a state taken with {@link getState}; throws on anything else. */
  setState(state: RngState): void;
}

/**
 * A seeded generator. The same keys give the same sequence on every machine.
 *
 * @param seed the run's seed
 * @param stream what the stream is for (names, epoch, image id …)
 */
export function createRng(seed: number | string, ...stream: readonly (number | string)[]): Rng {
  const keys = [seed, ...stream];
  if (keys.some((k) => typeof k === 'number' && !Number.isFinite(k)))
    throw new RangeError(`rng keys must be finite numbers or strings, got ${keys.join(', ')}`);
  const s = cyrb128(keys.map((k) => `${String(k).length}:${String(k)};`).join(''));
  let [a, b, c, d] = s;
  d |= 1;
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) uint32();
  const next = (): number => uint32() / 4294967296;
  return {
    next,
    uint32,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    getState: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
    setState: (state) => {
      if (!isRngState(state)) throw new RangeError(`not an rng state: ${JSON.stringify(state)}`);
      [a, b, c, d] = state.map((w) => w | 0) as [number, number, number, number];
    },
  };
}

/** Whether `value` is four 32-bit unsigned integers (what {@link Rng.getState} returns). */
export function isRngState(value: unknown): value is RngState {
  return (
    Array.isArray(value) &&
    value.length === 4 &&
    value.every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 0xffffffff)
  );
}

/**
 * A seeded permutation of 0 … n − 1 (Fisher–Yates, unbiased integer draws).
 * Prefixes of one permutation are what make the seeded subsets nested.
 */
export function permutation(n: number, rng: Rng): Uint32Array {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`permutation size must be a whole number, got ${n}`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = below(i + 1, rng);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/** A uniform whole number in [0, n), without modulo bias (n ≤ 2³²). */
function below(n: number, rng: Rng): number {
  const limit = 4294967296 - (4294967296 % n);
  for (;;) {
    const x = rng.uint32();
    if (x < limit) return x % n;
  }
}

/** cyrb128 (bryc): four 32-bit words from a string, well mixed. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
