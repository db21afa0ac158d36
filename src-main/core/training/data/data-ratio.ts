import { InputError } from '../../input-error';
import type { Example } from './examples';
import { createRng, permutation } from './rng';

/**
 * The training data ratio knob (ARCHITECTURE §6): a seeded subset of the
 * training images, stratified by the label of the first finding (positive,
 * negative, unlabelled), so the prevalence stays as it was.
 *
 * Each stratum, sorted by image id, gets one seeded permutation (keyed by the
 * seed and the stratum, not the ratio) and keeps its first
 * round(ratio × size) — at least one of a non-empty stratum, so a small
 * cohort never loses all its positives. Hence the same seed gives the same
 * images and the subsets are nested: ratio 0.25 ⊂ 0.5 ⊂ 0.75 ⊂ 1.
 *
 * @param examples training examples only (role `train`); anything else is refused
 * @param ratio in (0, 1]; the study sweeps 0.25, 0.5, 0.75, 1
 * @returns the kept examples, in their input order
 */
export function dataRatioSubset(examples: readonly Example[], ratio: number, seed: number | string): Example[] {
  if (!(ratio > 0 && ratio <= 1)) throw new InputError(`data ratio must be in (0, 1], got ${ratio}`, 'ratio');
  const stranger = examples.find((e) => e.role !== 'train');
  if (stranger) {
    throw new InputError(
      `the data ratio subsets training images only; image ${stranger.imageId} is from source '${stranger.source}' (${stranger.role})`,
      'ratio',
    );
  }
  const strata = new Map<string, number[]>();
  for (const e of examples) {
    const key = String(e.labels[0] ?? 'none');
    const ids = strata.get(key) ?? [];
    ids.push(e.imageId);
    strata.set(key, ids);
  }
  const kept = new Set<number>();
  for (const [key, ids] of strata) {
    ids.sort((a, b) => a - b);
    const order = permutation(ids.length, createRng(seed, 'data-ratio', key));
    const take = Math.max(1, Math.round(ratio * ids.length));
    for (let k = 0; k < take; k++) kept.add(ids[order[k] as number] as number);
  }
  return examples.filter((e) => kept.has(e.imageId));
}
