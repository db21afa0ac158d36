import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { WorkspaceDb } from '../../db/open-workspace';
import type { LabelsCsvOptions } from '../labels-csv';
import { pseudonymizeOrNull } from '../pseudonym';
import { ensureSource, type SourceRole } from '../sources';
import { collectFiles } from './collect-files';
import { createDecoder } from './decode-pool';
import { derivePixels } from './derived-pixels';
import type { DecodedForImport, ImageRecord } from './image-record';
import { loadLabels, type LabelLookup } from './labels';
import { isKnownBlob, storeImage } from './store-image';

export interface ImportOptions {
  /** Source (site or dataset) to import into; created if new. */
  readonly source: string;
  /** Role of a new source. Default 'train'. */
  readonly role?: SourceRole;
  /** A labels CSV (NIH, CheXpert, MIMIC-CXR-JPG or the simulator's layout) matched to the files. */
  readonly labelsCsv?: string;
  /** How to read it: a column mapping for other layouts, the uncertain and blank policies. Defaults: detect, exclude, unlabelled. */
  readonly labelsOptions?: Omit<LabelsCsvOptions, 'source'>;
  /** Side of the model-resolution cache. Default 224. */
  readonly cacheSize?: number;
  /** Longest side of the thumbnail. Default 128. */
  readonly thumbSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Least time between two progress reports, in ms. Default 250. */
  readonly progressIntervalMs?: number;
}

export interface ImportProgress {
  readonly total: number;
  readonly done: number;
  readonly imported: number;
  readonly duplicates: number;
  readonly failed: number;
  readonly filesPerSecond: number;
  readonly megabytesPerSecond: number;
  /** Seconds left at the current rate; null until there is a rate. */
  readonly etaSeconds: number | null;
}

export interface ImportFailure {
  readonly path: string;
  readonly error: string;
}

export interface ImportSummary {
  readonly imported: number;
  readonly duplicates: number;
  readonly failed: ImportFailure[];
  readonly cancelled: boolean;
  readonly source: string;
  readonly seconds: number;
  readonly megabytes: number;
  /** Problems in the labels CSV (bad values); the import went on without them. */
  readonly labelProblems: { readonly line: number; readonly message: string }[];
}

/**
 * Imports files and folders into a source of the workspace. Each file is read,
 * hashed, decoded, cached and stored in its own transaction: a broken file
 * fails alone with a one-line reason, a re-import of the same bytes is counted
 * as a duplicate before any decoding, and a killed import leaves only whole
 * images behind, so running it again completes it.
 */
export async function importPaths(
  ws: WorkspaceDb,
  paths: readonly string[],
  options: ImportOptions,
): Promise<ImportSummary> {
  const started = performance.now();
  const cacheSize = options.cacheSize ?? 224;
  const thumbSize = options.thumbSize ?? 128;
  const source = ensureSource(ws.db, options.source, options.role ?? 'train');
  const labels: LabelLookup | null = options.labelsCsv
    ? await loadLabels(options.labelsCsv, options.labelsOptions)
    : null;
  const secret = ws.db.prepare("SELECT value FROM meta WHERE key = 'pseudonym_secret'").pluck().get() as string;
  const { files, failed: unreadable } = await collectFiles(paths);

  const failed: ImportFailure[] = [...unreadable];
  let imported = 0;
  let duplicates = 0;
  let bytesRead = 0;
  let done = 0;
  let lastReport = 0;
  const report = (force: boolean): void => {
    const now = performance.now();
    if (!options.onProgress || (!force && now - lastReport < (options.progressIntervalMs ?? 250))) return;
    lastReport = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    options.onProgress({
      total: files.length,
      done,
      imported,
      duplicates,
      failed: failed.length,
      filesPerSecond: round(rate),
      megabytesPerSecond: round(seconds > 0 ? bytesRead / 1e6 / seconds : 0),
      etaSeconds: rate > 0 ? round((files.length - done) / rate) : null,
    });
  };

  /** One file on its way through the pipeline: read and hashed, its decode running (unless known). */
  interface Staged {
    readonly path: string;
    readonly bytes: Uint8Array;
    readonly sha256: string;
    readonly decoded: Promise<DecodedForImport> | null;
  }
  const stage = async (path: string): Promise<Staged | ImportFailure> => {
    try {
      const bytes = new Uint8Array(await readFile(path));
      bytesRead += bytes.length;
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (isKnownBlob(ws.db, sha256)) return { path, bytes, sha256, decoded: null };
      const decoded = decoder.decode(bytes, basename(path));
      decoded.catch(() => undefined); // handled when the file's turn comes
      return { path, bytes, sha256, decoded };
    } catch (err) {
      return { path, error: oneLine(err) };
    }
  };
  const finish = async (staged: Staged): Promise<void> => {
    if (!staged.decoded) {
      duplicates += 1;
      return;
    }
    const decoded = await staged.decoded;
    const row = labels?.lookup(staged.path);
    const record = mergeCsvDemographics(decoded.record, row);
    const derived = await derivePixels(decoded.gray8, record.rows, record.cols, cacheSize, thumbSize);
    const outcome = storeImage(ws.db, {
      sha256: staged.sha256,
      bytes: staged.bytes,
      originalName: basename(staged.path),
      sourceId: source.id,
      record,
      patientPseudonym: pseudonymizeOrNull(secret, record.patientId),
      derived,
      cacheSize,
      window: decoded.window,
      labels: row?.labels ?? {},
      labelOrigin: 'csv',
    });
    if (outcome.kind === 'imported') imported += 1;
    else if (outcome.kind === 'duplicate') duplicates += 1;
    else failed.push({ path: staged.path, error: outcome.message });
  };

  // Files are decoded ahead (in worker threads where there are cores) and stored in order, one
  // transaction each; at most `concurrency + 1` files are in memory at once.
  const decoder = createDecoder();
  const queue: (Staged | ImportFailure)[] = [];
  let next = 0;
  let cancelled = false;
  try {
    while (next < files.length || queue.length > 0) {
      const stopping = options.signal?.aborted === true || !ws.db.open;
      if (stopping) cancelled = true;
      while (!stopping && next < files.length && queue.length <= decoder.concurrency) {
        queue.push(await stage(files[next] as string));
        next += 1;
      }
      const head = queue.shift();
      if (!head) break;
      if (stopping) continue; // drop what was staged but not stored
      if ('error' in head) failed.push(head);
      else {
        try {
          await finish(head);
        } catch (err) {
          failed.push({ path: head.path, error: oneLine(err) });
        }
      }
      done += 1;
      report(false);
      // Let the host answer other requests between files.
      await yieldToEventLoop();
    }
  } finally {
    await decoder.close();
  }
  report(true);
  return {
    imported,
    duplicates,
    failed,
    cancelled,
    source: source.name,
    seconds: round((performance.now() - started) / 1000),
    megabytes: round(bytesRead / 1e6),
    labelProblems: labels?.problems ?? [],
  };
}

/** DICOM tags win; the CSV fills what the file does not say (PNG/JPEG files say nothing). */
function mergeCsvDemographics(
  record: ImageRecord,
  row: { patientId: string | null; sex: ImageRecord['sex']; age: number | null } | undefined,
): ImageRecord {
  if (!row) return record;
  return {
    ...record,
    patientId: record.patientId ?? row.patientId,
    sex: record.sex === 'unknown' ? row.sex : record.sex,
    ageYears: record.ageYears ?? row.age,
  };
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n', 1)[0] ?? text;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
