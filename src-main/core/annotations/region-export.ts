/**
 * Exports the workspace's attention regions: `regions.json` (every image's regions per finding, image pixel
 * coordinates) and 8-bit 0/255 PNG masks `masks/<imageId>_<finding>[_<annotator>].png` made by the one
 * rasteriser. Deleted regions are left out. Every file is written to a temporary name and renamed, so a
 * reader never sees half a file. See docs/annotations-io.md.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { regionGeometrySchema, type RegionGeometry } from '../../api/annotation-schemas';
import { encodePng } from '../dicom/encode-png';
import { InputError } from '../input-error';
import { writeFileAtomic } from '../write-file-atomic';
import { findings, isFinding } from '../library/findings';
import { chexlocalizeDocument } from './chexlocalize-export';
import type { MaskSize } from './rasterize';
import { unionByAnnotator } from './region-union';

export type RegionExportFormat = 'json' | 'png' | 'chexlocalize';
export const regionExportFormats: readonly RegionExportFormat[] = ['json', 'png', 'chexlocalize'];

export interface RegionExportOptions {
  /** Folder to write into (created if absent); existing files of the same names are replaced. */
  readonly outDir: string;
  /** What to write: `json` (regions.json), `png` (masks/), `chexlocalize` (regions_chexlocalize.json). */
  readonly formats: readonly RegionExportFormat[];
  /**
   * Only this annotator's regions (and those of `<annotator>/…`, e.g. the VinDr readers imported as
   * `vindr/R8`); the masks are then named `<imageId>_<finding>_<annotator>.png`.
   */
  readonly annotator?: string;
  /** Only this finding id. */
  readonly finding?: string;
  /** Mask size; default each image's own (columns × rows). */
  readonly size?: MaskSize;
}

export interface RegionExportSummary {
  readonly outDir: string;
  readonly formats: readonly RegionExportFormat[];
  readonly annotator: string | null;
  readonly finding: string | null;
  readonly size: MaskSize | null;
  /** Images with at least one region exported. */
  readonly images: number;
  readonly regions: number;
  /** Mask files written. */
  readonly masks: number;
  /** `regions.json`'s path, or null when not asked for. */
  readonly json: string | null;
  /** `regions_chexlocalize.json`'s path, or null when not asked for. */
  readonly chexlocalize: string | null;
  /** Annotation rows whose stored geometry is not a valid region (left out), by id. */
  readonly invalid: { readonly count: number; readonly ids: readonly number[] };
}

/** One image's entry in regions.json. */
export interface ExportedImage {
  readonly id: number;
  readonly sopInstanceUid: string | null;
  readonly originalName: string;
  readonly source: string;
  readonly rows: number;
  readonly cols: number;
  readonly findings: Record<string, ExportedRegion[]>;
}

