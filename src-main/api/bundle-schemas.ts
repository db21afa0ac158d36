/**
 * The reproducibility bundle of a study (issue 8): one `.tar.gz` with the study file, the split membership
 * (image keys per source, split and run subset), seeds, app version and the runs' results, from which
 * `aligner study run --bundle FILE` re-runs the study on another workstation holding the same images.
 * Renderer-safe: zod only.
 *
 * An image is named by its **key**: the SHA-256 (hex) of its file as imported — the same on every workstation
 * that imported the same file, and telling nothing about the patient to anyone who does not hold the file.
 * Sources are named as in the bundling workspace; on another workstation they are found by their images.
 */
import { z } from 'zod';
import { hostPath } from './host-path-schemas';
import { studyConfigSchema } from './study-schemas';

export const bundleFormat = 'aligner-study-bundle';
export const bundleVersion = 1;

/** The archive's files, in archive order. */
export const bundleFiles = [
  'bundle.json',
  'study.json',
  'images.csv',
  'subsets.csv',
  'regions.json',
  'README.txt',
] as const;
export type BundleFile = (typeof bundleFiles)[number];

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 is 64 lowercase hex digits');
export const imageKeySchema = sha256Hex;

export const bundleSplitSchema = z.enum(['train', 'validation', 'test']);
export type BundleSplit = z.infer<typeof bundleSplitSchema>;

const bundleSourceSchema = z
  .object({
    name: z.string().min(1),
    split: bundleSplitSchema,
    images: z.number().int().nonnegative(),
    /** Images positive for the study's finding. */
    positives: z.number().int().nonnegative(),
    /** Training sources: images whose regions set a pixel of the mask (at the study's mask size). */
    annotated: z.number().int().nonnegative(),
  })
  .strict();

const bundleRunSchema = z
  .object({
    /** 0-based position in the study's queue (expandStudy's order). */
    index: z.number().int().nonnegative(),
    level: z.number().min(0).max(1),
    seed: z.number().int().nonnegative(),
    dataRatio: z.number().gt(0).max(1),
    randomAlignment: z.boolean(),
    status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
    backend: z.string().nullable(),
    device: z.string().nullable(),
    bestEpoch: z.number().int().nullable(),
    valAuc: z.number().nullable(),
    testAuc: z.number().nullable(),
    /** The run's training images (after the data ratio) and how many of them are aligned. */
    trainImages: z.number().int().nonnegative(),
    alignedImages: z.number().int().nonnegative(),
    /** SHA-256 of the run's test predictions, one `key,finding,score` line each in key order; null before done. */
    predictionsSha256: sha256Hex.nullable(),
  })
  .strict();
export type BundleRun = z.infer<typeof bundleRunSchema>;

export const bundleManifestSchema = z
  .object({
    format: z.literal(bundleFormat),
    version: z.literal(bundleVersion),
    createdAt: z.string(),
    appVersion: z.string().min(1),
    study: z.object({ id: z.number().int().positive(), config: studyConfigSchema }).strict(),
    /** R: the side the training masks (whose digests images.csv holds) are rasterised at. */
    maskSize: z.number().int().positive(),
    sources: z.array(bundleSourceSchema).min(1),
    runs: z.array(bundleRunSchema),
    /** SHA-256 of every other file of the archive. */
    files: z.record(z.string(), sha256Hex),
  })
  .strict();
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/** One line of images.csv. */
export interface BundleImage {
  readonly key: string;
  readonly source: string;
  readonly split: BundleSplit;
  /** The study finding's label: 1, 0 or null (none). */
  readonly label: 0 | 1 | null;
  /** Training images: SHA-256 of the R×R mask (0/1 bytes) the trainer sees; null when no region sets a pixel. */
  readonly maskSha256: string | null;
}

/** regions.json: the training images' live regions for the finding, readers pseudonymised, oldest first. */
export const bundleRegionsSchema = z
  .object({
    finding: z.string(),
    images: z.record(
      imageKeySchema,
      z.array(z.object({ reader: z.string().min(1).max(80), geometry: z.unknown() }).strict()),
    ),
  })
  .strict();
export type BundleRegions = z.infer<typeof bundleRegionsSchema>;

// ---------------------------------------------------------------- the API call

export const studyBundleInputSchema = z
  .object({
    studyId: z.number().int().positive(),
    /** The archive to write on the host (`….tar.gz`); replaced when it exists. */
    outFile: hostPath('outFile'),
  })
  .strict();
export type StudyBundleInput = z.output<typeof studyBundleInputSchema>;

export const studyBundleResultSchema = z
  .object({
    studyId: z.number().int(),
    outFile: z.string(),
    bytes: z.number().int().nonnegative(),
    images: z.number().int().nonnegative(),
    runs: z.number().int().nonnegative(),
    /** Regions carried in regions.json. */
    regions: z.number().int().nonnegative(),
    seconds: z.number().nonnegative(),
  })
  .strict();
export type StudyBundleResult = z.infer<typeof studyBundleResultSchema>;

// ---------------------------------------------------------------- re-running a bundle (Runs / Studies view)

const sourceMatchSchema = z.object({ bundle: z.string(), local: z.string() }).strict();
const regionCountSchema = z
  .object({ regions: z.number().int().nonnegative(), images: z.number().int().nonnegative() })
  .strict();

export const bundleCheckInputSchema = z
  .object({
    /** The bundle (`….tar.gz`) on the host. */
    file: hostPath('file'),
    /** Count the bundle's regions that training images without regions here would take (nothing is stored). */
    importRegions: z.boolean().default(false),
  })
  .strict();

export const bundleCheckResultSchema = z
  .object({
    /** True when the study can be re-run here as it is. */
    ok: z.boolean(),
    /** Everything that stands in the way, one line each. */
    problems: z.array(z.string()),
    warnings: z.array(z.string()),
    study: z
      .object({
        name: z.string(),
        finding: z.string(),
        runs: z.number().int().nonnegative(),
        images: z.number().int().nonnegative(),
        appVersion: z.string(),
        createdAt: z.string(),
      })
      .strict(),
    /** Bundle source → source here (empty when the images were not found). */
    sources: z.array(sourceMatchSchema),
    /** With `importRegions`: what the re-run would add. */
    regionsToImport: regionCountSchema,
  })
  .strict();
export type BundleCheckResult = z.infer<typeof bundleCheckResultSchema>;

export const studyFromBundleInputSchema = z
  .object({
    file: hostPath('file'),
    importRegions: z.boolean().default(false),
    concurrency: z.number().int().min(1).max(16).default(1),
  })
  .strict();

export const studyFromBundleResultSchema = z
  .object({
    studyId: z.number().int(),
    sources: z.array(sourceMatchSchema),
    regionsImported: regionCountSchema,
    warnings: z.array(z.string()),
  })
  .strict();
