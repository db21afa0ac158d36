/**
 * Writes a cohort: N image files, `labels.csv` and `annotations.json` into an empty folder (and optionally
 * the marker-free twins into another), reporting progress and stopping between images when asked to.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InputError } from '../input-error';
import { readerStyles } from './annotate';
import {
  annotationsFile,
  annotationsImageEntry,
  labelsCsvHeader,
  labelsCsvRow,
  type AnnotationsImageEntry,
} from './cohort-files';
import { summarizeCohort, type CohortFacts, type ImageFacts } from './cohort-summary';
import { encodeDicom, encodePng } from './encode';
import { parseCohortOptions, type CohortOptions, type CohortOptionsInput } from './options';
import { simulateImage } from './simulate-image';

export interface CohortProgress {
  readonly done: number;
  readonly total: number;
  readonly imagesPerSecond: number;
  /** Seconds left at the current rate; null until there is a rate. */
  readonly etaSeconds: number | null;
}

export interface GenerateControl {
  readonly onProgress?: (progress: CohortProgress) => void;
  /** Stops after the current image; the side files then describe the images written. */
  readonly signal?: AbortSignal;
  /** Least time between two progress reports, ms. Default 250. */
  readonly progressIntervalMs?: number;
}

export interface CohortSummary extends CohortFacts {
  /** The folder written, absolute. */
  readonly out: string;
  readonly twinsDir: string | null;
  readonly site: string;
  readonly format: CohortOptions['format'];
  readonly size: number;
  /** Image files written (without twins). */
  readonly files: string[];
  readonly cancelled: boolean;
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

/**
 * Generates a cohort as {@link CohortOptions} describe. The same options (folders aside) give byte-identical
 * files.
 *
 * @throws SimulatorOptionError for invalid options, InputError for an output folder that is not empty or a
 *   twins folder that is inside it
 */
export async function generateCohort(input: CohortOptionsInput, control: GenerateControl = {}): Promise<CohortSummary> {
  const options = parseCohortOptions(input);
  const out = resolve(options.out);
  const twinsDir = options.twinsDir === undefined ? null : resolve(options.twinsDir);
  if (twinsDir !== null && (contains(out, twinsDir) || contains(twinsDir, out)))
    throw new InputError(
      `the twins folder ${twinsDir} must not be, contain or lie inside the output folder ${out}`,
      'twinsDir',
    );
  await prepareFolder(out, 'out');
  if (twinsDir !== null) await prepareFolder(twinsDir, 'twinsDir');

  const started = performance.now();
  const extension = options.format === 'dicom' ? 'dcm' : 'png';
  const files: string[] = [];
  const rows: string[] = [labelsCsvHeader];
  const entries: AnnotationsImageEntry[] = [];
  const facts: ImageFacts[] = [];
  let lastReport = -Infinity;
  let cancelled = false;
  const report = (force: boolean): void => {
    const now = performance.now();
    if (!control.onProgress || (!force && now - lastReport < (control.progressIntervalMs ?? 250))) return;
    lastReport = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? files.length / seconds : 0;
    control.onProgress({
      done: files.length,
      total: options.n,
      imagesPerSecond: Math.round(rate * 100) / 100,
      etaSeconds: rate > 0 ? Math.round(((options.n - files.length) / rate) * 10) / 10 : null,
    });
  };

  for (let k = 0; k < options.n; k++) {
    if (control.signal?.aborted) {
      cancelled = true;
      break;
    }
    const index = options.firstIndex + k;
    const image = simulateImage(options, index, twinsDir !== null);
    const file = `${image.stem}.${extension}`;
    const encode = (twin: boolean): Promise<Uint8Array> | Uint8Array =>
      options.format === 'dicom' ? encodeDicom(options, image, twin) : encodePng(image, twin);
    await writeFile(join(out, file), await encode(false));
    if (twinsDir !== null) await writeFile(join(twinsDir, file), await encode(true));
    files.push(file);
    rows.push(labelsCsvRow(file, image, options.site));
    entries.push(annotationsImageEntry(file, image, options, twinsDir !== null));
    facts.push({
      sex: image.patient.sex,
      age: image.patient.age,
      labels: image.labels,
      inShortcutSubgroup: image.inShortcutSubgroup,
      markerPresent: image.marker.present,
      annotated: image.annotated,
    });
    report(false);
    // Let a host answer other requests between images.
    await yieldToEventLoop();
  }

  const csv = `${rows.join('\n')}\n`;
  await writeFile(join(out, 'labels.csv'), csv);
  if (twinsDir !== null) await writeFile(join(twinsDir, 'labels.csv'), csv);
  const readers = readerStyles(options.seed, Math.max(3, options.annotators));
  await writeFile(join(out, 'annotations.json'), `${JSON.stringify(annotationsFile(options, readers, entries))}\n`);
  report(true);
  const seconds = (performance.now() - started) / 1000;
  return {
    out,
    twinsDir,
    site: options.site,
    format: options.format,
    size: options.size,
    files,
    cancelled,
    seconds: Math.round(seconds * 1000) / 1000,
    imagesPerSecond: seconds > 0 ? Math.round((files.length / seconds) * 100) / 100 : 0,
    ...summarizeCohort(options, facts),
  };
}

/** Whether `inner` is `outer` or lies inside it. */
function contains(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Creates the folder, or checks that the existing one is an empty folder. */
async function prepareFolder(path: string, field: string): Promise<void> {
  let existing;
  try {
    existing = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new InputError(`cannot use ${path}: ${(err as Error).message}`, field);
  }
  if (!existing) {
    await mkdir(path, { recursive: true });
    return;
  }
  if (!existing.isDirectory()) throw new InputError(`${path} is not a folder`, field);
  if ((await readdir(path)).length > 0)
    throw new InputError(`${path} is not empty; give a new or empty folder (a cohort never overwrites files)`, field);
}
