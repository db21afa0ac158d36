/**
 * A study: the paper's experiment as one object — a finding, training,
 * validation and out-of-domain test sources, and a sweep of alignment levels ×
 * seeds (× training-data ratios, optionally with the random-alignment
 * ablation) — and how it expands into training runs. Renderer-safe: zod only.
 * The CLI (`aligner study run CONFIG.json`), the API (`studyCreate`) and the
 * Studies view all read the same JSON.
 */
import { z } from 'zod';
import { findingSchema } from './library-schemas';
import {
  presetSchema,
  runProgressSchema,
  runStatusSchema,
  runSummarySchema,
  trainBackendSchema,
  trainConfigSchema,
  type TrainConfig,
} from './training-schemas';

const sourceName = z.string().trim().min(1, 'a source name must not be empty');

/** The paper's sweep: 0/25/50/75/100 % of the training positives human-guided. */
export const defaultLevels: readonly number[] = [0, 0.25, 0.5, 0.75, 1];
export const defaultSeeds: readonly number[] = [1, 2, 3, 4, 5];

export const studyConfigSchema = z
  .object({
    name: z.string().trim().min(1, 'give the study a name').max(200),
    /** The one finding the study's runs classify (the paper trains one task at a time). */
    finding: findingSchema,
    /** Training sources (role `train`). */
    train: z.array(sourceName).min(1, 'give at least one training source'),
    /** The source whose AUC picks each run's best epoch. */
    validation: sourceName,
    /** Out-of-domain test sources, scored by every run's best checkpoint. */
    test: z.array(sourceName).min(1, 'give at least one out-of-domain test source'),
    /** Alignment levels f: the share of the training positives whose human region L_AL uses. */
    levels: z
      .array(
        z
          .number()
          .min(0, 'an alignment level is a fraction from 0 to 1')
          .max(1, 'an alignment level is a fraction from 0 to 1'),
      )
      .min(1, 'give at least one alignment level')
      .default([...defaultLevels]),
    /** One run per seed at every level (and data ratio). */
    seeds: z
      .array(
        z
          .number()
          .int('a seed is a whole number')
          .min(0, 'a seed is a whole number from 0 to 2147483647')
          .max(2 ** 31 - 1, 'a seed is a whole number from 0 to 2147483647'),
      )
      .min(1, 'give at least one seed')
      .default([...defaultSeeds]),
    /** Shares of the training images used (seeded, label-stratified, nested). */
    dataRatios: z
      .array(
        z
          .number()
          .gt(0, 'a data ratio is a fraction above 0, at most 1')
          .max(1, 'a data ratio is a fraction above 0, at most 1'),
      )
      .min(1, 'give at least one data ratio')
      .default([1]),
    /** The ablation: every level above 0 also runs with random shapes in place of the human regions. */
    randomAlignment: z.boolean().default(false),
    preset: presetSchema.default('tiny'),
    imageSize: z.number().int().min(16).max(1024).default(224),
    epochs: z.number().int().min(1).max(1000).default(100),
    patience: z.number().int().min(1).max(1000).default(30),
    batchSize: z.number().int().min(1).max(512).default(32),
    lr: z.number().positive().max(1).default(5e-5),
    backend: trainBackendSchema.default('auto'),
  })
  .strict()
  .superRefine((study, ctx) => {
    for (const key of ['levels', 'seeds', 'dataRatios', 'train', 'test'] as const) {
      const values: readonly (string | number)[] = study[key];
      const repeated = values.find((v, i) => values.indexOf(v) !== i);
      if (repeated !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${String(repeated)} is listed twice` });
      }
    }
    const roles: [string, readonly string[]][] = [
      ['training', study.train],
      ['validation', [study.validation]],
      ['test', study.test],
    ];
    for (let a = 0; a < roles.length; a++) {
      for (let b = a + 1; b < roles.length; b++) {
        const [nameA, listA] = roles[a] as [string, readonly string[]];
        const [nameB, listB] = roles[b] as [string, readonly string[]];
        const shared = listA.find((s) => listB.includes(s));
        if (shared !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [nameB === 'test' ? 'test' : 'validation'],
            message: `source '${shared}' is both a ${nameA} and a ${nameB} source`,
          });
        }
      }
    }
  });
export type StudyConfig = z.output<typeof studyConfigSchema>;
export type StudyConfigInput = z.input<typeof studyConfigSchema>;

/** The keys of a study file, in the documented order (for messages and exports). */
export const studyKeys = Object.keys(studyConfigSchema.shape) as (keyof StudyConfig)[];

/** One run of a study's sweep. */
export interface StudyRunSpec {
  /** 0-based position in the study's queue. */
  readonly index: number;
  readonly level: number;
  readonly seed: number;
  readonly dataRatio: number;
  /** The random-alignment ablation arm (levels above 0 only). */
  readonly randomAlignment: boolean;
  readonly config: TrainConfig;
}

/**
 * The study's runs, in the order they train: for each data ratio, for each
 * seed, every level (human alignment, then — with `randomAlignment` and a
 * level above 0 — the random ablation at that level). Seed-major, so each
 * finished block is a whole sweep of the levels (something to look at early);
 * the same config always gives the same list.
 */
export function expandStudy(study: StudyConfig): StudyRunSpec[] {
  const specs: StudyRunSpec[] = [];
  for (const dataRatio of study.dataRatios) {
    for (const seed of study.seeds) {
      for (const level of study.levels) {
        const arms = study.randomAlignment && level > 0 ? [false, true] : [false];
        for (const randomAlignment of arms) {
          specs.push({
            index: specs.length,
            level,
            seed,
            dataRatio,
            randomAlignment,
            config: trainConfigOf(study, { level, seed, dataRatio, randomAlignment }),
          });
        }
      }
    }
  }
  return specs;
}

/** levels × seeds × data ratios, plus the random arm at each level above 0. */
export function studyRunCount(study: Pick<StudyConfig, 'levels' | 'seeds' | 'dataRatios' | 'randomAlignment'>): number {
  const arms = study.levels.reduce((n, level) => n + (study.randomAlignment && level > 0 ? 2 : 1), 0);
  return arms * study.seeds.length * study.dataRatios.length;
}

function trainConfigOf(
  study: StudyConfig,
  run: { level: number; seed: number; dataRatio: number; randomAlignment: boolean },
): TrainConfig {
  return trainConfigSchema.parse({
    findings: [study.finding],
    train: study.train,
    validation: [study.validation],
    test: study.test,
    alignment: run.level,
    randomAlignment: run.randomAlignment,
    onShortage: 'error',
    dataRatio: run.dataRatio,
    preset: study.preset,
    imageSize: study.imageSize,
    epochs: study.epochs,
    patience: study.patience,
    batchSize: study.batchSize,
    learningRate: study.lr,
    seed: run.seed,
    backend: study.backend,
  });
}

/**
 * One line per problem of a study file that does not match the schema, each
 * naming the key (`levels[1]: an alignment level is a fraction from 0 to 1,
 * got 1.5`; `unknown key 'lambda'`).
 */
export function studyIssues(error: z.ZodError, raw: unknown): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `'${k}'`).join(', ');
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${keys} (a study has ${studyKeys.join(', ')})`;
    }
    const path = pathText(issue.path);
    const got =
      issue.code === 'too_big' || issue.code === 'too_small' || issue.code === 'not_multiple_of'
        ? valueAt(raw, issue.path)
        : undefined;
    const suffix = got !== undefined && typeof got !== 'object' ? `, got ${JSON.stringify(got)}` : '';
    return `${path ? `${path}: ` : ''}${issue.message}${suffix}`;
  });
}

