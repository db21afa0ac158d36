import type { TrainConfig } from '../../api/training-schemas';
import { presetConfig, type ModelConfig } from '../model/config';

/** The model a run trains: its preset, with the run's image size (if set), findings and seed. */
export function modelConfigOf(config: TrainConfig): ModelConfig {
  return presetConfig(config.preset, {
    ...(config.imageSize === undefined ? {} : { imageSize: config.imageSize }),
    findings: config.findings,
    seed: config.seed,
  });
}
