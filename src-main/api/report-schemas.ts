/**
 * The study report (issue 8): what `aligner study report` and the `studyReport` call take, what they answer, and
 * the shape of the report's `summary.json`. Renderer-safe: zod only.
 *
 * Units: as in the Fairness summary, every metric, gap and hit rate is a fraction in [0, 1]; the report's HTML,
 * Table 2 and figures show the paper's units (AUC × 100, the others in %).
 */
import { z } from 'zod';
import { fairnessSummarySchema } from './fairness-schemas';
import { hostPath } from './host-path-schemas';

export const studyReportInputSchema = z
  .object({
    studyId: z.number().int().positive(),
    /** The report folder on the host (created when absent; the report's own files in it are replaced). */
    outDir: hostPath('outDir'),
    /** Age is binarised into `<T` and `>=T`. */
    ageThreshold: z.number().int().min(1).max(120).default(60),
    /** A score >= threshold is a positive call. */
    threshold: z.number().min(0).max(1).default(0.5),
  })
  .strict();
export type StudyReportInput = z.output<typeof studyReportInputSchema>;

const writtenFileSchema = z
  .object({
    /** Relative to the report folder, '/'-separated: `summary.json`, `figures/fig3.svg`, `gallery/run-4-1.png`. */
    name: z.string(),
    bytes: z.number().int().nonnegative(),
  })
  .strict();

export const studyReportResultSchema = z
  .object({
    studyId: z.number().int(),
    outDir: z.string(),
    finding: z.string(),
    /** Runs of the study (any status). */
    runs: z.number().int().nonnegative(),
    /** Finished runs evaluated into the report. */
    evaluatedRuns: z.number().int().nonnegative(),
    files: z.array(writtenFileSchema),
    bytes: z.number().int().nonnegative(),
    /** Figures that could not be drawn, and what they need. */
    notes: z.array(z.string()),
    /** Wall time of the export. */
    seconds: z.number().nonnegative(),
  })
  .strict();
export type StudyReportResult = z.infer<typeof studyReportResultSchema>;

// ---------------------------------------------------------------- summary.json

const nullableNumber = z.number().nullable();

export const runPerformanceSchema = z
  .object({
    auc: nullableNumber,
    accuracy: nullableNumber,
    f1: nullableNumber,
    sensitivity: nullableNumber,
    specificity: nullableNumber,
  })
  .strict();

export const runGroupReportSchema = z
  .object({
    value: z.string(),
    n: z.number().int().nonnegative(),
    positives: z.number().int().nonnegative(),
    performance: runPerformanceSchema,
    hitRate: nullableNumber,
    /** Positive images of the group that count in the pointing game. */
    hitImages: z.number().int().nonnegative(),
  })
  .strict();

export const runAttributeReportSchema = z
  .object({
    attribute: z.string(),
    /** Best minus worst subgroup of each metric, and the worst subgroup's AUC. */
    gaps: runPerformanceSchema.extend({ worstGroupAuc: nullableNumber }).strict(),
    hitRateGap: nullableNumber,
    groups: z.array(runGroupReportSchema),
  })
  .strict();

export const runSourceReportSchema = z
  .object({
    source: z.string(),
    n: z.number().int().nonnegative(),
    positives: z.number().int().nonnegative(),
    performance: runPerformanceSchema,
    hitRate: nullableNumber,
    hits: z.number().int().nonnegative(),
    hitImages: z.number().int().nonnegative(),
    miou: nullableNumber,
    attributes: z.array(runAttributeReportSchema),
  })
  .strict();
export type RunSourceReport = z.infer<typeof runSourceReportSchema>;

export const runConditionSchema = z
  .object({
    /** The Fairness summary's condition key, e.g. 'micro|a=0.5|r=1|random=0'. */
    key: z.string(),
    /** 'Human alignment 50 %'. */
    label: z.string(),
    preset: z.string(),
    alignment: z.number(),
    dataRatio: z.number(),
    randomAlignment: z.boolean(),
  })
  .strict();

export const runReportSchema = z
  .object({
    runId: z.number().int(),
    /** null when the run's stored config cannot be read by this build. */
    condition: runConditionSchema.nullable(),
    seed: z.number().int(),
    status: z.string(),
    backend: z.string().nullable(),
    device: z.string().nullable(),
    /** Validation AUC of the best epoch (the runs table's). */
    valAuc: nullableNumber,
    /** Test AUC of the best checkpoint over all its test images (the runs table's). */
    testAuc: nullableNumber,
    /** 0-based, as the runs table holds it. */
    bestEpoch: z.number().int().nullable(),
    lastEpoch: z.number().int().nullable(),
    seconds: nullableNumber,
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    /** Per out-of-domain test source, for the report's finding (empty for a run that did not finish). */
    sources: z.array(runSourceReportSchema),
  })
  .strict();
export type RunReport = z.infer<typeof runReportSchema>;

export const figureEntrySchema = z
  .object({
    /** 'table2', or the figure and the source: 'fig3-summit'. */
    id: z.string(),
    title: z.string(),
    /** The out-of-domain source drawn; null for Table 2 (every source). */
    source: z.string().nullable(),
    /** The SVG and PNG written, or empty when the figure's conditions are missing. */
    files: z.array(z.string()),
    /** What the figure needs when it could not be drawn; else a remark of the builder, or null. */
    note: z.string().nullable(),
  })
  .strict();

export const galleryEntrySchema = z
  .object({
    runId: z.number().int(),
    label: z.string(),
    /** Panels written (each an SVG and a PNG), in order. */
    panels: z.array(
      z
        .object({
          svg: z.string(),
          png: z.string(),
          pseudonym: z.string(),
          source: z.string(),
          hit: z.union([z.literal(0), z.literal(1)]).nullable(),
        })
        .strict(),
    ),
  })
  .strict();

export const studyReportSummarySchema = z
  .object({
    format: z.literal('aligner-study-report'),
    formatVersion: z.literal(1),
    generatedAt: z.string(),
    app: z.object({ name: z.string(), version: z.string() }).strict(),
    study: z
      .object({
        id: z.number().int(),
        name: z.string(),
        createdAt: z.string(),
        /** The study's config as stored (JSON); null when the stored text is not JSON. */
        config: z.unknown(),
      })
      .strict(),
    finding: z.string(),
    ageThreshold: z.number().int(),
    threshold: z.number(),
    /** Distinct compute backends and devices of the study's runs. */
    backends: z.array(z.string()),
    devices: z.array(z.string()),
    seeds: z.array(z.number().int()),
    runs: z.array(runReportSchema),
    /** The Fairness summary of the study for the finding: conditions, mean ± std over seeds. */
    aggregates: fairnessSummarySchema,
    figures: z.array(figureEntrySchema),
    gallery: z.array(galleryEntrySchema),
    /** Always true: pseudonyms only; no patient names or ids, birth dates, SOP UIDs or file names. */
    deidentified: z.literal(true),
  })
  .strict();
export type StudyReportSummary = z.infer<typeof studyReportSummarySchema>;
