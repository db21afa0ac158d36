import type Database from 'better-sqlite3';
import { regionGeometrySchema, type RegionGeometry } from '../../../api/annotation-schemas';
import { InputError } from '../../input-error';
import { findings as knownFindings, isFinding } from '../../library/findings';
import type { SourceRole } from '../../library/sources';
import { unionMask } from './region-masks';
import { resizeSquare } from './resize';

/** A label as stored: 0, 1, or null where the image has no label for the finding. */
export type Label = 0 | 1 | null;

export type Sex = 'M' | 'F' | 'other' | 'unknown';

/** One image, ready for training: everything read from the workspace once, no DICOM decoding. */
export interface Example {
  /** The workspace's id of the image: local to this workspace (ids follow import order). */
  readonly imageId: number;
  /**
   * The image's key: the SHA-256 (hex) of its file as imported, the same on every workstation that imported
   * the same file. Examples are ordered by it and every seeded choice is keyed by it, so a run does not depend
   * on the order the files were imported in (see core/study/bundle: a study re-run elsewhere).
   */
  readonly key: string;
  readonly sourceId: number;
  /** The source's name. */
  readonly source: string;
  readonly role: SourceRole;
  readonly sex: Sex;
  /** Age in years, null when unknown. */
  readonly age: number | null;
  /** The stored image's size, the frame its regions are drawn in. */
  readonly rows: number;
  readonly cols: number;
  /** [S × S] uint8, row-major: the windowed image, stretched to a square (as cached). */
  readonly pixels: Uint8Array;
  /** [C] per finding, in the order of {@link LoadExamplesOptions.findings}. */
  readonly labels: readonly Label[];
  /** [C] per finding: [R × R] 0/1 row-major, or null when no live region (of the selected annotators) sets a pixel. */
  readonly masks: readonly (Uint8Array | null)[];
}

export interface LoadExamplesOptions {
  /** Source names; at least one, each must exist and hold images. */
  readonly sources: readonly string[];
  /** Finding ids (see library/findings.ts); the order of every per-finding array. */
  readonly findings: readonly string[];
  /** S, the model's input side. Resized from the cache: area averaging below it, bilinear above. */
  readonly imageSize: number;
  /** R, the mask side (ARCHITECTURE §5: 4× the patch grid, e.g. 56). */
  readonly maskSize: number;
  /**
   * Whose regions make the masks. Default: every annotator. Several annotators' regions combine as the
   * union of each annotator's own mask (each with only their own erasers): see {@link unionMask}.
   */
  readonly annotators?: readonly string[];
  /** Side of the cache rows to read. Default 224 (the import's model-size cache). */
  readonly cacheSize?: number;
}

interface SourceRecord {
  id: number;
  name: string;
  role: SourceRole;
  images: number;
}

interface ImageRecord {
  id: number;
  blob_sha256: string;
  source_id: number;
  original_name: string;
  sex: Sex;
  age_years: number | null;
  rows: number;
  cols: number;
  pixels: Buffer | null;
}

/**
 * Reads the examples of the named sources, ordered by image key (the file's SHA-256, then id): four
 * prepared queries (sources, labels, live regions, images with their cache
 * rows streamed), never one per image.
 *
 * Refuses (InputError, naming the input): no source or finding, an unknown
 * source or finding, a repeated one, a source with no images, sizes that are
 * not positive integers, and a finding with no positive label among the
 * examples of the `train` sources (checked only when a `train` source is among
 * them). An image without a cache row of `cacheSize` is an InputError naming
 * the image and its source (re-import it to rebuild the cache).
 *
 * @returns one {@link Example} per image: pixels [S × S], labels [C], masks [C] of [R × R] | null
 */
export function loadExamples(db: Database.Database, options: LoadExamplesOptions): Example[] {
  const { sources: sourceNames, findings, imageSize, maskSize } = options;
  const cacheSize = options.cacheSize ?? 224;
  checkSide(imageSize, 'imageSize');
  checkSide(maskSize, 'maskSize');
  checkSide(cacheSize, 'cacheSize');
  checkNames(sourceNames, 'sources', 'source');
  checkNames(findings, 'findings', 'finding');
  for (const finding of findings) {
    if (!isFinding(finding))
      throw new InputError(`unknown finding '${finding}'; known: ${knownFindings.join(', ')}`, 'findings');
  }
  if (options.annotators !== undefined) checkNames(options.annotators, 'annotators', 'annotator');

  const sources = readSources(db, sourceNames);
  const sourceIds = JSON.stringify(sources.map((s) => s.id));
  const findingsJson = JSON.stringify(findings);
  const findingIndex = new Map(findings.map((f, i) => [f, i]));

  const labels = new Map<number, Label[]>();
  const labelRows = db
    .prepare(
      `SELECT l.image_id AS imageId, l.finding, l.value FROM labels l JOIN images i ON i.id = l.image_id
       WHERE i.source_id IN (SELECT value FROM json_each(?)) AND l.finding IN (SELECT value FROM json_each(?))`,
    )
    .all(sourceIds, findingsJson) as { imageId: number; finding: string; value: 0 | 1 }[];
  for (const row of labelRows) {
    const perFinding = labels.get(row.imageId) ?? findings.map((): Label => null);
    perFinding[findingIndex.get(row.finding) as number] = row.value;
    labels.set(row.imageId, perFinding);
  }

  const regions = readRegions(db, sourceIds, findingsJson, findingIndex, options.annotators);

  const images = db.prepare(
    `SELECT i.id, i.blob_sha256, i.source_id, i.original_name, i.sex, i.age_years, i.rows, i.cols, c.pixels
     FROM images i LEFT JOIN image_cache c ON c.image_id = i.id AND c.size = ?
     WHERE i.source_id IN (SELECT value FROM json_each(?)) ORDER BY i.blob_sha256, i.id`,
  );
  const sourceById = new Map(sources.map((s) => [s.id, s]));
  const examples: Example[] = [];
  for (const row of images.iterate(cacheSize, sourceIds) as IterableIterator<ImageRecord>) {
    const source = sourceById.get(row.source_id) as SourceRecord;
    if (row.pixels === null || row.pixels.length !== cacheSize * cacheSize) {
      throw new InputError(
        `image ${row.id} (${row.original_name}, source '${source.name}') has ` +
          (row.pixels === null ? `no ${cacheSize}×${cacheSize} cache row` : `a cache row of the wrong length`) +
          '; re-import it to rebuild its cache',
        'sources',
      );
    }
    const image = { columns: row.cols, rows: row.rows };
    const byFinding = regions.get(row.id);
    examples.push({
      imageId: row.id,
      key: row.blob_sha256,
      sourceId: row.source_id,
      source: source.name,
      role: source.role,
      sex: row.sex,
      age: row.age_years,
      rows: row.rows,
      cols: row.cols,
      pixels: resizeSquare(
        new Uint8Array(row.pixels.buffer, row.pixels.byteOffset, row.pixels.length),
        cacheSize,
        imageSize,
      ),
      labels: labels.get(row.id) ?? findings.map((): Label => null),
      masks: findings.map((_, c) => {
        const byAnnotator = byFinding?.[c];
        return byAnnotator ? unionMask(byAnnotator, image, maskSize) : null;
      }),
    });
  }

  checkTrainingPositives(examples, sources, findings);
  return examples;
}