export interface ExportedRegion {
  readonly id: number;
  readonly annotator: string;
  readonly geometry: RegionGeometry;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface AnnotationRow {
  readonly id: number;
  readonly imageId: number;
  readonly finding: string;
  readonly annotator: string;
  readonly geometry: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sopInstanceUid: string | null;
  readonly originalName: string;
  readonly source: string;
  readonly rows: number;
  readonly cols: number;
}

/**
 * Writes the regions (not deleted) matching the filters. Masks: per image and finding, each annotator's
 * regions rasterised in created order (an eraser stroke clears only its own annotator's pixels), the
 * annotators' masks united; 255 inside, 0 outside.
 *
 * @throws InputError for an unknown finding, an empty format list or a bad mask size
 */
export async function exportRegions(db: Database.Database, options: RegionExportOptions): Promise<RegionExportSummary> {
  checkOptions(options);
  const outDir = resolve(options.outDir);
  const images = readRegions(db, options);
  const invalid = images.invalid;
  mkdirSync(outDir, { recursive: true });
  let json: string | null = null;
  if (options.formats.includes('json')) {
    json = join(outDir, 'regions.json');
    // Compact: a CheXlocalize contour has hundreds of points.
    writeFileAtomic(json, `${JSON.stringify(regionsDocument(images.list, options))}\n`);
  }
  let chexlocalize: string | null = null;
  if (options.formats.includes('chexlocalize')) {
    chexlocalize = join(outDir, 'regions_chexlocalize.json');
    writeFileAtomic(chexlocalize, `${JSON.stringify(chexlocalizeDocument(images.list))}\n`);
  }
  let masks = 0;
  if (options.formats.includes('png')) {
    const maskDir = join(outDir, 'masks');
    mkdirSync(maskDir, { recursive: true });
    for (const image of images.list) {
      for (const [finding, regions] of Object.entries(image.findings)) {
        const size = options.size ?? { width: image.cols, height: image.rows };
        const mask = unionByAnnotator(regions, { columns: image.cols, rows: image.rows }, size);
        const png = await encodePng({ rows: size.height, columns: size.width, pixels: mask });
        writeFileAtomic(join(maskDir, maskFileName(image.id, finding, options.annotator)), png);
        masks += 1;
      }
    }
  }
  return {
    outDir,
    formats: [...new Set(options.formats)],
    annotator: options.annotator ?? null,
    finding: options.finding ?? null,
    size: options.size ?? null,
    images: images.list.length,
    regions: images.list.reduce((n, i) => n + Object.values(i.findings).reduce((m, r) => m + r.length, 0), 0),
    masks,
    json,
    chexlocalize,
    invalid: { count: invalid.length, ids: invalid.slice(0, 20) },
  };
}

/** `<imageId>_<finding>[_<annotator>].png`; characters other than letters, digits, `.`, `_`, `-` become `-`. */
export function maskFileName(imageId: number, finding: string, annotator?: string): string {
  const safe = (text: string): string => text.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${imageId}_${safe(finding)}${annotator === undefined ? '' : `_${safe(annotator)}`}.png`;
}

function checkOptions(options: RegionExportOptions): void {
  const known = regionExportFormats.join(', ');
  if (options.formats.length === 0) throw new InputError(`choose at least one export format (${known})`, 'formats');
  for (const format of options.formats)
    if (!regionExportFormats.includes(format))
      throw new InputError(`export format must be one of ${known}; got '${String(format)}'`, 'formats');
  if (options.finding !== undefined && !isFinding(options.finding))
    throw new InputError(`finding must be one of ${findings.join(', ')}; got '${options.finding}'`, 'finding');
  const size = options.size;
  if (size && !(isSide(size.width) && isSide(size.height)))
    throw new InputError(`mask size must be whole numbers from 1 to 16384; got ${size.width}×${size.height}`, 'size');
}

function isSide(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 16384;
}

/** The matching regions grouped per image and finding, in created order; invalid geometry set aside. */
function readRegions(
  db: Database.Database,
  options: RegionExportOptions,
): { list: ExportedImage[]; invalid: number[] } {
  const where = ['a.deleted = 0'];
  const params: string[] = [];
  if (options.annotator !== undefined) {
    // `vindr` also selects `vindr/R8`: readers of one imported file share the prefix.
    where.push("(a.annotator = ? OR substr(a.annotator, 1, length(?) + 1) = ? || '/')");
    params.push(options.annotator, options.annotator, options.annotator);
  }
  if (options.finding !== undefined) {
    where.push('a.finding = ?');
    params.push(options.finding);
  }
  const rows = db
    .prepare(
      `SELECT a.id, a.image_id AS imageId, a.finding, a.annotator, a.geometry, a.created_at AS createdAt,
              a.updated_at AS updatedAt, i.sop_instance_uid AS sopInstanceUid, i.original_name AS originalName,
              s.name AS source, i.rows, i.cols
       FROM annotations a JOIN images i ON i.id = a.image_id JOIN sources s ON s.id = i.source_id
       WHERE ${where.join(' AND ')}
       ORDER BY a.image_id, a.finding, a.created_at, a.id`,
    )
    .all(...params) as AnnotationRow[];
  const byImage = new Map<number, ExportedImage>();
  const invalid: number[] = [];
  for (const row of rows) {
    const geometry = parseGeometry(row.geometry);
    if (geometry === null) {
      invalid.push(row.id);
      continue;
    }
    let image = byImage.get(row.imageId);
    if (!image) {
      const { imageId: id, sopInstanceUid, originalName, source, rows: r, cols } = row;
      image = { id, sopInstanceUid, originalName, source, rows: r, cols, findings: {} };
      byImage.set(id, image);
    }
    (image.findings[row.finding] ??= []).push({
      id: row.id,
      annotator: row.annotator,
      geometry,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  }
  return { list: [...byImage.values()], invalid };
}

function parseGeometry(text: string): RegionGeometry | null {
  try {
    const parsed = regionGeometrySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function regionsDocument(images: readonly ExportedImage[], options: RegionExportOptions): unknown {
  return {
    format: 'aligner-regions',
    version: 1,
    exportedAt: new Date().toISOString(),
    coordinates:
      'image pixels: x to the right (column), y down (row); pixel (c, r) covers [c, c+1) x [r, r+1); polygons are closed implicitly',
    filters: { annotator: options.annotator ?? null, finding: options.finding ?? null },
    images,
  };
}
