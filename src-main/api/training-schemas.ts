/**
 * What a training run is asked to do, and what it reports. Renderer-safe: zod
 * only. The CLI (`aligner train`), the API (`trainStart`) and study configs all
 * produce a `TrainConfig`; the run stores it as given.
 */
import { z } from 'zod';
import { findingSchema } from './library-schemas';

export const presetSchema = z.enum(['micro', 'tiny', 'small', 'base']);
export const trainBackendSchema = z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);

const sourceList = z.array(z.string().trim().min(1)).min(1);

export const trainConfigSchema = z
  .object({
    /** The findings the model classifies (one head each); the paper trains one task at a time. */
    findings: z.array(findingSchema).min(1),
    train: sourceList,
    validation: sourceList,
    test: z.array(z.string().trim().min(1)).default([]),
    /** Share f of the training images whose human region L_AL uses (0, 0.25, 0.5, 0.75, 1). */
    alignment: z.number().min(0).max(1),
    /** Ablation: each aligned image gets a random shape at a random place, anew every epoch. */
    randomAlignment: z.boolean().default(false),
    /** 'error' refuses a fraction that needs more annotated positives than exist; 'use-available' trains with those. */
    onShortage: z.enum(['error', 'use-available']).default('error'),
    dataRatio: z.number().gt(0).max(1).default(1),
    preset: presetSchema.default('micro'),
    /** Image side S; default: the preset's. */
    imageSize: z.number().int().min(16).max(1024).optional(),
    epochs: z.number().int().min(1).max(1000).default(20),
    patience: z.number().int().min(1).max(1000).default(5),
    batchSize: z.number().int().min(1).max(512).default(32),
    /** Largest chunk of a batch computed at once (gradients accumulated over the batch); default: the preset's. */
    microBatch: z.number().int().min(1).max(512).optional(),
    /** Default: the preset's (5e-5 is the paper's for a pretrained ViT-B; from-scratch presets need ~1e-3). */
    learningRate: z.number().positive().max(1).optional(),
    weightDecay: z.number().min(0).max(1).default(0.01),
    /** λ of L = L_CE + λ·L_AL; default: the preset's (see SCIENCE-NOTES: 1 barely moves a from-scratch model). */
    lambda: z.number().min(0).max(1000).optional(),
    /** Sums of Eq. 1 over the whole mask ('image', default) or the annotated pixels only ('annotated'). */
    alignmentRegion: z.enum(['image', 'annotated']).default('image'),
    augment: z.boolean().default(true),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    backend: trainBackendSchema.default('auto'),
  })
  .strict();
export type TrainConfig = z.output<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

export const runStatusSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);

export const epochRecordSchema = z
  .object({
    epoch: z.number().int().nonnegative(),
    lossCe: z.number(),
    lossAl: z.number(),
    valAuc: z.number().nullable(),
    seconds: z.number().nonnegative(),
  })
  .strict();
export type EpochRecord = z.infer<typeof epochRecordSchema>;

export const runProgressSchema = z
  .object({
    epoch: z.number().int().nonnegative(),
    epochs: z.number().int().positive(),
    step: z.number().int().nonnegative(),
    steps: z.number().int().nonnegative(),
    imagesPerSecond: z.number().nonnegative(),
    etaSeconds: z.number().nonnegative().nullable(),
  })
  .strict();
export type RunProgress = z.infer<typeof runProgressSchema>;

export const runSummarySchema = z
  .object({
    id: z.number().int(),
    studyId: z.number().int().nullable(),
    config: trainConfigSchema,
    status: runStatusSchema,
    backend: z.string().nullable(),
    device: z.string().nullable(),
    error: z.string().nullable(),
    progress: runProgressSchema.nullable(),
    bestEpoch: z.number().int().nullable(),
    lastEpoch: z.number().int().nullable(),
    valAuc: z.number().nullable(),
    testAuc: z.number().nullable(),
    seconds: z.number().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    /** This host is training it now (a 'running' row that is not active was left by a process that died). */
    active: z.boolean(),
  })
  .strict();
export type RunSummary = z.infer<typeof runSummarySchema>;

export const runDetailSchema = z.object({ run: runSummarySchema, epochs: z.array(epochRecordSchema) }).strict();

export const trainPlanInputSchema = z
  .object({
    findings: z.array(findingSchema).min(1),
    train: z.array(z.string().trim().min(1)).min(1),
    alignment: z.number().min(0).max(1),
  })
  .strict();
export const trainPlanSchema = z
  .object({
    /** Training images positive for one of the findings: what the fraction is a share of. */
    positives: z.number().int().nonnegative(),
    /** Of those, the ones with a drawn region for a finding they are positive for. */
    available: z.number().int().nonnegative(),
    /** round(f × positives): how many the fraction aligns. */
    needed: z.number().int().nonnegative(),
    /** Per alignment level, how many regions are still to draw. */
    levels: z.array(z.object({ level: z.number(), needed: z.number().int(), missing: z.number().int() }).strict()),
  })
  .strict();

export const trainEventSchema = z
  .object({
    runId: z.number().int(),
    kind: z.enum(['started', 'progress', 'epoch', 'finished']),
    progress: runProgressSchema.nullable(),
    epoch: epochRecordSchema.nullable(),
    status: runStatusSchema,
    error: z.string().nullable(),
  })
  .strict();
export type TrainEvent = z.infer<typeof trainEventSchema>;