function checkSide(value: number, field: string): void {
  if (!(Number.isInteger(value) && value > 0 && value <= 4096))
    throw new InputError(`${field} must be a whole number from 1 to 4096, got ${value}`, field);
}

function checkNames(names: readonly string[], field: string, noun: string): void {
  if (names.length === 0) throw new InputError(`give at least one ${noun}`, field);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new InputError(`${noun} '${name}' is listed twice`, field);
    seen.add(name);
  }
}

function readSources(db: Database.Database, names: readonly string[]): SourceRecord[] {
  const rows = db
    .prepare(
      `SELECT s.id, s.name, s.role, (SELECT count(*) FROM images i WHERE i.source_id = s.id) AS images
       FROM sources s WHERE s.name IN (SELECT value FROM json_each(?)) ORDER BY s.id`,
    )
    .all(JSON.stringify(names)) as SourceRecord[];
  const byName = new Map(rows.map((r) => [r.name, r]));
  for (const name of names) {
    const source = byName.get(name);
    if (!source) {
      const known = db.prepare('SELECT name FROM sources ORDER BY name').pluck().all() as string[];
      throw new InputError(
        `unknown source '${name}'; the workspace has ${known.length ? known.map((k) => `'${k}'`).join(', ') : 'no sources'}`,
        'sources',
      );
    }
    if (source.images === 0) throw new InputError(`source '${name}' has no images`, 'sources');
  }
  return rows;
}

/** Live regions per image, per finding index, per annotator (oldest first: the order they rasterise in). */
function readRegions(
  db: Database.Database,
  sourceIds: string,
  findingsJson: string,
  findingIndex: ReadonlyMap<string, number>,
  annotators: readonly string[] | undefined,
): Map<number, Map<string, RegionGeometry[]>[]> {
  const rows = db
    .prepare(
      `SELECT a.id, a.image_id AS imageId, a.finding, a.annotator, a.geometry
       FROM annotations a JOIN images i ON i.id = a.image_id
       WHERE a.deleted = 0 AND i.source_id IN (SELECT value FROM json_each(?))
         AND a.finding IN (SELECT value FROM json_each(?))
         AND (? IS NULL OR a.annotator IN (SELECT value FROM json_each(?)))
       ORDER BY a.id`,
    )
    .all(sourceIds, findingsJson, annotators === undefined ? null : 1, JSON.stringify(annotators ?? [])) as {
    id: number;
    imageId: number;
    finding: string;
    annotator: string;
    geometry: string;
  }[];
  const out = new Map<number, Map<string, RegionGeometry[]>[]>();
  for (const row of rows) {
    const parsed = regionGeometrySchema.safeParse(safeJson(row.geometry));
    if (!parsed.success) throw new Error(`annotation ${row.id} (image ${row.imageId}) has invalid geometry`);
    const c = findingIndex.get(row.finding) as number;
    const perFinding = out.get(row.imageId) ?? [];
    out.set(row.imageId, perFinding);
    const byAnnotator = (perFinding[c] ??= new Map<string, RegionGeometry[]>());
    const list = byAnnotator.get(row.annotator) ?? [];
    list.push(parsed.data);
    byAnnotator.set(row.annotator, list);
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function checkTrainingPositives(
  examples: readonly Example[],
  sources: readonly SourceRecord[],
  findings: readonly string[],
): void {
  const training = sources.filter((s) => s.role === 'train');
  if (training.length === 0) return;
  findings.forEach((finding, c) => {
    if (!examples.some((e) => e.role === 'train' && e.labels[c] === 1)) {
      throw new InputError(
        `finding '${finding}' has no positive label in the training sources (${training.map((s) => `'${s.name}'`).join(', ')})`,
        'findings',
      );
    }
  });
}