function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `${text ? '.' : ''}${String(part)}`;
  return text;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

// ---------------------------------------------------------------- what the workspace says about a study

/** The timing probe's measurement and the estimate derived from it (stored with the study). */
export const studyEstimateSchema = z
  .object({
    backend: z.string(),
    device: z.string().nullable(),
    /** One optimiser step on a whole batch of `batchSize` images, in seconds. */
    secondsPerStep: z.number().nonnegative(),
    /** Scoring one image (validation, test), in seconds. */
    secondsPerImageScored: z.number().nonnegative(),
    /** Starting a trainer process, selecting the backend and building the model, in seconds. */
    secondsPerRunStart: z.number().nonnegative(),
    /** One epoch at data ratio 1: its training steps and the validation source scored. */
    secondsPerEpoch: z.number().nonnegative(),
    /** Every epoch of one run at data ratio 1 (early stopping can end a run sooner). */
    secondsPerRun: z.number().nonnegative(),
    /** All runs, every epoch: an upper bound. */
    totalSeconds: z.number().nonnegative(),
    trainImages: z.number().int().nonnegative(),
    validationImages: z.number().int().nonnegative(),
    testImages: z.number().int().nonnegative(),
    probedAt: z.string(),
  })
  .strict();
export type StudyEstimate = z.infer<typeof studyEstimateSchema>;

/** What the workspace has for a study: sources, positives, regions per level. */
export const studyPlanSchema = z
  .object({
    runs: z.number().int().nonnegative(),
    trainImages: z.number().int().nonnegative(),
    validationImages: z.number().int().nonnegative(),
    testImages: z.number().int().nonnegative(),
    /** Training images positive for the finding: what a level is a share of. */
    positives: z.number().int().nonnegative(),
    /** Of those, the ones with a drawn region for the finding. */
    annotated: z.number().int().nonnegative(),
    /** Per level at data ratio 1: round(level × positives), and how many regions are still to draw. */
    levels: z.array(z.object({ level: z.number(), needed: z.number().int(), missing: z.number().int() }).strict()),
  })
  .strict();
export type StudyPlan = z.infer<typeof studyPlanSchema>;

