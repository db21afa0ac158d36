import type { AppContext } from '../core/app-context';
import { listSources } from '../core/library/sources';
import { queryWorklist, readThumbnails } from '../core/library/worklist';
import { readWorkspaceInfo } from '../core/workspace/workspace-info';
import { regionAgreement } from '../core/annotations/agreement';
import { openForAnnotation } from '../core/annotations/annotate-image';
import { modelAttention } from '../core/annotations/model-attention';
import { annotationProgress } from '../core/annotations/progress';
import { addAnnotator, listAnnotators } from '../core/annotations/annotators';
import { addActiveTime, setFindingFlags, setNote } from '../core/annotations/image-reads';
import { nextToAnnotate } from '../core/annotations/next-to-annotate';
import { createRegion, deleteRegion, updateRegion } from '../core/annotations/region-edits';
import { historyState, redoEdit, undoEdit } from '../core/annotations/region-history';
import { listRegions } from '../core/annotations/regions';
import { FullPixelsCache } from '../core/library/full-pixels-cache';
import { trainPlan } from '../core/training/train-plan';
import { exportModel } from '../core/export/model-export';
import { exportPredictions } from '../core/export/predictions-export';
import { attentionGallery } from '../core/evaluation/attention-gallery';
import { fairnessSummary } from '../core/evaluation/fairness-summary';
import { exportStudyReport } from '../core/report/study-report';
import { writeStudyBundle } from '../core/study/bundle/write-bundle';
import type Database from 'better-sqlite3';
import { ApiFailure, type BinaryHandlers, type Handlers } from './dispatch';

/** What only a host can do (a native dialog); a host without it leaves it out. */
export interface HostServices {
  pickPaths?(kind: 'files' | 'folders', title?: string): Promise<string[]>;
}

/** The contract's calls, each answered by a core service of the context. */
export function createHandlers(ctx: AppContext, host: HostServices = {}): Handlers {
  return {
    appInfo: () => ctx.appInfo(),
    workspaceInfo: () => readWorkspaceInfo(ctx.workspace()),
    workspaceOpen: ({ path }) => ctx.openWorkspace(path, { remember: true }),
    backendProbe: ({ preference, refresh }) => ctx.backend(preference, refresh),
    sourcesList: () => listSources(ctx.workspace().db),
    importStart: (request) => ctx.imports.start(request),
    importCancel: ({ jobId }) => ({ cancelled: ctx.imports.cancel(jobId) }),
    demoBuild: () => ctx.demo.start(),
    demoCancel: () => ({ cancelled: ctx.demo.cancel() }),
    pickPaths: async ({ kind, title }) => {
      if (!host.pickPaths) {
        throw new ApiFailure({
          code: 'unavailable',
          message: 'file dialogs exist in the desktop app only; type a path on the host machine',
        });
      }
      return { paths: await host.pickPaths(kind, title) };
    },
    worklistQuery: (query) => queryWorklist(ctx.workspace().db, query),
    thumbnails: ({ ids }) => ({ items: readThumbnails(ctx.workspace().db, ids) }),
    annotatorsList: () => ({ annotators: listAnnotators(ctx.workspace().db) }),
    annotatorAdd: ({ name }) => ({ annotators: addAnnotator(ctx.workspace().db, name) }),
    annotateOpen: ({ imageId, annotator }) => openForAnnotation(ctx.workspace().db, imageId, annotator),
    regionCreate: (input) => createRegion(ctx.workspace().db, input),
    regionUpdate: (input) => updateRegion(ctx.workspace().db, input),
    regionDelete: (input) => deleteRegion(ctx.workspace().db, input),
    annotationUndo: ({ imageId, annotator }) =>
      historyStep(ctx.workspace().db, imageId, annotator, undoEdit(ctx.workspace().db, imageId, annotator)),
    annotationRedo: ({ imageId, annotator }) =>
      historyStep(ctx.workspace().db, imageId, annotator, redoEdit(ctx.workspace().db, imageId, annotator)),
    findingFlagSet: (input) => setFindingFlags(ctx.workspace().db, input),
    readNoteSet: (input) => setNote(ctx.workspace().db, input),
    readActivity: (input) => addActiveTime(ctx.workspace().db, input),
    nextToAnnotate: (input) => nextToAnnotate(ctx.workspace().db, input),
    annotationProgress: ({ annotator }) =>
      annotationProgress(ctx.workspace().db, annotator === undefined ? {} : { annotator }),
    annotationAgreement: ({ imageId, ...options }) =>
      regionAgreement(ctx.workspace().db, imageId === undefined ? options : { ...options, imageIds: [imageId] }),
    imageAttention: ({ imageId, annotator }) => modelAttention(ctx.workspace().db, imageId, annotator),
    trainPlan: (input) => trainPlan(ctx.workspace().db, input),
    trainStart: (config) => ctx.training.start(config),
    trainCancel: ({ runId }) => ({ cancelled: ctx.training.cancel(runId) }),
    trainResume: ({ runId }) => ctx.training.resume(runId),
    runsList: () => ctx.training.list(),
    runGet: ({ runId }) => ctx.training.detail(runId),
    exportModel: ({ runId, outDir }) => exportModel(ctx.workspace(), { runId, outDir }),
    exportPredictions: (input) => exportPredictions(ctx.workspace().db, input),
    // ---------------------------------------------------------- studies (issue 8)
    studyValidate: ({ config, estimate }) => ctx.studies.validate(config, estimate),
    studyCreate: ({ config, concurrency }) => ctx.studies.create(config, concurrency),
    studiesList: () => ctx.studies.list(),
    studyGet: ({ studyId }) => ctx.studies.get(studyId),
    studyPause: ({ studyId }) => ctx.studies.pause(studyId),
    studyResume: ({ studyId }) => ctx.studies.resume(studyId),
    studyCancel: ({ studyId }) => ctx.studies.cancel(studyId),
    runRetry: ({ runId }) => ctx.studies.retry(runId),
    // ---------------------------------------------------------- end of studies
    fairnessSummary: (query) => fairnessSummary(ctx.workspace().db, query),
    attentionGallery: (query) => attentionGallery(ctx.workspace().db, query),
    // ---- study report (issue 8)
    studyReport: (input) => exportStudyReport(ctx.workspace().db, input),
    studyBundle: (input) => writeStudyBundle(ctx.workspace().db, input),
    bundleCheck: ({ file, importRegions }) => ctx.studies.checkBundle(file, importRegions),
    studyFromBundle: ({ file, importRegions, concurrency }) =>
      ctx.studies.createFromBundle(file, importRegions, concurrency),
  };
}

function historyStep(
  db: Database.Database,
  imageId: number,
  annotator: string,
  applied: ReturnType<typeof undoEdit>,
): ReturnType<Handlers['annotationUndo']> {
  return { applied, regions: listRegions(db, imageId), history: historyState(db, imageId, annotator) };
}

/** The binary calls: bulk pixels for the full-resolution viewer. */
export function createBinaryHandlers(ctx: AppContext): BinaryHandlers {
  const pixels = new FullPixelsCache();
  return {
    imagePixels: async ({ imageId }) => pixels.get(ctx.workspace().db, imageId),
  };
}
