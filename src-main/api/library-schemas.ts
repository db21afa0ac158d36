/**
 * Schemas of the library calls (import, sources, worklist). Renderer-safe:
 * zod only. The call table itself is in contract.ts.
 */
import { z } from 'zod';

export const findingSchema = z.enum(['nodule', 'effusion', 'edema']);
export const sourceRoleSchema = z.enum(['train', 'validation', 'ood-test']);
export const sexSchema = z.enum(['M', 'F', 'other', 'unknown']);

export const sourceSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: sourceRoleSchema,
    description: z.string(),
    imageCount: z.number().int().nonnegative(),
  })
  .strict();
export type Source = z.infer<typeof sourceSchema>;

export const importStartInputSchema = z
  .object({
    /** Files and folders on the machine that runs the host. */
    paths: z.array(z.string().trim().min(1)).min(1, 'give at least one file or folder'),
    source: z.string().trim().min(1, 'name the source (site or dataset)').max(200),
    role: sourceRoleSchema.default('train'),
    labelsCsv: z.string().trim().min(1).optional(),
    /** CheXpert-style uncertain (-1) cells: leave unlabelled (default), or read as positive / negative. */
    uncertain: z.enum(['exclude', 'positive', 'negative']).default('exclude'),
    /** Blank label cells: unlabelled (default) or negative. */
    blank: z.enum(['unlabelled', 'negative']).default('unlabelled'),
  })
  .strict();

export const importProgressSchema = z
  .object({
    jobId: z.string(),
    total: z.number().int().nonnegative(),
    done: z.number().int().nonnegative(),
    imported: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    filesPerSecond: z.number().nonnegative(),
    megabytesPerSecond: z.number().nonnegative(),
    etaSeconds: z.number().nonnegative().nullable(),
  })
  .strict();
export type ImportProgressEvent = z.infer<typeof importProgressSchema>;

export const importSummarySchema = z
  .object({
    imported: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    failed: z.array(z.object({ path: z.string(), error: z.string() }).strict()),
    cancelled: z.boolean(),
    source: z.string(),
    seconds: z.number().nonnegative(),
    megabytes: z.number().nonnegative(),
    labelProblems: z.array(z.object({ line: z.number().int(), message: z.string() }).strict()),
  })
  .strict();
export type ImportSummaryValue = z.infer<typeof importSummarySchema>;

export const importFinishedSchema = z
  .object({
    jobId: z.string(),
    summary: importSummarySchema.nullable(),
    /** Why the whole import stopped (e.g. an unknown labels layout); null when it ran. */
    error: z.string().nullable(),
  })
  .strict();

export const worklistQuerySchema = z
  .object({
    filter: z
      .object({
        sourceId: z.number().int().optional(),
        role: sourceRoleSchema.optional(),
        sex: sexSchema.optional(),
        /** 'below' = age < ageThreshold, 'atOrAbove' = age >= ageThreshold; unknown ages match neither. */
        ageGroup: z.enum(['below', 'atOrAbove']).optional(),
        ageThreshold: z.number().nonnegative().default(60),
        finding: findingSchema.optional(),
        /** With `finding`: only images labelled 0 or 1 for it. */
        label: z.union([z.literal(0), z.literal(1)]).optional(),
        /** With `finding`: annotated for that finding; without: for any. */
        annotated: z.boolean().optional(),
        /** Substring of the file name or the patient pseudonym. */
        text: z.string().max(200).optional(),
      })
      .strict()
      .default({ ageThreshold: 60 }),
    sort: z
      .object({
        key: z.enum(['id', 'source', 'sex', 'age', 'name', 'imported']).default('id'),
        direction: z.enum(['asc', 'desc']).default('asc'),
      })
      .strict()
      .default({ key: 'id', direction: 'asc' }),
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export type WorklistQuery = z.output<typeof worklistQuerySchema>;

export const worklistRowSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    sourceId: z.number().int(),
    source: z.string(),
    role: sourceRoleSchema,
    sex: sexSchema,
    age: z.number().nullable(),
    pseudonym: z.string().nullable(),
    modality: z.string().nullable(),
    view: z.string().nullable(),
    rows: z.number().int(),
    cols: z.number().int(),
    labels: z.partialRecord(findingSchema, z.union([z.literal(0), z.literal(1)])),
    regions: z.number().int().nonnegative(),
  })
  .strict();
export type WorklistRow = z.infer<typeof worklistRowSchema>;

export const worklistPageSchema = z
  .object({
    total: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    rows: z.array(worklistRowSchema),
  })
  .strict();
export type WorklistPage = z.infer<typeof worklistPageSchema>;

export const thumbnailsSchema = z
  .object({ items: z.array(z.object({ id: z.number().int(), dataUrl: z.string() }).strict()) })
  .strict();

export const demoProgressSchema = z
  .object({
    stage: z.enum(['generating', 'importing']),
    site: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
  })
  .strict();
export type DemoProgressEvent = z.infer<typeof demoProgressSchema>;

export const demoFinishedSchema = z
  .object({
    summary: z
      .object({
        sources: z.array(
          z
            .object({ name: z.string(), role: z.string(), images: z.number().int(), annotations: z.number().int() })
            .strict(),
        ),
        seconds: z.number().nonnegative(),
        cancelled: z.boolean(),
      })
      .strict()
      .nullable(),
    error: z.string().nullable(),
  })
  .strict();
export type DemoFinishedEvent = z.infer<typeof demoFinishedSchema>;
