import { augment as augmentOne, type AugmentOptions } from './augment';
import type { Example } from './examples';
import type { Normalisation } from './normalise';
import { randomAlignmentMaskFor } from './random-mask';
import { createRng, permutation } from './rng';

/** One mini-batch, B images and C findings, every array row-major. */
export interface Batch {
  /** [B] */
  readonly imageIds: number[];
  /** [B × S × S] normalised: (x / 255 − mean) / std, after augmentation. */
  readonly images: Float32Array;
  /** [B × C] 1 for a positive label, else 0 (unknown labels are 0 here: see `known`). */
  readonly labels: Float32Array;
  /** [B × C] 1 where the image has a label for the finding: mask L_CE with it. */
  readonly known: Float32Array;
  /** [B × C × R × R] 0/1 targets: the random shape where random alignment applies, else the human mask, else 0. */
  readonly masks: Float32Array;
  /** [B × C] 1 where L_AL applies: label positive AND image aligned AND (a human mask exists OR random alignment). */
  readonly alignWeight: Float32Array;
}

export interface BatchOptions {
  readonly batchSize: number;
  readonly seed: number | string;
  /** 0-based; keys the shuffle, the augmentation and the random targets. */
  readonly epoch: number;
  /** R, the side of the examples' masks. */
  readonly maskSize: number;
  /** From {@link pixelStatistics} of the training examples. */
  readonly normalise: Normalisation;
  /** Default true: a seeded order per (seed, epoch). False keeps the examples' order (evaluation). */
  readonly shuffle?: boolean;
  /** Default false (evaluation). True or options: {@link augment} each image, its rng keyed by (seed, epoch, image). */
  readonly augment?: boolean | AugmentOptions;
  /** Images whose targets L_AL uses ({@link chooseAligned}). Default none. */
  readonly aligned?: ReadonlySet<number>;
  /** Default false. True: each aligned positive gets a fresh random shape per epoch instead of its human region. */
  readonly randomAlignment?: boolean;
  /** Default false: the last batch may be smaller than batchSize. */
  readonly dropLast?: boolean;
}

/** How many batches {@link batches} yields for n examples. */
export function batchCount(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * One epoch of mini-batches. Everything random is a function of (seed, epoch)
 * — the order — or of (seed, epoch, image) — augmentation and random targets —
 * so an epoch can be replayed or resumed without saved rng state. Between
 * batches the generator yields to the event loop (setImmediate), so a process
 * serving other requests stays responsive.
 *
 * @param examples all with pixels [S × S] and C labels and masks of [R × R] | null
 */
export async function* batches(examples: readonly Example[], options: BatchOptions): AsyncGenerator<Batch> {
  const { batchSize, seed, epoch, maskSize: R, normalise } = options;
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  if (!(Number.isInteger(epoch) && epoch >= 0)) throw new RangeError(`epoch must be a whole number, got ${epoch}`);
  if (!(Number.isFinite(normalise.mean) && normalise.std > 0))
    throw new RangeError(
      `normalisation needs a finite mean and a positive std, got ${normalise.mean}, ${normalise.std}`,
    );
  const first = examples[0];
  if (!first) return;
  const S = Math.round(Math.sqrt(first.pixels.length));
  const C = first.labels.length;
  for (const e of examples) {
    if (e.pixels.length !== S * S || e.labels.length !== C || e.masks.length !== C)
      throw new RangeError(`image ${e.imageId}: expected ${S}×${S} pixels and ${C} labels and masks`);
    for (const m of e.masks) {
      if (m && m.length !== R * R) throw new RangeError(`image ${e.imageId}: a mask is not ${R}×${R}`);
    }
  }
  const aligned = options.aligned ?? new Set<number>();
  const randomAlignment = options.randomAlignment ?? false;
  const augmentOptions: AugmentOptions =
    options.augment === undefined || options.augment === false
      ? { enabled: false }
      : options.augment === true
        ? {}
        : options.augment;
  const order =
    options.shuffle === false
      ? Uint32Array.from(examples, (_, k) => k)
      : permutation(examples.length, createRng(seed, 'shuffle', epoch));
  const count = batchCount(examples.length, batchSize, options.dropLast);

  for (let b = 0; b < count; b++) {
    if (b > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const members = Array.from(
      order.subarray(b * batchSize, Math.min(examples.length, (b + 1) * batchSize)),
      (k) => examples[k] as Example,
    );
    const B = members.length;
    const batch: Batch = {
      imageIds: members.map((e) => e.imageId),
      images: new Float32Array(B * S * S),
      labels: new Float32Array(B * C),
      known: new Float32Array(B * C),
      masks: new Float32Array(B * C * R * R),
      alignWeight: new Float32Array(B * C),
    };
    members.forEach((e, i) => {
      const rng = createRng(seed, 'augment', epoch, e.key);
      const { pixels, masks } = augmentOne(e.pixels, e.masks, S, R, rng, augmentOptions);
      for (let p = 0; p < pixels.length; p++)
        batch.images[i * S * S + p] = ((pixels[p] as number) - normalise.mean) / normalise.std;
      const isAligned = aligned.has(e.imageId);
      for (let c = 0; c < C; c++) {
        const label = e.labels[c];
        batch.labels[i * C + c] = label === 1 ? 1 : 0;
        batch.known[i * C + c] = label === null || label === undefined ? 0 : 1;
        const useRandom = randomAlignment && isAligned && label === 1;
        const target = useRandom ? randomAlignmentMaskFor(seed, epoch, e.key, c, R) : masks[c];
        if (target) batch.masks.set(target, (i * C + c) * R * R);
        batch.alignWeight[i * C + c] = label === 1 && isAligned && target ? 1 : 0;
      }
    });
    yield batch;
  }
}
