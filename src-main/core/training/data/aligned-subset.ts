import { InputError } from '../../input-error';
import type { Example } from './examples';
import { byKey } from './example-order';
import { createRng, permutation } from './rng';

export interface ChooseAlignedOptions {
  /** f ∈ [0, 1]: the alignment fraction (ARCHITECTURE §6). */
  readonly fraction: number;
  readonly seed: number | string;
  /** Finding indices (into `Example.labels`) that count; default all. */
  readonly findings?: readonly number[];
  /**
   * When fewer annotated positives exist than f calls for: `'error'` (default) throws an
   * {@link AlignmentShortageError} saying how many more to draw; `'use-available'` aligns all there are.
   */
  readonly onShortage?: 'error' | 'use-available';
  /**
   * Default true: only positives with a region can be aligned. False lets any positive be aligned, for
   * the random-alignment ablation on a cohort without regions; keep the default when comparing random
   * with human alignment, so both arms align the same images.
   */
  readonly requireAnnotation?: boolean;
}

export interface AlignedChoice {
  /** The training images whose targets L_AL uses; at every f the training set itself is unchanged. */
  readonly aligned: ReadonlySet<number>;
  /** round(f × positives): how many aligned images the fraction calls for. */
  readonly needed: number;
  /** Training positives that carry a region for a finding they are positive for (all positives if !requireAnnotation). */
  readonly available: number;
  /** Training images positive for one of the findings: what f is a share of. */
  readonly positives: number;
}

/** f asks for more annotated positives than the workspace has. */
export class AlignmentShortageError extends InputError {
  constructor(
    readonly needed: number,
    readonly available: number,
    fraction: number,
  ) {
    const more = needed - available;
    super(
      `alignment fraction ${fraction} needs ${needed} annotated positive training images but ${available} have a region: ` +
        `draw regions on ${more} more positive training image${more === 1 ? '' : 's'}, or lower the fraction`,
      'fraction',
    );
    this.name = 'AlignmentShortageError';
  }
}

/**
 * The seeded aligned subset. Only positives ever carry L_AL, so f is the share
 * of the training positives (images of role `train` positive for one of the
 * findings) that are aligned: needed = round(f × positives). The candidates
 * (positives with a region for a finding they are positive for) are put in one
 * seeded order — a permutation keyed by the seed alone, over the candidates
 * sorted by image key (not id: ids follow import order) — and the aligned set is its first `needed`. So the same
 * seed gives the same images, and the sets are nested: the f = 0.25 subset ⊂
 * the 0.5 subset ⊂ … ⊂ the f = 1 subset. (Drawing new regions adds candidates
 * and so changes the order; the subsets stay nested for any one state of the
 * workspace.)
 */
export function chooseAligned(examples: readonly Example[], options: ChooseAlignedOptions): AlignedChoice {
  const { fraction } = options;
  if (!(fraction >= 0 && fraction <= 1))
    throw new InputError(`alignment fraction must be in [0, 1], got ${fraction}`, 'fraction');
  const findingCount = examples[0]?.labels.length ?? 0;
  const findings = options.findings ?? Array.from({ length: findingCount }, (_, c) => c);
  for (const c of findings) {
    if (!(Number.isInteger(c) && c >= 0 && c < findingCount))
      throw new InputError(`finding index ${c} is outside 0 … ${findingCount - 1}`, 'findings');
  }
  const requireAnnotation = options.requireAnnotation ?? true;
  const training = examples.filter((e) => e.role === 'train');
  const positive = training.filter((e) => findings.some((c) => e.labels[c] === 1));
  const candidates = positive
    .filter((e) => !requireAnnotation || findings.some((c) => e.labels[c] === 1 && e.masks[c] != null))
    .sort(byKey)
    .map((e) => e.imageId);
  const needed = Math.round(fraction * positive.length);
  const available = candidates.length;
  if (needed > available && (options.onShortage ?? 'error') === 'error')
    throw new AlignmentShortageError(needed, available, fraction);
  const order = permutation(available, createRng(options.seed, 'aligned-subset'));
  const aligned = new Set<number>();
  for (let k = 0; k < Math.min(needed, available); k++) aligned.add(candidates[order[k] as number] as number);
  return { aligned, needed, available, positives: positive.length };
}