export const studyValidationSchema = z
  .object({
    ok: z.boolean(),
    /** Every problem, one line each; empty when the study can be queued. */
    errors: z.array(z.string()),
    /** The config with its defaults filled in (null when it does not match the schema). */
    config: studyConfigSchema.nullable(),
    plan: studyPlanSchema.nullable(),
    estimate: studyEstimateSchema.nullable(),
    /** Why there is no estimate although the config is valid (the probe failed). */
    estimateError: z.string().nullable(),
  })
  .strict();
export type StudyValidation = z.infer<typeof studyValidationSchema>;

/** Whether the study takes runs: 'paused' finishes the current run and takes no new one. */
export const studyStateSchema = z.enum(['active', 'paused', 'cancelled']);
export type StudyState = z.infer<typeof studyStateSchema>;

/**
 * What a study is doing, from its state and its runs: 'running' (a live process trains it), 'interrupted'
 * (runs left to train, nobody training them: resume it), 'pausing' (paused, its current run still
 * finishing), 'paused', 'cancelled', 'finished' (no run left to train; some may have failed).
 */
export const studyStatusSchema = z.enum(['running', 'interrupted', 'pausing', 'paused', 'cancelled', 'finished']);
export type StudyStatus = z.infer<typeof studyStatusSchema>;

export const studyCountsSchema = z
  .object({
    queued: z.number().int().nonnegative(),
    running: z.number().int().nonnegative(),
    done: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    cancelled: z.number().int().nonnegative(),
  })
  .strict();
export type StudyCounts = z.infer<typeof studyCountsSchema>;

export const studySummarySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    config: studyConfigSchema,
    state: studyStateSchema,
    status: studyStatusSchema,
    total: z.number().int().nonnegative(),
    counts: studyCountsSchema,
    /** Finished runs plus the running ones' share of their epochs, over the total: 0 … 1. */
    fraction: z.number().min(0).max(1),
    /** Time left if every remaining run trains all its epochs (from measured epochs, else the estimate). */
    etaSeconds: z.number().nonnegative().nullable(),
    estimate: studyEstimateSchema.nullable(),
    concurrency: z.number().int().positive(),
    createdAt: z.string(),
    /** pid@host of the process training it, null when none. */
    owner: z.string().nullable(),
  })
  .strict();
export type StudySummary = z.infer<typeof studySummarySchema>;

/** A study's run: the summary of a run and where it sits in the sweep. */
export const studyRunSchema = z
  .object({
    index: z.number().int().nonnegative(),
    level: z.number(),
    seed: z.number().int(),
    dataRatio: z.number(),
    randomAlignment: z.boolean(),
    run: runSummarySchema,
  })
  .strict();
export type StudyRun = z.infer<typeof studyRunSchema>;

/**
 * How a study re-run from a reproducibility bundle compares with the bundle's recorded runs, run by run in queue
 * order: identical test predictions (every score equal) and the test AUC difference.
 */
export const reproductionSchema = z
  .object({
    /** Runs done both here and in the bundle. */
    compared: z.number().int().nonnegative(),
    /** Of those, runs whose test predictions equal the bundle's. */
    identical: z.number().int().nonnegative(),
    /** Largest |test AUC here − test AUC in the bundle| over the compared runs; null when none. */
    maxAbsTestAucDiff: z.number().nullable(),
    runs: z.array(
      z
        .object({
          index: z.number().int().nonnegative(),
          runId: z.number().int(),
          testAuc: z.number().nullable(),
          bundleTestAuc: z.number().nullable(),
          identical: z.boolean(),
        })
        .strict(),
    ),
  })
  .strict();
export type Reproduction = z.infer<typeof reproductionSchema>;

export const studyDetailSchema = z
  .object({
    study: studySummarySchema,
    runs: z.array(studyRunSchema),
    /** A study re-run from a bundle: how it compares with the bundle; null for any other study. */
    reproduction: reproductionSchema.nullable(),
  })
  .strict();
export type StudyDetail = z.infer<typeof studyDetailSchema>;

export const studyCreateInputSchema = z
  .object({
    config: studyConfigSchema,
    /** Runs trained at once (CPU machines with cores to spare); default 1. */
    concurrency: z.number().int().min(1).max(16).default(1),
  })
  .strict();

export const studyEventSchema = z
  .object({
    studyId: z.number().int(),
    kind: z.enum(['created', 'state', 'run-started', 'run-progress', 'run-epoch', 'run-finished', 'stopped']),
    runId: z.number().int().nullable(),
    runStatus: runStatusSchema.nullable(),
    runProgress: runProgressSchema.nullable(),
    status: studyStatusSchema,
    total: z.number().int().nonnegative(),
    counts: studyCountsSchema,
    fraction: z.number().min(0).max(1),
    etaSeconds: z.number().nonnegative().nullable(),
  })
  .strict();
export type StudyEvent = z.infer<typeof studyEventSchema>;
