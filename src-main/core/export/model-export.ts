/**
 * Exports a finished run's best checkpoint as a TensorFlow.js weights folder (model.json, weights.bin,
 * metadata.json; see model-format.ts). Only the model's weights (`weight:<name>` tensors) leave; the AdamW
 * moments (`adamw:*`) stay in the checkpoint. Each file is written to a temporary name and renamed; other
 * files in the folder are left alone, an earlier export's three files are replaced.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { ModelExportSummary } from '../../api/export-schemas';
import { appVersion } from '../app-version';
import type { WorkspaceDb } from '../db/open-workspace';
import { InputError } from '../input-error';
import { gridSize, type ModelConfig } from '../model/config';
import { countParameters, weightSpecs } from '../model/weights';
import { readCheckpoint, type CheckpointTensor } from '../training/checkpoint';
import { checkpointDirOf } from '../training/launch-run';
import { modelConfigOf } from '../training/model-config-of';
import type { RunRow } from '../training/run-store';
import { productName } from '../workspace/default-paths';
import { writeFileAtomic } from '../write-file-atomic';
import { readFinishedRun } from './finished-run';
import {
  describeTensors,
  modelFiles,
  modelFormat,
  modelTopologyClass,
  normalisationFormula,
  weightLayout,
  type ModelJson,
  type ModelMetadata,
  type WeightEntry,
} from './model-format';

export interface ModelExportOptions {
  readonly runId: number;
  /** Folder to write into; created if absent. */
  readonly outDir: string;
}

/** What the exporter reads from a checkpoint's metadata (train-loop.ts writes more). */
const checkpointMetaSchema = z.object({
  epoch: z.number().int().nonnegative(),
  normalisation: z.object({ mean: z.number().finite(), std: z.number().finite().positive() }),
});

/**
 * @throws InputError (field `runId`) for an unknown or unfinished run or one without a best checkpoint,
 *   (field `outDir`) for an output path that is a file
 */
export async function exportModel(
  ws: Pick<WorkspaceDb, 'db' | 'path'>,
  options: ModelExportOptions,
): Promise<ModelExportSummary> {
  const run = readFinishedRun(ws.db, options.runId);
  const config = modelConfigOf(run.config);
  const checkpointPath = join(checkpointDirOf(ws.path, run.id), 'best.ckpt');
  if (!existsSync(checkpointPath)) {
    throw new InputError(`run ${run.id} has no best checkpoint (${checkpointPath} is missing)`, 'runId');
  }
  const checkpoint = await readCheckpoint<unknown>(checkpointPath);
  const meta = checkpointMetaSchema.safeParse(checkpoint.meta);
  if (!meta.success) throw new Error(`${checkpointPath}: its metadata lacks the epoch or the normalisation`);
  const weights = orderedWeights(config, checkpoint.tensors, checkpointPath);

  const outDir = resolve(options.outDir);
  prepareFolder(outDir);
  const weightBytes = Buffer.concat(
    weights.map(({ data }) => Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
  );
  const manifest: WeightEntry[] = weights.map(({ name, shape }) => ({ name, shape: [...shape], dtype: 'float32' }));
  const modelJson: ModelJson = {
    format: modelFormat,
    generatedBy: `${productName} ${appVersion}`,
    convertedBy: null,
    modelTopology: { class: modelTopologyClass, config },
    weightsManifest: [{ paths: [modelFiles.weights], weights: manifest }],
  };
  const metadata = metadataOf(run, config, meta.data, { bytes: weightBytes.length, tensors: manifest.length });

  // model.json last: a reader that finds it finds the weights it names.
  const files: ModelExportSummary['files'] = [];
  const write = (name: string, data: string | Uint8Array): void => {
    const path = join(outDir, name);
    writeFileAtomic(path, data);
    files.push({ name, path, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength });
  };
  write(modelFiles.weights, weightBytes);
  write(modelFiles.metadata, `${JSON.stringify(metadata, null, 2)}\n`);
  write(modelFiles.model, `${JSON.stringify(modelJson, null, 2)}\n`);
  return {
    runId: run.id,
    outDir,
    files,
    tensors: manifest.length,
    parameters: metadata.parameterCount,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    bestEpoch: meta.data.epoch,
  };
}

interface NamedWeight extends CheckpointTensor {
  readonly name: string;
}

/** The checkpoint's weights in the model's own order, each checked against the shape the config gives it. */
function orderedWeights(
  config: ModelConfig,
  tensors: Readonly<Record<string, CheckpointTensor>>,
  checkpointPath: string,
): NamedWeight[] {
  const specs = weightSpecs(config);
  const known = new Set(specs.map((s) => `weight:${s.name}`));
  const extra = Object.keys(tensors).filter((key) => key.startsWith('weight:') && !known.has(key));
  if (extra.length > 0) throw new Error(`${checkpointPath} holds weights the model does not have: ${extra.join(', ')}`);
  return specs.map((spec) => {
    const tensor = tensors[`weight:${spec.name}`];
    if (!tensor) throw new Error(`${checkpointPath} has no weight '${spec.name}'`);
    if (tensor.shape.join() !== spec.shape.join()) {
      throw new Error(
        `${checkpointPath}: weight '${spec.name}' has shape [${tensor.shape.join(', ')}], ` +
          `the run's model needs [${spec.shape.join(', ')}]`,
      );
    }
    return { name: spec.name, shape: spec.shape, data: tensor.data };
  });
}

function prepareFolder(outDir: string): void {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new InputError(`${outDir} is a file; give a folder for the model`, 'outDir');
  }
  mkdirSync(outDir, { recursive: true });
}

function metadataOf(
  run: RunRow,
  config: ModelConfig,
  checkpoint: z.infer<typeof checkpointMetaSchema>,
  weights: { readonly bytes: number; readonly tensors: number },
): ModelMetadata {
  const grid = gridSize(config);
  return {
    app: { name: productName, version: appVersion },
    format: modelFormat,
    runId: run.id,
    preset: config.preset,
    findings: [...config.findings],
    imageSize: config.imageSize,
    patchSize: config.patchSize,
    gridSize: grid,
    maskSize: config.maskSize,
    normalisation: { ...checkpoint.normalisation, formula: normalisationFormula },
    ...describeTensors(config.imageSize, config.findings, grid, config.maskSize),
    weightLayout,
    training: run.config,
    bestEpoch: checkpoint.epoch,
    valAuc: run.valAuc,
    testAuc: run.testAuc,
    backend: run.backend,
    device: run.device,
    exportedAt: new Date().toISOString(),
    parameterCount: countParameters(config),
    weights: { file: modelFiles.weights, ...weights },
  };
}
