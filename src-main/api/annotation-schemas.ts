/**
 * Geometry of an attention region, in image pixel coordinates (x right, y
 * down, the image's top-left pixel covers [0,1)×[0,1)). Zoom and pan never
 * touch it. Renderer-safe: zod only.
 */
import { z } from 'zod';
import { findingSchema as findingId, sexSchema, sourceRoleSchema } from './library-schemas';

const coordinate = z.number().finite();
const point = z.tuple([coordinate, coordinate]);
const length = z.number().finite().positive();
/** The most vertices one region may carry (a freehand lasso samples a few per screen pixel). */
export const maxRegionPoints = 20_000;
const points = (min: number) => z.array(point).min(min).max(maxRegionPoints);

export const regionGeometrySchema = z.discriminatedUnion('kind', [
  /** A closed polygon (freehand lasso or clicked vertices), even-odd filled. */
  z.object({ kind: z.literal('polygon'), points: points(3) }).strict(),
  /** An axis-aligned rectangle. */
  z.object({ kind: z.literal('rect'), x: coordinate, y: coordinate, width: length, height: length }).strict(),
  /** An ellipse with centre, radii and a rotation in degrees (clockwise on screen). */
  z
    .object({
      kind: z.literal('ellipse'),
      cx: coordinate,
      cy: coordinate,
      rx: length,
      ry: length,
      rotation: z.number().finite().default(0),
    })
    .strict(),
  /**
   * A brush stroke: every point within `radius` of the path (a chain of
   * capsules). `erase: true` removes those pixels from the regions drawn
   * before it (the eraser).
   */
  z
    .object({
      kind: z.literal('stroke'),
      points: points(1),
      radius: length,
      erase: z.boolean().default(false),
    })
    .strict(),
]);
export type RegionGeometry = z.output<typeof regionGeometrySchema>;

// ---------------------------------------------------------------- annotation calls

export const annotatorNameSchema = z
  .string()
  .trim()
  .min(1, 'an annotator needs a name')
  .max(80)
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20), 'control characters are not allowed in a name');

export const annotatorSchema = z
  .object({
    name: z.string(),
    /** Chosen in the app (a person who draws), rather than only found on imported regions. */
    registered: z.boolean(),
    regions: z.number().int().nonnegative(),
  })
  .strict();
export const annotatorListSchema = z.object({ annotators: z.array(annotatorSchema) }).strict();

