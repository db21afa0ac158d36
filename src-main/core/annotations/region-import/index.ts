/**
 * Imports attention regions from the region files public chest X-ray datasets ship (NIH ChestX-ray14 boxes,
 * VinDr-CXR boxes, CheXlocalize polygons) as `annotations` rows of the workspace's images. See
 * docs/annotations-io.md for the formats, the finding names mapped and the matching rules.
 */
import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { InputError } from '../../input-error';
import { findings, type Finding } from '../../library/findings';
import { summaryExamples, type KeyCount, type RegionImportSummary } from './import-summary';
import { ImageIndex } from './match-images';
import { parseRegionFile } from './parse-region-file';
import { placeRegion } from './place-region';
import { RegionFileError } from './region-file-error';
import { regionFileFormats, type RegionFileFormat } from './region-record';
import { storeRegions, type RegionToStore } from './store-regions';

export { parseRegionFile } from './parse-region-file';
export { RegionFileError } from './region-file-error';
export { regionFileFormats, type RegionFileFormat, type ParsedRegionFile, type RegionRecord } from './region-record';
export { mappedFindingNames } from './finding-names';
export type { RegionImportSummary } from './import-summary';

export interface RegionImportOptions {
  /** The region file. */
  readonly path: string;
  readonly format: RegionFileFormat;
  /** Who drew the regions (e.g. `nih`); VinDr rows with a `rad_id` are stored as `<annotator>/<rad_id>`. */
  readonly annotator: string;
  /** Match only this source's images (by name). Default: every image of the workspace. */
  readonly source?: string;
}

/**
 * Reads a region file, matches its rows to workspace images and stores every region as an `annotations`
 * row (image pixel coordinates), in one transaction. Idempotent: a region whose geometry is already stored
 * (not deleted) for the same image, finding and annotator is not added again. Nothing is written when the
 * file cannot be read or parsed.
 *
 * @throws RegionFileError (an InputError) for an unreadable or malformed file, InputError for bad options
 */
export function importRegionFile(db: Database.Database, options: RegionImportOptions): RegionImportSummary {
  const annotator = options.annotator.trim();
  if (annotator === '') throw new InputError('the annotator name must not be empty', 'annotator');
  if (!(regionFileFormats as readonly string[]).includes(options.format))
    throw new InputError(`format must be one of ${regionFileFormats.join(', ')}; got '${options.format}'`, 'format');
  const parsed = parseRegionFile(options.format, readText(options.path), options.path);
  const index = ImageIndex.load(db, options.source);

  const unmatched = new KeyTally();
  const ambiguous = new KeyTally();
  const rejected = { outside: 0, empty: 0, examples: [] as { imageKey: string; where: string; reason: string }[] };
  const scaled = new Map<number, RegionImportSummary['scaled']['examples'][number]>();
  const toStore: RegionToStore[] = [];
  const clipped = new Set<RegionToStore>();
  for (const record of parsed.records) {
    const match = index.match(record.imageKey);
    if (match.kind === 'unmatched') {
      unmatched.add(record.imageKey);
      continue;
    }
    if (match.kind === 'ambiguous') {
      ambiguous.add(record.imageKey);
      continue;
    }
    const { image } = match;
    const size = record.imageSize;
    const differs = size !== null && (size.width !== image.columns || size.height !== image.rows);
    const placed = placeRegion(record.region, differs ? size : null, image);
    if (differs && !scaled.has(image.id))
      scaled.set(image.id, {
        imageKey: record.imageKey,
        from: { width: size.width, height: size.height },
        to: { width: image.columns, height: image.rows },
      });
    if (!placed.ok) {
      rejected[placed.reason] += 1;
      if (rejected.examples.length < summaryExamples)
        rejected.examples.push({
          imageKey: record.imageKey,
          where: record.where,
          reason: placed.reason === 'outside' ? 'entirely outside the image' : 'covers no area',
        });
      continue;
    }
    const region: RegionToStore = {
      imageId: image.id,
      finding: record.finding,
      annotator: record.reader === null ? annotator : `${annotator}/${record.reader}`,
      geometry: placed.geometry,
      where: record.where,
    };
    toStore.push(region);
    if (placed.clipped) clipped.add(region);
  }

  const stored = storeRegions(db, toStore);
  const addedByFinding = Object.fromEntries(findings.map((f) => [f, 0])) as Record<Finding, number>;
  for (const region of stored.added) addedByFinding[region.finding] += 1;
  return {
    file: options.path,
    format: options.format,
    annotator,
    source: options.source ?? null,
    regions: parsed.records.length,
    added: stored.added.length,
    addedByFinding,
    images: new Set(stored.added.map((r) => r.imageId)).size,
    annotators: [...new Set(stored.added.map((r) => r.annotator))].sort(),
    alreadyPresent: stored.alreadyPresent,
    skippedFindings: parsed.skippedFindings,
    unmatched: unmatched.summary(),
    ambiguous: ambiguous.summary(),
    rejected,
    clipped: stored.added.filter((r) => clipped.has(r)).length,
    scaled: { images: scaled.size, examples: [...scaled.values()].slice(0, summaryExamples) },
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
    throw new RegionFileError(path, `cannot read region file ${path}: ${why}`);
  }
}

/** Counts regions per distinct key, keeping the first few keys. */
class KeyTally {
  private regions = 0;
  private readonly keys = new Set<string>();

  add(key: string): void {
    this.regions += 1;
    this.keys.add(key);
  }

  summary(): KeyCount {
    return { regions: this.regions, keys: this.keys.size, examples: [...this.keys].slice(0, summaryExamples) };
  }
}
