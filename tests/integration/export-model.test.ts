import { cpSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modelExportSummarySchema } from '../../src-main/api/export-schemas';
import { trainConfigSchema } from '../../src-main/api/training-schemas';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import { modelJsonSchema, modelMetadataSchema } from '../../src-main/core/export/model-format';
import { readExportedModel } from '../../src-main/core/export/read-exported-model';
import { InputError } from '../../src-main/core/input-error';
import { countParameters, createAlignerModel } from '../../src-main/core/model';
import { readCheckpoint } from '../../src-main/core/training/checkpoint';
import { batches, loadExamples } from '../../src-main/core/training/data';
import { modelConfigOf } from '../../src-main/core/training/model-config-of';
import { runCli } from '../helpers/cli';
import {
  buildExportWorkspace,
  oneLineError,
  queuedRun,
  trainMicro,
  type ExportWorkspace,
  type TrainAnswer,
} from '../helpers/export-workspace';
import { tempDir } from '../helpers/paths';
import { readPredictions, readRunRecord, withDb } from '../helpers/trainer-workspace';

/**
 * `aligner export model` end to end: a workspace built by the real CLI, a micro model trained by the real
 * trainer, the export read back with TensorFlow.js's own decoder, and the exported model scoring the test
 * images as the trainer did.
 */
const dir = tempDir('aligner-export-model-');
let ws: ExportWorkspace;
let trained: TrainAnswer;
const modelDir = join(dir.path, 'model');

beforeAll(async () => {
  ws = await buildExportWorkspace(dir.path);
  trained = await trainMicro(ws, 'nodule');
  const report = await selectBackend('wasm');
  if (report.chosen === null) await selectBackend('cpu');
}, 180_000);
afterAll(() => dir.remove());

async function exportModel(out: string, runId = trained.runId) {
  return runCli(['export', 'model', '--run', String(runId), '--out', out, '--db', ws.db, '--json'], ws.env);
}

/** The export the tests read, made once (each test still works alone). */
let first: ReturnType<typeof exportModel> | null = null;
function exportedOnce(): ReturnType<typeof exportModel> {
  first ??= exportModel(modelDir);
  return first;
}

function checkpointOf(runId: number): string {
  return join(`${ws.db}.runs`, `run-${runId}`, 'best.ckpt');
}

const bestMetaSchema = z.object({
  epoch: z.number(),
  normalisation: z.object({ mean: z.number(), std: z.number() }),
});

