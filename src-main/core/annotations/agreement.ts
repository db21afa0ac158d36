/**
 * Inter-reader agreement: how well two annotators' regions overlap (Dice and
 * IoU), per image and finding and over a set of images. Masks come from the
 * one rasteriser (`rasterizeRegions`), so agreement, training targets and hit
 * rates all read regions the same way.
 */
import type Database from 'better-sqlite3';
import { regionGeometrySchema, type RegionGeometry } from '../../api/annotation-schemas';
import { InputError } from '../input-error';
import { rasterizeRegions, type MaskSize } from './rasterize';

/** Overlap of two binary masks of one size. */
export interface MaskOverlap {
  /** Pixels set in a. */
  readonly pixelsA: number;
  /** Pixels set in b. */
  readonly pixelsB: number;
  /** Pixels set in both. */
  readonly intersection: number;
  /** Pixels set in either. */
  readonly union: number;
  /** 2·|a ∩ b| / (|a| + |b|); 1 when both masks are empty (they agree that nothing is there). */
  readonly dice: number;
  /** |a ∩ b| / |a ∪ b|; 1 when both masks are empty. */
  readonly iou: number;
}

/**
 * Dice and IoU of two binary masks (any non-zero value counts as set).
 *
 * @param a [pixels] mask of one reader
 * @param b [pixels] mask of the other, same length
 * @throws RangeError when the lengths differ
 */
export function maskAgreement(a: Uint8Array, b: Uint8Array): MaskOverlap {
  if (a.length !== b.length) throw new RangeError(`masks differ in size: ${a.length} and ${b.length} pixels`);
  let pixelsA = 0;
  let pixelsB = 0;
  let intersection = 0;
  for (let p = 0; p < a.length; p++) {
    const inA = a[p] !== 0;
    const inB = b[p] !== 0;
    if (inA) pixelsA++;
    if (inB) pixelsB++;
    if (inA && inB) intersection++;
  }
  const union = pixelsA + pixelsB - intersection;
  return {
    pixelsA,
    pixelsB,
    intersection,
    union,
    dice: union === 0 ? 1 : (2 * intersection) / (pixelsA + pixelsB),
    iou: union === 0 ? 1 : intersection / union,
  };
}

export interface AgreementOptions {
  readonly annotatorA: string;
  readonly annotatorB: string;
  /** Only this finding; default every finding either annotator drew. */
  readonly finding?: string;
  /** Only these images; default every image either annotator drew on. */
  readonly imageIds?: readonly number[];
  /**
   * The masks' longer side, in pixels. Images larger than this are compared
   * on a mask scaled (each axis, as the rasteriser does) so the longer side is
   * `maxSide`; smaller images at their own size. Default 1024: agreement there
   * differs from full resolution only by pixels along region boundaries, and a
   * 3000-pixel radiograph costs a ninth of the work.
   */
  readonly maxSide?: number;
}

/** Agreement on one image and finding where at least one of the two drew a region. */
export interface PairAgreement extends MaskOverlap {
  readonly imageId: number;
  readonly finding: string;
  /** The size the masks were compared at. */
  readonly maskSize: MaskSize;
  /** Which annotator alone drew here (dice = iou = 0), or null when both did. */
  readonly onlyAnnotated: 'A' | 'B' | null;
}

export interface AgreementSummary {
  /** Image–finding pairs compared (at least one annotator drew there). */
  readonly pairs: number;
  /** Of those, the pairs both annotators drew on. */
  readonly bothAnnotated: number;
  /** Mean Dice over the pairs both drew on; null when there are none. */
  readonly meanDice: number | null;
  /** Mean IoU over the pairs both drew on; null when there are none. */
  readonly meanIou: number | null;
  /**
   * Dice of all pairs pooled: 2·Σ intersection / Σ (pixelsA + pixelsB), over
   * every pair (one-sided ones too, so a missed region counts against it);
   * null when no pair has a pixel. Pixels of differently sized masks add up
   * as they are, so larger masks weigh more.
   */
  readonly pooledDice: number | null;
  /** IoU of all pairs pooled: Σ intersection / Σ union; null when no pair has a pixel. */
  readonly pooledIou: number | null;
}

export interface AgreementReport {
  readonly annotatorA: string;
  readonly annotatorB: string;
  readonly finding: string | null;
  readonly maxSide: number;
  /** By image id, then finding. */
  readonly pairs: readonly PairAgreement[];
  readonly overall: AgreementSummary;
}

const defaultMaxSide = 1024;

interface AnnotationRow {
  id: number;
  image_id: number;
  finding: string;
  annotator: string;
  geometry: string;
  rows: number;
  cols: number;
}

/**
 * Dice and IoU between two annotators' regions. For each image and finding
 * where at least one of them drew (has a live region that is not an eraser
 * stroke), each annotator's live regions, erasers included, are
 * rasterised together, in the order they were created (id order, so an eraser
 * clears only what came before it), at the image size or scaled down to
 * `maxSide`, and the two masks are compared. Where only one annotator drew, the
 * pair scores 0 (and counts in `pairs` and the pooled scores, not the means).
 *
 * @throws InputError when the annotators are the same or `maxSide` is not a positive integer
 */
