/**
 * The aligner model (ARCHITECTURE.md §5) on tfjs-core: config and presets, the model factory, the losses and
 * AdamW. Every function takes the `tf` module whose backend select-backend set, so the same code runs on every
 * backend. Importing this module registers tfjs-core's gradient functions (register-gradients.ts).
 */
export {
  defaultPromptInitStd,
  gridSize,
  modelConfigSchema,
  parseModelConfig,
  parsePromptVectorsFile,
  presetConfig,
  presetNames,
  presets,
  type ModelConfig,
  type ModelConfigInput,
  type ModelConfigOverrides,
  type PresetName,
  type PromptConfig,
} from './config';
export { createAlignerModel, type AlignerModel, type AlignerOutputs } from './aligner-model';
export { countParameters, projectorChannels, promptWeightName, weightSpecs, type WeightSpec } from './weights';
export { alignerDiceLoss, bceWithLogits, totalLoss, type AlignerDiceOptions, type AlignerRegion } from './losses';
export { AdamW, type AdamWOptions, type AdamWState } from './adamw';
export type { Tf } from './layers';
