/**
 * Exports of a finished run: its model (TensorFlow.js weights folder) and its test predictions (a CSV in the
 * `aligner metrics` format). Renderer-safe: zod only. Paths are on the host machine; the API takes absolute
 * ones only (a relative path would be relative to wherever the host was started).
 */
import { z } from 'zod';
import { hostPath } from './host-path-schemas';
import { findingSchema } from './library-schemas';

const runId = z.number().int().positive();

export const exportModelInputSchema = z.object({ runId, outDir: hostPath('outDir') }).strict();

export const exportPredictionsInputSchema = z
  .object({ runId, out: hostPath('out'), finding: findingSchema.optional() })
  .strict();

const writtenFileSchema = z
  .object({
    /** model.json, weights.bin or metadata.json. */
    name: z.string(),
    path: z.string(),
    bytes: z.number().int().nonnegative(),
  })
  .strict();

export const modelExportSummarySchema = z
  .object({
    runId: z.number().int(),
    outDir: z.string(),
    files: z.array(writtenFileSchema),
    /** Weight tensors in the manifest. */
    tensors: z.number().int().nonnegative(),
    /** Trainable parameters (frozen prompt vectors excluded). */
    parameters: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    /** The epoch whose checkpoint was exported (0-based). */
    bestEpoch: z.number().int().nullable(),
  })
  .strict();
export type ModelExportSummary = z.infer<typeof modelExportSummarySchema>;

export const predictionsExportSummarySchema = z
  .object({
    runId: z.number().int(),
    finding: z.string(),
    path: z.string(),
    columns: z.array(z.string()),
    /** Data rows written (images with a known label). */
    rows: z.number().int().nonnegative(),
    positives: z.number().int().nonnegative(),
    negatives: z.number().int().nonnegative(),
    /** Predictions left out because the image has no label for the finding. */
    unlabelled: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
  })
  .strict();
export type PredictionsExportSummary = z.infer<typeof predictionsExportSummarySchema>;