export function regionAgreement(db: Database.Database, options: AgreementOptions): AgreementReport {
  const maxSide = options.maxSide ?? defaultMaxSide;
  if (options.annotatorA === options.annotatorB) {
    throw new InputError(`compare two different annotators, got '${options.annotatorA}' twice`, 'annotatorB');
  }
  if (!(Number.isInteger(maxSide) && maxSide > 0)) {
    throw new InputError(`maxSide must be a positive integer, got ${maxSide}`, 'maxSide');
  }
  const filters = ['a.deleted = 0', 'a.annotator IN (@annotatorA, @annotatorB)'];
  if (options.finding !== undefined) filters.push('a.finding = @finding');
  if (options.imageIds !== undefined) filters.push('a.image_id IN (SELECT value FROM json_each(@imageIds))');
  const rows = db
    .prepare(
      `SELECT a.id, a.image_id, a.finding, a.annotator, a.geometry, i.rows, i.cols
         FROM annotations a JOIN images i ON i.id = a.image_id
        WHERE ${filters.join(' AND ')}
        ORDER BY a.image_id, a.finding, a.id`,
    )
    .all({
      annotatorA: options.annotatorA,
      annotatorB: options.annotatorB,
      ...(options.finding !== undefined && { finding: options.finding }),
      ...(options.imageIds !== undefined && { imageIds: JSON.stringify(options.imageIds) }),
    }) as AnnotationRow[];

  const pairs: PairAgreement[] = [];
  for (let start = 0; start < rows.length;) {
    const first = rows[start] as AnnotationRow;
    let end = start;
    while (end < rows.length && sameTarget(rows[end] as AnnotationRow, first)) end++;
    const pair = comparePair(rows.slice(start, end), options.annotatorA, maxSide);
    if (pair) pairs.push(pair);
    start = end;
  }
  return {
    annotatorA: options.annotatorA,
    annotatorB: options.annotatorB,
    finding: options.finding ?? null,
    maxSide,
    pairs,
    overall: summarize(pairs),
  };
}

/**
 * Agreement on one image (the Annotate view's figure): `regionAgreement`
 * limited to it.
 *
 * @throws InputError (field `imageId`) when there is no such image
 */
export function imageAgreement(
  db: Database.Database,
  options: Omit<AgreementOptions, 'imageIds'> & { readonly imageId: number },
): AgreementReport {
  const { imageId, ...rest } = options;
  if (!db.prepare('SELECT 1 FROM images WHERE id = ?').get(imageId)) {
    throw new InputError(`no image with id ${imageId}`, 'imageId');
  }
  return regionAgreement(db, { ...rest, imageIds: [imageId] });
}

/** The mask size for an image: its own, or scaled so the longer side is `maxSide`. */
export function agreementMaskSize(
  image: { readonly columns: number; readonly rows: number },
  maxSide: number,
): MaskSize {
  const longer = Math.max(image.columns, image.rows);
  if (longer <= maxSide) return { width: image.columns, height: image.rows };
  const scale = maxSide / longer;
  return {
    width: Math.max(1, Math.min(maxSide, Math.round(image.columns * scale))),
    height: Math.max(1, Math.min(maxSide, Math.round(image.rows * scale))),
  };
}

function sameTarget(a: AnnotationRow, b: AnnotationRow): boolean {
  return a.image_id === b.image_id && a.finding === b.finding;
}

/**
 * @param rows one image and finding's live regions of both annotators, in id order
 * @returns undefined when neither drew there (erasers only)
 */
function comparePair(rows: readonly AnnotationRow[], annotatorA: string, maxSide: number): PairAgreement | undefined {
  const first = rows[0] as AnnotationRow;
  const image = { columns: first.cols, rows: first.rows };
  const maskSize = agreementMaskSize(image, maxSide);
  const regionsA: RegionGeometry[] = [];
  const regionsB: RegionGeometry[] = [];
  for (const row of rows) (row.annotator === annotatorA ? regionsA : regionsB).push(parseGeometry(row));
  if (!drew(regionsA) && !drew(regionsB)) return undefined;
  const overlap = maskAgreement(
    rasterizeRegions(regionsA, image, maskSize),
    rasterizeRegions(regionsB, image, maskSize),
  );
  const onlyAnnotated = !drew(regionsB) ? 'A' : !drew(regionsA) ? 'B' : null;
  return {
    imageId: first.image_id,
    finding: first.finding,
    maskSize,
    onlyAnnotated,
    ...overlap,
    // One reader's regions may all rasterise to nothing (a sub-pixel mark, or erased):
    // that is still disagreement with a reader who drew nothing, never a perfect match.
    ...(onlyAnnotated !== null && { dice: 0, iou: 0 }),
  };
}

/** Whether a reader drew here: at least one region that paints (an eraser alone is no annotation). */
function drew(regions: readonly RegionGeometry[]): boolean {
  return regions.some((r) => !(r.kind === 'stroke' && r.erase));
}

function parseGeometry(row: AnnotationRow): RegionGeometry {
  const parsed = regionGeometrySchema.safeParse(safeJson(row.geometry));
  if (!parsed.success) throw new Error(`annotation ${row.id} has invalid geometry: ${parsed.error.message}`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function summarize(pairs: readonly PairAgreement[]): AgreementSummary {
  const both = pairs.filter((p) => p.onlyAnnotated === null);
  let intersection = 0;
  let union = 0;
  let pixels = 0;
  for (const p of pairs) {
    intersection += p.intersection;
    union += p.union;
    pixels += p.pixelsA + p.pixelsB;
  }
  const mean = (values: readonly number[]): number | null =>
    values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    pairs: pairs.length,
    bothAnnotated: both.length,
    meanDice: mean(both.map((p) => p.dice)),
    meanIou: mean(both.map((p) => p.iou)),
    pooledDice: pixels === 0 ? null : (2 * intersection) / pixels,
    pooledIou: union === 0 ? null : intersection / union,
  };
}
