/**
 * The messages between a trainer child process and its parent: one
 * discriminated union each way, checked with zod on arrival. The child reads
 * the workspace read-only and writes only checkpoint files; the parent records
 * everything in the database.
 */
import { z } from 'zod';
import {
  epochRecordSchema,
  presetSchema,
  runProgressSchema,
  trainBackendSchema,
  trainConfigSchema,
} from '../../api/training-schemas';
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

/** A timing probe: a few optimiser steps of a preset on random images, timed (a study's estimate). */
export const timingProbeSchema = z
  .object({
    preset: presetSchema,
    imageSize: z.number().int().min(16).max(1024),
    batchSize: z.number().int().min(1).max(512),
    findings: z.array(z.string().min(1)).min(1),
    backend: trainBackendSchema,
  })
  .strict();
export type TimingProbe = z.output<typeof timingProbeSchema>;

export const toTrainerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), job: trainJobSchema }).strict(),
  z.object({ type: z.literal('probe'), probe: timingProbeSchema }).strict(),
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
  z
    .object({
      type: z.literal('timing'),
      backend: z.string(),
      device: z.string().nullable(),
      /** From the process's start to a built model on a chosen backend. */
      readySeconds: z.number().nonnegative(),
      /** One optimiser step on a whole batch (measured on one micro-batch, scaled by the batch's share). */
      secondsPerStep: z.number().nonnegative(),
      /** Scoring one image (forward pass only). */
      secondsPerImageScored: z.number().nonnegative(),
    })
    .strict(),
]);
export type FromTrainer = z.output<typeof fromTrainerSchema>;
