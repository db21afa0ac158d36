/**
 * The one API contract between the renderer and the core services.
 *
 * Every call has a name, a zod schema for its input and for its output; every
 * event a schema for its payload. The Electron IPC registration, the preload's
 * `window.workstation`, the browser host's HTTP/WebSocket routes and the
 * renderer's client are all generated from these two tables. This file must
 * stay importable by the renderer: zod only, no Node modules.
 */
import {
  attentionGalleryQuerySchema,
  attentionGallerySchema,
  fairnessQuerySchema,
  fairnessSummarySchema,
} from './fairness-schemas';
import { z } from 'zod';
import {
  exportModelInputSchema,
  exportPredictionsInputSchema,
  modelExportSummarySchema,
  predictionsExportSummarySchema,
} from './export-schemas';
import { studyReportInputSchema, studyReportResultSchema } from './report-schemas';
import {
  bundleCheckInputSchema,
  bundleCheckResultSchema,
  studyBundleInputSchema,
  studyBundleResultSchema,
  studyFromBundleInputSchema,
  studyFromBundleResultSchema,
} from './bundle-schemas';
import {
  demoFinishedSchema,
  demoProgressSchema,
  importFinishedSchema,
  importProgressSchema,
  importStartInputSchema,
  sourceSchema,
  thumbnailsSchema,
  worklistPageSchema,
  worklistQuerySchema,
} from './library-schemas';
import {
  activityInputSchema,
  agreementInputSchema,
  agreementReportSchema,
  progressInputSchema,
  progressReportSchema,
  annotateImageSchema,
  annotatorListSchema,
  annotatorNameSchema,
  findingFlagInputSchema,
  findingFlagsSchema,
  historyStepInputSchema,
  historyStepSchema,
  imageAttentionSchema,
  nextToAnnotateInputSchema,
  nextToAnnotateSchema,
  noteInputSchema,
  regionCreateInputSchema,
  regionDeleteInputSchema,
  regionDeletedSchema,
  regionSavedSchema,
  regionUpdateInputSchema,
} from './annotation-schemas';
import {
  runDetailSchema,
  runSummarySchema,
  trainConfigSchema,
  trainEventSchema,
  trainPlanInputSchema,
  trainPlanSchema,
} from './training-schemas';
import { imagePixelsMetaSchema } from './viewer-schemas';
import {
  studyCreateInputSchema,
  studyDetailSchema,
  studyEventSchema,
  studySummarySchema,
  studyValidationSchema,
} from './study-schemas';

// ---------------------------------------------------------------- shared shapes

export const backendNameSchema = z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
export const backendPreferenceSchema = z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);

export const backendAttemptSchema = z
  .object({
    backend: backendNameSchema,
    ok: z.boolean(),
    /** Why the backend was skipped; null when it was chosen. */
    reason: z.string().nullable(),
    /** Time spent trying it, in milliseconds. */
    ms: z.number().nonnegative(),
  })
  .strict();
export type BackendAttempt = z.infer<typeof backendAttemptSchema>;

export const backendReportSchema = z
  .object({
    requested: backendPreferenceSchema,
    /** The backend in use, or null when none of the requested ones works. */
    chosen: backendNameSchema.nullable(),
    device: z.string().nullable(),
    tfjsVersion: z.string().nullable(),
    /** Rate of a 256×256 float32 matmul on the chosen backend (a speed hint, not a benchmark). */
    matmulGflops: z.number().nullable(),
    attempts: z.array(backendAttemptSchema),
  })
  .strict();
export type BackendReport = z.infer<typeof backendReportSchema>;

export const workspaceInfoSchema = z
  .object({
    path: z.string(),
    schemaVersion: z.number().int().nonnegative(),
    supportedSchemaVersion: z.number().int().positive(),
    createdAt: z.string().nullable(),
    sizeBytes: z.number().int().nonnegative(),
    counts: z
      .object({
        sources: z.number().int().nonnegative(),
        images: z.number().int().nonnegative(),
        annotations: z.number().int().nonnegative(),
        studies: z.number().int().nonnegative(),
        runs: z.number().int().nonnegative(),
      })
      .strict(),
  })
  .strict();
export type WorkspaceInfo = z.infer<typeof workspaceInfoSchema>;

export const appInfoSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    /** Which host serves the API: the Electron shell or the browser host. */
    host: z.enum(['electron', 'browser', 'cli']),
    platform: z.string(),
    node: z.string(),
    electron: z.string().nullable(),
    userDataDir: z.string(),
  })
  .strict();
