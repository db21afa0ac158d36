/**
 * The messages between a trainer child process and its parent: one
 * discriminated union each way, checked with zod on arrival. The child reads
 * the workspace read-only and writes only checkpoint files; the parent records
 * everything in the database.
 */
import { z } from 'zod';
import { epochRecordSchema, runProgressSchema, trainConfigSchema } from '../../api/training-schemas';
import { backendAttemptSchema } from '../../api/contract';

export const trainJobSchema = z
  .object({
    runId: z.number().int().positive(),
    dbPath: z.string().min(1),
    config: trainConfigSchema,
    /** Folder of this run's checkpoint files. */
    checkpointDir: z.string().min(1),
    /** Continue from the checkpoint there instead of starting afresh. */
    resume: z.boolean(),
  })
  .strict();
export type TrainJob = z.output<typeof trainJobSchema>;

export const toTrainerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), job: trainJobSchema }).strict(),
  z.object({ type: z.literal('cancel') }).strict(),
]);
export type ToTrainer = z.input<typeof toTrainerSchema>;

const predictionSchema = z
  .object({
    imageId: z.number().int(),
    finding: z.string(),
    score: z.number(),
    attention: z.instanceof(Float32Array).nullable(),
  })
  .strict();

export const fromTrainerSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('started'),
      backend: z.string(),
      device: z.string().nullable(),
      attempts: z.array(backendAttemptSchema),
      /** Epoch the run starts at (0, or the one after the checkpoint it resumed). */
      fromEpoch: z.number().int().nonnegative(),
      alignedImages: z.number().int().nonnegative(),
      trainImages: z.number().int().nonnegative(),
    })
    .strict(),
  z.object({ type: z.literal('progress'), progress: runProgressSchema }).strict(),
  z
    .object({
      type: z.literal('epoch'),
      record: epochRecordSchema,
      checkpoint: z.string(),
      bestEpoch: z.number().int().nonnegative(),
      bestValAuc: z.number().nullable(),
    })
    .strict(),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn']), message: z.string() }).strict(),
  z.object({ type: z.literal('predictions'), rows: z.array(predictionSchema) }).strict(),
  z
    .object({
      type: z.literal('done'),
      status: z.enum(['done', 'cancelled']),
      bestEpoch: z.number().int().nonnegative().nullable(),
      valAuc: z.number().nullable(),
      testAuc: z.number().nullable(),
      seconds: z.number().nonnegative(),
    })
    .strict(),
  z.object({ type: z.literal('error'), message: z.string(), inputError: z.boolean() }).strict(),
]);
export type FromTrainer = z.output<typeof fromTrainerSchema>;