describe('aligner export model', () => {
  it('writes model.json, weights.bin and metadata.json and summarises them', async () => {
    expect(trained.status).toBe('done');
    const run = await exportedOnce();
    expect(run.code, run.stderr).toBe(0);
    const summary = modelExportSummarySchema.parse(JSON.parse(run.stdout));
    expect(summary.runId).toBe(trained.runId);
    expect(summary.outDir).toBe(modelDir);
    expect(summary.files.map((f) => f.name).sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    for (const file of summary.files) {
      expect(file.path).toBe(join(modelDir, file.name));
      expect(readFileSync(file.path).length).toBe(file.bytes);
    }
    expect(summary.bytes).toBe(summary.files.reduce((s, f) => s + f.bytes, 0));
    expect(summary.bestEpoch).toBe(trained.bestEpoch);
  });

  it('holds every weight of the best checkpoint bit for bit, as tf.io.decodeWeights reads it, and no optimiser state', async () => {
    await exportedOnce();
    const model = modelJsonSchema.parse(JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')));
    expect(model.generatedBy).toMatch(/^Aligner Workstation \d+\.\d+\.\d+/);
    expect(model.weightsManifest).toHaveLength(1);
    const group = model.weightsManifest[0];
    expect(group?.paths).toEqual(['weights.bin']);
    const bytes = readFileSync(join(modelDir, 'weights.bin'));
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const decoded = tf.io.decodeWeights(buffer, group?.weights ?? []);

    const checkpoint = await readCheckpoint<unknown>(checkpointOf(trained.runId));
    const weightNames = Object.keys(checkpoint.tensors).filter((k) => k.startsWith('weight:'));
    expect(Object.keys(checkpoint.tensors).some((k) => k.startsWith('adamw:'))).toBe(true);
    expect(Object.keys(decoded).sort()).toEqual(weightNames.map((k) => k.slice('weight:'.length)).sort());
    for (const [name, tensor] of Object.entries(decoded)) {
      const stored = checkpoint.tensors[`weight:${name}`];
      expect(tensor.shape, name).toEqual(stored?.shape);
      expect(tensor.dtype).toBe('float32');
      const values = tensor.dataSync() as Float32Array;
      // Compare the bits, not the numbers (NaN ≠ NaN, −0 = 0).
      expect(new Uint32Array(values.buffer, values.byteOffset, values.length), name).toEqual(
        new Uint32Array(stored?.data.buffer ?? new ArrayBuffer(0)),
      );
      tensor.dispose();
    }
  });

  it('writes the metadata: normalisation, sizes, training config and scores of the run', async () => {
    await exportedOnce();
    const metadata = modelMetadataSchema.parse(JSON.parse(readFileSync(join(modelDir, 'metadata.json'), 'utf8')));
    const checkpoint = await readCheckpoint<unknown>(checkpointOf(trained.runId));
    const meta = bestMetaSchema.parse(checkpoint.meta);
    const row = readRunRecord(ws.db, trained.runId);
    const storedConfig = withDb(ws.db, (db) =>
      trainConfigSchema.parse(
        JSON.parse(db.prepare('SELECT config FROM runs WHERE id = ?').pluck().get(trained.runId) as string),
      ),
    );
    const config = modelConfigOf(storedConfig);
    expect(metadata).toMatchObject({
      app: { name: 'Aligner Workstation' },
      runId: trained.runId,
      preset: 'micro',
      findings: ['nodule'],
      imageSize: 64,
      patchSize: 8,
      gridSize: 8,
      maskSize: 32,
      normalisation: meta.normalisation,
      training: storedConfig,
      bestEpoch: meta.epoch,
      valAuc: row?.valAuc,
      testAuc: row?.testAuc,
      backend: 'wasm',
      parameterCount: countParameters(config),
      weights: { file: 'weights.bin', bytes: readFileSync(join(modelDir, 'weights.bin')).length },
    });
    expect(metadata.normalisation.formula).toContain('(x / 255 − mean) / std');
    expect(metadata.input.shape).toEqual([null, 64, 64, 1]);
    expect(metadata.outputs.logits.shape).toEqual([null, 1]);
    expect(metadata.outputs.attention.shape).toEqual([null, 1, 8, 8]);
    expect(metadata.outputs.aligned.shape).toEqual([null, 1, 32, 32]);
    expect(Date.parse(metadata.exportedAt)).not.toBeNaN();
  });

  it('rebuilds a model that scores the test images as the trainer did (1e-5)', async () => {
    await exportedOnce();
    const exported = readExportedModel(modelDir);
    const model = createAlignerModel(tf, exported.config);
    const weights = Object.fromEntries(
      Object.entries(exported.weights).map(([name, w]) => [name, tf.tensor(w.data, [...w.shape])]),
    );
    model.setWeights(weights);
    tf.dispose(Object.values(weights));
    const { imageSize, maskSize, findings } = exported.config;
    const examples = withDb(ws.db, (db) =>
      loadExamples(db, { sources: exported.metadata.training.test, findings, imageSize, maskSize }),
    );
    const scores = new Map<number, number>();
    for await (const batch of batches(examples, {
      batchSize: 16,
      seed: 0,
      epoch: 0,
      maskSize,
      normalise: exported.metadata.normalisation,
      shuffle: false,
      augment: false,
    })) {
      const b = batch.imageIds.length;
      const images = tf.tensor4d(batch.images, [b, imageSize, imageSize, 1]);
      const out = model.forward(images);
      const p = tf.tidy(() => tf.sigmoid(out.logits)).dataSync();
      tf.dispose([images, out.logits, out.attention, out.aligned]);
      batch.imageIds.forEach((id, i) => scores.set(id, p[i] as number));
    }
    model.dispose();
    const predictions = readPredictions(ws.db, trained.runId);
    expect(predictions.length).toBe(30);
    expect(scores.size).toBe(predictions.length);
    let worst = 0;
    for (const p of predictions) worst = Math.max(worst, Math.abs((scores.get(p.imageId) ?? Number.NaN) - p.score));
    // Measured: 0 on wasm (the trainer's backend); the cpu backend may round differently.
    expect(worst).toBeLessThan(1e-5);
    // Not a model that answers the same for every image.
    expect(new Set(predictions.map((p) => p.score.toFixed(4))).size).toBeGreaterThan(5);
  });

  it('replaces its own three files in a folder that holds others, and leaves the others alone', async () => {
    await exportedOnce();
    const again = join(dir.path, 'again');
    cpSync(modelDir, again, { recursive: true });
    writeFileSync(join(again, 'README.txt'), 'my notes');
    writeFileSync(join(again, 'model.json'), 'not json');
    truncateSync(join(again, 'weights.bin'), 8);
    const run = await exportModel(again);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(again, 'README.txt'), 'utf8')).toBe('my notes');
    expect(readFileSync(join(again, 'weights.bin'))).toEqual(readFileSync(join(modelDir, 'weights.bin')));
    expect(readExportedModel(again).config).toEqual(readExportedModel(modelDir).config);
  });

  it('refuses an unknown run, an unfinished run and an output path that is a file (exit 2, one line)', async () => {
    expect(oneLineError(await exportModel(join(dir.path, 'x'), 999))).toMatch(/no run with id 999/);
    const queued = queuedRun(ws);
    expect(oneLineError(await exportModel(join(dir.path, 'x'), queued))).toMatch(
      new RegExp(`run ${queued} is not finished \\(status queued\\)`),
    );
    const file = join(dir.path, 'a-file');
    writeFileSync(file, '');
    expect(oneLineError(await exportModel(file))).toMatch(/is a file; give a folder/);
    const missing = await runCli(['export', 'model', '--out', join(dir.path, 'y'), '--db', ws.db], ws.env);
    expect(oneLineError(missing)).toMatch(/--run ID is required/);
    const bad = await runCli(['export', 'model', '--run', 'two', '--out', join(dir.path, 'y'), '--db', ws.db], ws.env);
    expect(oneLineError(bad)).toMatch(/--run must be a run id/);
    expect(existsSync(join(dir.path, 'x'))).toBe(false);
  });

  it('reads back only a complete, consistent export (clear errors naming the file)', async () => {
    await exportedOnce();
    const broken = join(dir.path, 'broken');
    cpSync(modelDir, broken, { recursive: true });
    truncateSync(join(broken, 'weights.bin'), 100);
    expect(() => readExportedModel(broken)).toThrow(InputError);
    expect(() => readExportedModel(broken)).toThrow(/weights\.bin has 100 bytes; the manifest needs \d+/);

    cpSync(modelDir, broken, { recursive: true });
    const model = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as {
      weightsManifest: { weights: { name: string; shape: number[] }[] }[];
    };
    const first = model.weightsManifest[0]?.weights[0];
    if (first) first.shape = [first.shape[1] ?? 1, first.shape[0] ?? 1];
    writeFileSync(join(broken, 'model.json'), JSON.stringify(model));
    expect(() => readExportedModel(broken)).toThrow(
      /weight 'patch_embed\.weight' has shape \[32, 64\], the config needs \[64, 32\]/,
    );

    writeFileSync(join(broken, 'model.json'), '{');
    expect(() => readExportedModel(broken)).toThrow(/model\.json is not JSON/);
    expect(() => readExportedModel(join(dir.path, 'nowhere'))).toThrow(/model\.json does not exist/);
  });
});
