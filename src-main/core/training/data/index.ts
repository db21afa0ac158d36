/**
 * The training data pipeline: workspace → examples → seeded subsets → augmented, normalised batches.
 * Shapes are row-major: S the image side, R the mask side, C the findings, B the batch.
 */
export { loadExamples, type Example, type Label, type LoadExamplesOptions, type Sex } from './examples';
export { chooseAligned, AlignmentShortageError, type AlignedChoice, type ChooseAlignedOptions } from './aligned-subset';
export { dataRatioSubset } from './data-ratio';
export { byKey } from './example-order';
export { randomAlignmentMask, randomAlignmentMaskFor, randomMaskRadius } from './random-mask';
export { augment, type AugmentOptions, type Augmented } from './augment';
export { batches, batchCount, type Batch, type BatchOptions } from './batches';
export { pixelStatistics, type Normalisation } from './normalise';
export { createRng, isRngState, permutation, type Rng, type RngState } from './rng';
export { resizeSquare } from './resize';
export { unionMask } from './region-masks';