export const regionSchema = z
  .object({
    id: z.number().int(),
    imageId: z.number().int(),
    finding: z.string(),
    annotator: z.string(),
    geometry: regionGeometrySchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strict();
export type Region = z.output<typeof regionSchema>;

/** Whether the image's history (for one annotator) has something to undo or redo. */
export const historyStateSchema = z.object({ canUndo: z.boolean(), canRedo: z.boolean() }).strict();
export type HistoryState = z.infer<typeof historyStateSchema>;

export const findingFlagsSchema = z
  .object({ finding: z.string(), noFinding: z.boolean(), uncertain: z.boolean(), updatedAt: z.string() })
  .strict();
export type FindingFlags = z.infer<typeof findingFlagsSchema>;

export const annotateImageSchema = z
  .object({
    image: z
      .object({
        id: z.number().int(),
        name: z.string(),
        source: z.string(),
        role: sourceRoleSchema,
        format: z.enum(['dicom', 'png', 'jpeg']),
        rows: z.number().int().positive(),
        cols: z.number().int().positive(),
        sex: sexSchema,
        age: z.number().nullable(),
        pseudonym: z.string().nullable(),
        sopInstanceUid: z.string().nullable(),
        photometric: z.string().nullable(),
        /** Pixel spacing in mm (row, column), when the file says. */
        pixelSpacing: z.tuple([z.number(), z.number()]).nullable(),
        labels: z.partialRecord(findingId, z.union([z.literal(0), z.literal(1)])),
      })
      .strict(),
    /** Every live region of the image, all annotators, oldest first. */
    regions: z.array(regionSchema),
    /** The annotator's flags per finding (only findings that have a row). */
    flags: z.array(findingFlagsSchema),
    note: z.string(),
    activeSeconds: z.number().nonnegative(),
    history: historyStateSchema,
  })
  .strict();
export type AnnotateImage = z.output<typeof annotateImageSchema>;

const imageRef = z.object({ imageId: z.number().int().positive(), annotator: annotatorNameSchema });

export const regionCreateInputSchema = imageRef.extend({ finding: findingId, geometry: regionGeometrySchema }).strict();
export const regionUpdateInputSchema = z
  .object({ id: z.number().int().positive(), annotator: annotatorNameSchema, geometry: regionGeometrySchema })
  .strict();
export const regionDeleteInputSchema = z
  .object({ id: z.number().int().positive(), annotator: annotatorNameSchema })
  .strict();
export const regionSavedSchema = z.object({ region: regionSchema, history: historyStateSchema }).strict();
export const regionDeletedSchema = z.object({ id: z.number().int(), history: historyStateSchema }).strict();

export const historyStepInputSchema = imageRef.strict();
export const historyStepSchema = z
  .object({
    /** What was reverted or re-applied; null when there was nothing to do. */
    applied: z
      .object({ action: z.enum(['create', 'update', 'delete']), annotationId: z.number().int() })
      .strict()
      .nullable(),
    regions: z.array(regionSchema),
    history: historyStateSchema,
  })
  .strict();

export const findingFlagInputSchema = imageRef
  .extend({ finding: findingId, noFinding: z.boolean(), uncertain: z.boolean() })
  .strict();
export const noteInputSchema = imageRef.extend({ note: z.string().max(20_000) }).strict();
export const activityInputSchema = imageRef
  .extend({ seconds: z.number().finite().positive().max(600, 'report active time at least every 10 minutes') })
  .strict();

export const nextToAnnotateInputSchema = z
  .object({
    finding: findingId,
    annotator: annotatorNameSchema,
    /** Start after this image (by id), wrapping around; omit to start at the first. */
    afterImageId: z.number().int().nonnegative().optional(),
  })
  .strict();
export const nextToAnnotateSchema = z
  .object({ imageId: z.number().int().nullable(), remaining: z.number().int().nonnegative() })
  .strict();

// ---------------------------------------------------------------- progress and agreement

export const progressInputSchema = z.object({ annotator: annotatorNameSchema.optional() }).strict();
export const progressReportSchema = z
  .object({
    annotator: z.string().nullable(),
    trainingImages: z.number().int().nonnegative(),
    findings: z
      .array(
        z
          .object({
            finding: z.string(),
            positives: z.number().int().nonnegative(),
            annotated: z.number().int().nonnegative(),
            levels: z
              .array(
                z
                  .object({
                    level: z.number(),
                    needed: z.number().int().nonnegative(),
                    remaining: z.number().int().nonnegative(),
                  })
                  .strict(),
              )
              .readonly(),
          })
          .strict(),
      )
      .readonly(),
  })
  .strict();
export type ProgressReportValue = z.infer<typeof progressReportSchema>;

export const agreementInputSchema = z
  .object({
    annotatorA: annotatorNameSchema,
    annotatorB: annotatorNameSchema,
    finding: findingId.optional(),
    /** One image (the Annotate view), or every image both could have annotated. */
    imageId: z.number().int().positive().optional(),
    maxSide: z.number().int().min(16).max(8192).optional(),
  })
  .strict();

const overlap = {
  pixelsA: z.number().int().nonnegative(),
  pixelsB: z.number().int().nonnegative(),
  intersection: z.number().int().nonnegative(),
  union: z.number().int().nonnegative(),
  dice: z.number(),
  iou: z.number(),
};
export const agreementReportSchema = z
  .object({
    annotatorA: z.string(),
    annotatorB: z.string(),
    finding: z.string().nullable(),
    maxSide: z.number().int(),
    pairs: z
      .array(
        z
          .object({
            ...overlap,
            imageId: z.number().int(),
            finding: z.string(),
            maskSize: z.object({ width: z.number().int(), height: z.number().int() }).strict(),
            onlyAnnotated: z.enum(['A', 'B']).nullable(),
          })
          .strict(),
      )
      .readonly(),
    overall: z
      .object({
        pairs: z.number().int().nonnegative(),
        bothAnnotated: z.number().int().nonnegative(),
        meanDice: z.number().nullable(),
        meanIou: z.number().nullable(),
        pooledDice: z.number().nullable(),
        pooledIou: z.number().nullable(),
      })
      .strict(),
  })
  .strict();
export type AgreementReportValue = z.infer<typeof agreementReportSchema>;

export const imageAttentionSchema = z
  .object({
    runId: z.number().int().nullable(),
    items: z.array(
      z
        .object({
          finding: z.string(),
          score: z.number(),
          grid: z.number().int().positive(),
          attention: z.array(z.number()),
          peak: z.object({ x: z.number().int(), y: z.number().int() }).strict(),
          hit: z.union([z.literal(0), z.literal(1)]).nullable(),
          against: z.string().nullable(),
        })
        .strict(),
    ),
  })
  .strict();
