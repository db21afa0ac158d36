/**
 * Reads a model folder written by model-export.ts back: the config to build the network with, every weight,
 * and the metadata (normalisation, findings, training). No TensorFlow needed; the caller builds the model
 * (`createAlignerModel(tf, config)`) and hands the weights to `setWeights`.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { z } from 'zod';
import { InputError } from '../input-error';
import { parseModelConfig, type ModelConfig } from '../model/config';
import { weightSpecs } from '../model/weights';
import type { CheckpointTensor } from '../training/checkpoint';
import { modelFiles, modelJsonSchema, modelMetadataSchema, type ModelMetadata } from './model-format';

export interface ExportedModel {
  readonly config: ModelConfig;
  readonly metadata: ModelMetadata;
  /** By weight name, in manifest order. */
  readonly weights: Readonly<Record<string, CheckpointTensor>>;
}

/**
 * @throws InputError naming the file and what is wrong with it: missing, not JSON, not this format, a
 *   config the model refuses, a manifest that does not match the config, a weights file of the wrong size
 */
export function readExportedModel(dir: string): ExportedModel {
  const folder = resolve(dir);
  const modelJson = readJson(folder, modelFiles.model, modelJsonSchema);
  const metadata = readJson(folder, modelFiles.metadata, modelMetadataSchema);
  let config: ModelConfig;
  try {
    config = parseModelConfig(modelJson.modelTopology.config);
  } catch (err) {
    throw new InputError(`${join(folder, modelFiles.model)}: modelTopology.config: ${(err as Error).message}`);
  }
  const weights: Record<string, CheckpointTensor> = {};
  for (const group of modelJson.weightsManifest) {
    const file = group.paths[0] as string;
    if (group.paths.length !== 1 || basename(file) !== file) {
      throw new InputError(`${join(folder, modelFiles.model)}: each manifest group names one file in the folder`);
    }
    const path = join(folder, file);
    const bytes = readBytes(path);
    const needed = group.weights.reduce((sum, w) => sum + 4 * size(w.shape), 0);
    if (bytes.length !== needed) {
      throw new InputError(`${path} has ${bytes.length} bytes; the manifest needs ${needed}`);
    }
    // Copy into an aligned buffer: a Buffer may start at any offset of a shared pool.
    const values = new Float32Array(new Uint8Array(bytes).buffer);
    let offset = 0;
    for (const entry of group.weights) {
      if (Object.hasOwn(weights, entry.name)) throw new InputError(`${path}: weight '${entry.name}' appears twice`);
      const n = size(entry.shape);
      weights[entry.name] = { shape: entry.shape, data: values.slice(offset, offset + n) };
      offset += n;
    }
  }
  checkAgainstConfig(config, weights, join(folder, modelFiles.model));
  return { config, metadata, weights };
}

function checkAgainstConfig(
  config: ModelConfig,
  weights: Readonly<Record<string, CheckpointTensor>>,
  file: string,
): void {
  const specs = weightSpecs(config);
  for (const spec of specs) {
    const weight = weights[spec.name];
    if (!weight) throw new InputError(`${file}: the manifest has no weight '${spec.name}'`);
    if (weight.shape.join() !== spec.shape.join()) {
      throw new InputError(
        `${file}: weight '${spec.name}' has shape [${weight.shape.join(', ')}], the config needs [${spec.shape.join(', ')}]`,
      );
    }
  }
  const names = new Set(specs.map((s) => s.name));
  const extra = Object.keys(weights).filter((name) => !names.has(name));
  if (extra.length > 0) throw new InputError(`${file}: weights the model does not have: ${extra.join(', ')}`);
}

function readJson<T extends z.ZodType>(folder: string, name: string, schema: T): z.output<T> {
  const path = join(folder, name);
  let data: unknown;
  try {
    data = JSON.parse(readBytes(path).toString('utf8'));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    throw new InputError(`${path} is not an Aligner model export${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? 'error'})`);
  }
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
