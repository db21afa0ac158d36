import { InputError } from '../../input-error';
import type { Example } from './examples';
import { byKey } from './example-order';
import { createRng, permutation } from './rng';

/**
 * The training data ratio knob (ARCHITECTURE §6): a seeded subset of the
 * training images, stratified by the label of the first finding (positive,
 * negative, unlabelled), so the prevalence stays as it was.
 *
 * Each stratum, sorted by image key (the file's SHA-256: not the id, which follows import order), gets one seeded permutation (keyed by the
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
  const strata = new Map<string, Example[]>();
  for (const e of examples) {
    const stratum = String(e.labels[0] ?? 'none');
    const members = strata.get(stratum) ?? [];
    members.push(e);
    strata.set(stratum, members);
  }
  const kept = new Set<number>();
  for (const [stratum, members] of strata) {
    members.sort(byKey);
    const order = permutation(members.length, createRng(seed, 'data-ratio', stratum));
    const take = Math.max(1, Math.round(ratio * members.length));
    for (let k = 0; k < take; k++) kept.add((members[order[k] as number] as Example).imageId);
  }
  return examples.filter((e) => kept.has(e.imageId));
}