export type AppInfo = z.infer<typeof appInfoSchema>;

const noInput = z.object({}).strict();

// ---------------------------------------------------------------- calls

interface CallSpec<I extends z.ZodType, O extends z.ZodType> {
  readonly input: I;
  readonly output: O;
  readonly summary: string;
}

function call<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, summary: string): CallSpec<I, O> {
  return { input, output, summary };
}

export const calls = {
  appInfo: call(noInput, appInfoSchema, 'Name, version and host of the running app.'),
  workspaceInfo: call(noInput, workspaceInfoSchema, 'Path, schema version and counts of the open workspace.'),
  workspaceOpen: call(
    z.object({ path: z.string().trim().min(1, 'path must not be empty') }).strict(),
    workspaceInfoSchema,
    'Open (or create) the workspace database at a path and make it the current one; remembered for the next start.',
  ),
  backendProbe: call(
    z.object({ preference: backendPreferenceSchema.default('auto'), refresh: z.boolean().default(false) }).strict(),
    backendReportSchema,
    'The compute backend in use: which was chosen, on what device, and why better ones were skipped.',
  ),
  sourcesList: call(
    noInput,
    z.array(sourceSchema),
    'Sources (sites, datasets) of the workspace with their role and image count.',
  ),
  importStart: call(
    importStartInputSchema,
    z.object({ jobId: z.string() }).strict(),
    'Start importing files and folders (on the host machine) into a source; progress and the summary arrive as events.',
  ),
  importCancel: call(
    z.object({ jobId: z.string().min(1) }).strict(),
    z.object({ cancelled: z.boolean() }).strict(),
    'Cancel a running import between two files; what was imported stays.',
  ),
  demoBuild: call(
    noInput,
    z.object({ started: z.literal(true) }).strict(),
    'Build the demo workspace (simulated sites imported through the normal path) in the background.',
  ),
  demoCancel: call(noInput, z.object({ cancelled: z.boolean() }).strict(), 'Stop building the demo workspace.'),
  pickPaths: call(
    z.object({ kind: z.enum(['files', 'folders']), title: z.string().max(200).optional() }).strict(),
    z.object({ paths: z.array(z.string()) }).strict(),
    'Ask the user for files or folders with the desktop dialog (Electron only; the browser host answers unavailable).',
  ),
  worklistQuery: call(worklistQuerySchema, worklistPageSchema, 'One page of the worklist, filtered and sorted.'),
  thumbnails: call(
    z.object({ ids: z.array(z.number().int()).max(500) }).strict(),
    thumbnailsSchema,
    'Worklist thumbnails (PNG data URLs) of the given images.',
  ),
  annotatorsList: call(noInput, annotatorListSchema, 'Registered annotators and every name found on regions.'),
  annotatorAdd: call(
    z.object({ name: annotatorNameSchema }).strict(),
    annotatorListSchema,
    'Register a person who draws (harmless when already registered).',
  ),
  annotateOpen: call(
    z.object({ imageId: z.number().int().positive(), annotator: annotatorNameSchema }).strict(),
    annotateImageSchema,
    "An image's facts, all live regions, and this annotator's flags, note, time and undo state.",
  ),
  regionCreate: call(
    regionCreateInputSchema,
    regionSavedSchema,
    'Save a new region (image pixel coordinates); answers after the transaction committed.',
  ),
  regionUpdate: call(
    regionUpdateInputSchema,
    regionSavedSchema,
    "Replace one of the annotator's own regions (move, reshape); answers after the commit.",
  ),
  regionDelete: call(
    regionDeleteInputSchema,
    regionDeletedSchema,
    "Soft-delete one of the annotator's own regions; undo brings it back.",
  ),
  annotationUndo: call(
    historyStepInputSchema,
    historyStepSchema,
    "Revert the annotator's newest edit on the image (the history survives restarts).",
  ),
  annotationRedo: call(historyStepInputSchema, historyStepSchema, 'Re-apply the edit undone last.'),
  findingFlagSet: call(
    findingFlagInputSchema,
    z.array(findingFlagsSchema),
    'Set the "no visible finding" and "uncertain" flags of one finding on one image.',
  ),
  readNoteSet: call(
    noteInputSchema,
    z.object({ note: z.string(), activeSeconds: z.number() }).strict(),
    "Save the annotator's free-text note on the image.",
  ),
  readActivity: call(
    activityInputSchema,
    z.object({ note: z.string(), activeSeconds: z.number() }).strict(),
    'Add active reading time (seconds) to the image for the annotator.',
  ),
  nextToAnnotate: call(
    nextToAnnotateInputSchema,
    nextToAnnotateSchema,
    'The next training image positive for a finding that this annotator has not drawn (nor marked "no visible finding").',
  ),
  annotationProgress: call(
    progressInputSchema,
    progressReportSchema,
    'Per finding: positive training images, how many carry a region, and how many more each alignment level (25/50/75/100 %) needs.',
  ),
  annotationAgreement: call(
    agreementInputSchema,
    agreementReportSchema,
    "Dice and IoU between two annotators' regions, per image and finding and overall.",
  ),
  imageAttention: call(
    z.object({ imageId: z.number().int().positive(), annotator: annotatorNameSchema.optional() }).strict(),
    imageAttentionSchema,
    "The model's attention on an image (newest finished run that scored it): map, peak, and hit or miss against the human region.",
  ),
  trainPlan: call(
    trainPlanInputSchema,
    trainPlanSchema,
    'How many annotated positives an alignment fraction needs versus how many exist, per level.',
  ),
  trainStart: call(
    trainConfigSchema,
    z.object({ runId: z.number().int() }).strict(),
    'Start a training run in a trainer process; progress arrives as train events and in runsList/runGet.',
  ),
  trainCancel: call(
    z.object({ runId: z.number().int().positive() }).strict(),
    z.object({ cancelled: z.boolean() }).strict(),
    'Stop a run after its current step; its last checkpoint stays for a resume.',
  ),
  trainResume: call(
    z.object({ runId: z.number().int().positive() }).strict(),
    z.object({ runId: z.number().int() }).strict(),
    'Continue a stopped, failed or cancelled run from its last checkpoint.',
  ),
  runsList: call(noInput, z.array(runSummarySchema), 'Every training run of the workspace, newest first.'),
  runGet: call(
    z.object({ runId: z.number().int().positive() }).strict(),
    runDetailSchema,
    'One run with its per-epoch losses and validation AUC.',
  ),
  exportModel: call(
    exportModelInputSchema,
    modelExportSummarySchema,
    "Write a finished run's best model as a TensorFlow.js folder (model.json, weights.bin, metadata.json) on the host; other files there stay.",
  ),
  exportPredictions: call(
    exportPredictionsInputSchema,
    predictionsExportSummarySchema,
    "Write a finished run's test predictions for one finding as a de-identified CSV for `aligner metrics` on the host.",
  ),
  // ------------------------------------------------------------ studies (issue 8)
  studyValidate: call(
    z.object({ config: z.unknown(), estimate: z.boolean().default(false) }).strict(),
    studyValidationSchema,
    'Check a study file against the schema and the workspace (every problem, one line each); with estimate, time the preset on its backend and estimate the total.',
  ),
  studyCreate: call(
    studyCreateInputSchema,
    z.object({ studyId: z.number().int() }).strict(),
    'Validate and time a study, queue all its runs, and start training them one after another; progress arrives as study events.',
  ),
  studiesList: call(
    noInput,
    z.array(studySummarySchema),
    'Every study of the workspace with its progress and ETA, newest first.',
  ),
  studyGet: call(
    z.object({ studyId: z.number().int().positive() }).strict(),
    studyDetailSchema,
    'One study with its runs in queue order (level, seed, data ratio, arm, status, results).',
  ),
  studyPause: call(
    z.object({ studyId: z.number().int().positive() }).strict(),
    studySummarySchema,
    'Finish the run in training and take no new one.',
  ),
  studyResume: call(
    z.object({ studyId: z.number().int().positive() }).strict(),
    studySummarySchema,
    'Take runs again: interrupted and cancelled runs are queued again and continue from their last checkpoint.',
  ),
  studyCancel: call(
    z.object({ studyId: z.number().int().positive() }).strict(),
    studySummarySchema,
    'Stop the run in training after its current step and mark every run left cancelled.',
  ),
  runRetry: call(
    z.object({ runId: z.number().int().positive() }).strict(),
    z.object({ runId: z.number().int(), studyId: z.number().int() }).strict(),
    'Put a failed or cancelled run of a study back in its queue (it continues from its last checkpoint).',
  ),
  // ------------------------------------------------------------ end of studies
  fairnessSummary: call(
    fairnessQuerySchema,
    fairnessSummarySchema,
    'Finished runs evaluated on their out-of-domain sources: per condition (alignment, data ratio, ablation) and source, performance, subgroup metrics, fairness gaps and hit rate, mean ± std over seeds.',
  ),
  attentionGallery: call(
    attentionGalleryQuerySchema,
    attentionGallerySchema,
    "One run's test images with the human region and the model's attention side by side, hit or miss, filterable by subgroup.",
  ),
  // ---- study report (issue 8)
  studyReport: call(
    studyReportInputSchema,
    studyReportResultSchema,
    "Write a study's report folder on the host: summary.json, CSV tables, Table 2 and the figures (SVG, PNG), attention gallery and a self-contained report.html; de-identified.",
  ),
  studyBundle: call(
    studyBundleInputSchema,
    studyBundleResultSchema,
    "Write a study's reproducibility bundle (.tar.gz) on the host: the study file, split membership by image SHA-256, seeds, app version, regions and results; `aligner study run --bundle FILE` re-runs it elsewhere.",
  ),
  bundleCheck: call(
    bundleCheckInputSchema,
    bundleCheckResultSchema,
    "What re-running a bundle here would find: its study, the sources that hold its images, every difference (labels, regions, subsets) and, with importRegions, the regions it would add. Stores nothing.",
  ),
  studyFromBundle: call(
    studyFromBundleInputSchema,
    studyFromBundleResultSchema,
    'Re-run a bundled study here: match it (adding the bundle\'s regions to training images without any, when asked), queue and train it; studyGet then compares it with the bundle.',
  ),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
/** What a caller sends (defaults may be omitted). */
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
/** What a handler receives (defaults filled in). */
export type ParsedInput<N extends CallName> = z.output<Calls[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Calls[N]['output']>;

export const callNames = Object.keys(calls) as CallName[];

export function isCallName(name: string): name is CallName {
  return Object.hasOwn(calls, name);
}

// ---------------------------------------------------------------- binary calls

/**
 * Calls whose answer is bulk bytes plus validated metadata (the full-resolution
 * pixels of an image). Over IPC the bytes travel as a Uint8Array; over HTTP as
 * one framed body (binary-frame.ts) from `POST /api/binary/<call>`.
 */
interface BinaryCallSpec<I extends z.ZodType, M extends z.ZodType> {
  readonly input: I;
  readonly meta: M;
  readonly summary: string;
}

export const binaryCalls = {
  imagePixels: {
    input: z.object({ imageId: z.number().int().positive() }).strict(),
    meta: imagePixelsMetaSchema,
    summary: 'Full-resolution pixels of an image (Uint16 values + how to map them to modality values).',
  } satisfies BinaryCallSpec<z.ZodType, z.ZodType>,
} as const;

export type BinaryCalls = typeof binaryCalls;
export type BinaryCallName = keyof BinaryCalls;
export type BinaryCallInput<N extends BinaryCallName> = z.input<BinaryCalls[N]['input']>;
export type BinaryParsedInput<N extends BinaryCallName> = z.output<BinaryCalls[N]['input']>;
export type BinaryCallMeta<N extends BinaryCallName> = z.output<BinaryCalls[N]['meta']>;
export const binaryCallNames = Object.keys(binaryCalls) as BinaryCallName[];

export function isBinaryCallName(name: string): name is BinaryCallName {
  return Object.hasOwn(binaryCalls, name);
}

// ---------------------------------------------------------------- events

export const events = {
  /** The current workspace changed (another file was opened). */
  workspaceChanged: workspaceInfoSchema,
  /** The compute backend probe finished. */
  backendChanged: backendReportSchema,
  /** An import advanced (at most a few times a second). */
  importProgress: importProgressSchema,
  /** An import ended: its summary, or why it could not run. */
  importFinished: importFinishedSchema,
  /** The demo workspace build advanced. */
  demoProgress: demoProgressSchema,
  /** The demo workspace build ended. */
  demoFinished: demoFinishedSchema,
  /** A training run started, advanced, finished an epoch, or ended. */
  train: trainEventSchema,
  /** A study was created, changed state, or one of its runs started, advanced or ended. */
  study: studyEventSchema,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const eventNames = Object.keys(events) as EventName[];

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}

/** One event as it travels over a transport. */
export type EventMessage = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];
