import type { StudyConfigInput } from '../../src-main/api/study-schemas';

/**
 * The study the trainer tests run: the simulated sites (riverside trains, hillcrest validates, summit is the
 * out-of-domain test), the nodule finding, the micro preset at 64² on the deterministic wasm backend, two
 * epochs — seconds per run. Tests add their name, levels, seeds and ratios.
 */
export const microStudy = {
  finding: 'nodule' as const,
  train: ['riverside'],
  validation: 'hillcrest',
  test: ['summit'],
  preset: 'micro' as const,
  imageSize: 64,
  epochs: 2,
  patience: 5,
  batchSize: 16,
  lr: 1e-3,
  backend: 'wasm' as const,
} satisfies Omit<StudyConfigInput, 'name'>;
