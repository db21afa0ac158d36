/**
 * What the Fairness view asks for and receives (issue 7): the finished runs of a
 * workspace (or of one study) evaluated on their out-of-domain test sources,
 * grouped into *conditions* (one alignment level × data ratio × ablation ×
 * preset) and summarised over their seeds. Renderer-safe: zod only.
 *
 * Units: every metric, gap and hit rate is a fraction in [0, 1] (a gap is best
 * minus worst subgroup, also a fraction); the views convert to the paper's units
 * (accuracy, sensitivity, F1 in %, AUC × 100).
 */
import { z } from 'zod';
import { regionGeometrySchema } from './annotation-schemas';
import { findingSchema } from './library-schemas';

export const fairnessQuerySchema = z
  .object({
    /** Default: the first finding that has evaluated runs. */
    finding: findingSchema.optional(),
    /** Only the runs of this study; null: every finished run of the workspace. */
    studyId: z.number().int().nullable().default(null),
    /** Age is binarised into `<T` and `>=T`. */
    ageThreshold: z.number().int().min(1).max(120).default(60),
    /** A score >= threshold is a positive call. */
    threshold: z.number().min(0).max(1).default(0.5),
  })
  .strict();
export type FairnessQuery = z.output<typeof fairnessQuerySchema>;
export type FairnessQueryInput = z.input<typeof fairnessQuerySchema>;

/** One quantity over the seeds of a condition: mean, sample std (n − 1; null below 2) and how many runs had it. */
export const seedSummarySchema = z
  .object({ mean: z.number().nullable(), std: z.number().nullable(), n: z.number().int().nonnegative() })
  .strict();
export type SeedSummary = z.infer<typeof seedSummarySchema>;

export const performanceNames = ['auc', 'accuracy', 'f1', 'sensitivity', 'specificity'] as const;
export const performanceSummarySchema = z
  .object({
    auc: seedSummarySchema,
    accuracy: seedSummarySchema,
    f1: seedSummarySchema,
    sensitivity: seedSummarySchema,
    specificity: seedSummarySchema,
  })
  .strict();
export type PerformanceSummary = z.infer<typeof performanceSummarySchema>;

export const subgroupSummarySchema = z
  .object({
    /** e.g. 'F', 'M', '<60', '>=60'. */
    value: z.string(),
    /** Images of this subgroup in the test source (the same for every seed). */
    n: z.number().int().nonnegative(),
    positives: z.number().int().nonnegative(),
    performance: performanceSummarySchema,
    /** Pointing-game hit rate over this subgroup's positive, annotated images. */
    hitRate: seedSummarySchema,
  })
  .strict();

export const attributeSummarySchema = z
  .object({
    /** 'sex', 'age' or another categorical attribute of the images. */
    attribute: z.string(),
    /** Best minus worst subgroup of each metric, and the worst subgroup's AUC. */
    gaps: performanceSummarySchema.extend({ worstGroupAuc: seedSummarySchema }).strict(),
    /** Best minus worst subgroup hit rate. */
    hitRateGap: seedSummarySchema,
    groups: z.array(subgroupSummarySchema),
  })
  .strict();
export type AttributeSummary = z.infer<typeof attributeSummarySchema>;

export const sourceSummarySchema = z
  .object({
    /** An out-of-domain test source. */
    source: z.string(),
    n: z.number().int().nonnegative(),
    positives: z.number().int().nonnegative(),
    performance: performanceSummarySchema,
    /** Pointing game (CheXlocalize) over the positive, annotated test images. */
    hitRate: seedSummarySchema,
    /** Mean IoU of the min-max normalised, Otsu-thresholded map with the human mask. */
    miou: seedSummarySchema,
    attributes: z.array(attributeSummarySchema),
  })
  .strict();
export type SourceSummary = z.infer<typeof sourceSummarySchema>;

export const conditionSummarySchema = z
  .object({
    /** Stable identity of the condition, e.g. 'micro|a=0.5|r=1|random=0'. */
    key: z.string(),
    preset: z.string(),
    alignment: z.number().min(0).max(1),
    dataRatio: z.number().gt(0).max(1),
    randomAlignment: z.boolean(),
    runIds: z.array(z.number().int()),
    seeds: z.array(z.number().int()),
    sources: z.array(sourceSummarySchema),
  })
  .strict();
export type ConditionSummary = z.infer<typeof conditionSummarySchema>;

export const fairnessSummarySchema = z
  .object({
    /** null when no finished run has predictions. */
    finding: findingSchema.nullable(),
    /** Findings that have evaluated runs (for the view's picker). */
    findings: z.array(findingSchema),
    studyId: z.number().int().nullable(),
    ageThreshold: z.number().int(),
    threshold: z.number(),
    /** Ordered by preset, random ablation, data ratio, alignment. */
    conditions: z.array(conditionSummarySchema),
    /** Finished runs left out, and why (e.g. no test predictions). */
    skipped: z.array(z.object({ runId: z.number().int(), reason: z.string() }).strict()),
  })
  .strict();
export type FairnessSummary = z.infer<typeof fairnessSummarySchema>;

export const attentionGalleryQuerySchema = z
  .object({
    runId: z.number().int(),
    finding: findingSchema,
    /** Default: every test source of the run. */
    source: z.string().optional(),
    /** Only images of this subgroup, e.g. { attribute: 'sex', value: 'F' }. */
    group: z.object({ attribute: z.string(), value: z.string() }).strict().optional(),
    outcome: z.enum(['all', 'hit', 'miss']).default('all'),
    ageThreshold: z.number().int().min(1).max(120).default(60),
    limit: z.number().int().min(1).max(200).default(24),
    offset: z.number().int().min(0).default(0),
  })
  .strict();
export type AttentionGalleryQuery = z.output<typeof attentionGalleryQuerySchema>;
export type AttentionGalleryQueryInput = z.input<typeof attentionGalleryQuerySchema>;

export const attentionGalleryItemSchema = z
  .object({
    imageId: z.number().int(),
    /** Pseudonym only: the gallery is shown and exported de-identified. */
    pseudonym: z.string(),
    source: z.string(),
    /** Every grouping attribute's value for this image, e.g. { sex: 'F', age: '>=60' }; '' when unknown. */
    groups: z.record(z.string(), z.string()),
    label: z.union([z.literal(0), z.literal(1)]),
    score: z.number(),
    columns: z.number().int().positive(),
    rows: z.number().int().positive(),
    /** The image at model resolution as a PNG data URL. */
    thumbnail: z.string(),
    grid: z.number().int().positive(),
    /** [grid × grid] row-major, min-max normalised to [0, 1]. */
    attention: z.array(z.number()),
    /** The peak of the bilinearly upsampled map, in image pixels. */
    peak: z.object({ x: z.number().int(), y: z.number().int() }).strict(),
    /** 1 when the peak falls in the human region, 0 when not, null when the image has no human region. */
    hit: z.union([z.literal(0), z.literal(1)]).nullable(),
    /** The human regions the hit is scored against (image coordinates). */
    regions: z.array(regionGeometrySchema),
  })
  .strict();
export type AttentionGalleryItem = z.infer<typeof attentionGalleryItemSchema>;

export const attentionGallerySchema = z
  .object({
    total: z.number().int().nonnegative(),
    items: z.array(attentionGalleryItemSchema),
  })
  .strict();
export type AttentionGallery = z.infer<typeof attentionGallerySchema>;
