/**
 * The attention side of a run's evaluation, per test image: the pointing game's peak, its hit against the human
 * regions, and the IoU of the thresholded map with them — with the expensive parts cached in the workspace
 * (`run_image_evaluations`, migration 4).
 *
 * Human regions: the union of every annotator's live (not deleted) regions of the finding, each annotator's
 * regions rasterised on their own in the order drawn (an eraser clears only its own annotator's earlier
 * regions), at the image's own size — the same union the trainer's masks use (training/data/region-masks.ts).
 *
 * Cost: the peak and the attention mask's statistics need the map bilinearly upsampled to the full image (5 M
 * pixels for 2048×2500), so they are computed once per (run, image, finding) and kept: they depend on nothing
 * else. The IoU and whether the union mask sets any pixel need the regions rasterised at full size; they are
 * kept with a fingerprint of the regions and recomputed only when the regions changed (cheap: the attention
 * side comes from the kept statistics, so only the values inside the human mask's box are upsampled). The hit
 * is never stored: it is a point test of the current regions at the stored peak (`rasterizedPixel`, equal to
 * the rasterised mask's pixel there).
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { regionGeometrySchema, type RegionGeometry } from '../../api/annotation-schemas';
import { rasterizedPixel, rasterizeRegions, type ImageSize } from '../annotations/rasterize';
import { attentionIoU, attentionStatistics, type AttentionStatistics } from './attention-iou';
import { attentionPeak } from './pointing';

/** The live regions of one finding on one image. */
export interface HumanRegions {
  /** Every annotator's regions, oldest first (the order they rasterise in). */
  readonly byAnnotator: ReadonlyMap<string, readonly RegionGeometry[]>;
  /** All of them in id order (what the gallery draws). */
  readonly all: readonly RegionGeometry[];
  /** Fingerprint of the rows (id, annotator, geometry): equal keys, equal masks. */
  readonly key: string;
}

/** Reads the live regions of a finding on the given images: one query, geometry parsed once. */
export function readHumanRegions(
  db: Database.Database,
  finding: string,
  imageIds: readonly number[],
): Map<number, HumanRegions> {
  const rows = db
    .prepare(
      `SELECT id, image_id AS imageId, annotator, geometry FROM annotations
       WHERE finding = ? AND deleted = 0 AND image_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    )
    .all(finding, JSON.stringify(imageIds)) as { id: number; imageId: number; annotator: string; geometry: string }[];
  const grouped = new Map<number, { id: number; annotator: string; geometry: string }[]>();
  for (const row of rows) {
    const list = grouped.get(row.imageId) ?? [];
    list.push(row);
    grouped.set(row.imageId, list);
  }
  const out = new Map<number, HumanRegions>();
  for (const [imageId, list] of grouped) {
    const hash = createHash('sha1');
    const byAnnotator = new Map<string, RegionGeometry[]>();
    const all: RegionGeometry[] = [];
    for (const row of list) {
      hash.update(`${row.id}\u0000${row.annotator}\u0000${row.geometry}\u0001`);
      const geometry = regionGeometrySchema.parse(JSON.parse(row.geometry));
      all.push(geometry);
      const own = byAnnotator.get(row.annotator) ?? [];
      own.push(geometry);
      byAnnotator.set(row.annotator, own);
    }
    out.set(imageId, { byAnnotator, all, key: hash.digest('hex') });
  }
  return out;
}

/** The union of every annotator's own mask at the image's size: [rows × columns] 0/1. */
export function humanMask(regions: HumanRegions, image: ImageSize): Uint8Array {
  let union: Uint8Array | null = null;
  for (const own of regions.byAnnotator.values()) {
    const mask = rasterizeRegions(own, image);
    if (union === null) union = mask;
    else for (let i = 0; i < mask.length; i++) union[i] = (union[i] as number) | (mask[i] as number);
  }
  return union ?? new Uint8Array(image.columns * image.rows);
}

/** Whether the union of the annotators' masks sets the image pixel (x, y): the mask's value there, no mask made. */
export function humanMaskAt(regions: HumanRegions, image: ImageSize, x: number, y: number): 0 | 1 {
  for (const own of regions.byAnnotator.values()) if (rasterizedPixel(own, image, x, y) === 1) return 1;
  return 0;
}

export interface AlignmentImage {
  readonly imageId: number;
  readonly rows: number;
  readonly cols: number;
}

export interface ImageAlignment {
  /** First maximum of the upsampled map, image pixels. */
  readonly peak: { readonly x: number; readonly y: number };
  /** Pointing game: 1 when the human mask is set at the peak, 0 when not, null when the mask is empty (or none). */
  readonly hit: 0 | 1 | null;
  /** IoU with the human mask; null when the mask is empty (or none). */
  readonly iou: number | null;
}

interface CachedRow {
  image_id: number;
  peak_x: number;
  peak_y: number;
  att_min: number | null;
  att_max: number | null;
  att_threshold: number | null;
  att_pixels: number | null;
  regions_key: string | null;
  masked: number | null;
  iou: number | null;
}

/**
 * Peak, hit and IoU of one run's attention maps for a finding on the given images, from the cache where it holds
 * and computed (then stored) where not. Images whose prediction has no attention map are absent from the result.
 *
 * What is computed when: an image without human regions needs only its peak (one pass over the upsampled map);
 * one with regions needs the attention statistics too (a second pass, once), and its IoU and whether the regions
 * set a pixel are recomputed when the regions' fingerprint changes (a rasterisation at image size and a pass over
 * the upsampled values inside the human mask's bounding box only).
 *
 * @param regions the current live regions of the finding (readHumanRegions); an image absent has none
 */
export function imageAlignments(
  db: Database.Database,
  runId: number,
  finding: string,
  images: readonly AlignmentImage[],
  regions: ReadonlyMap<number, HumanRegions>,
): Map<number, ImageAlignment> {
  const cached = new Map<number, CachedRow>();
  const wanted = new Set(images.map((i) => i.imageId));
  // Every cached row of the run and finding in one query: cheaper than a lookup per image for a page or more.
  for (const row of db
    .prepare(
      `SELECT image_id, peak_x, peak_y, att_min, att_max, att_threshold, att_pixels, regions_key, masked, iou
       FROM run_image_evaluations WHERE run_id = ? AND finding = ?`,
    )
    .iterate(runId, finding) as IterableIterator<CachedRow>) {
    if (wanted.has(row.image_id)) cached.set(row.image_id, row);
  }
  const attentionOf = db
    .prepare('SELECT attention FROM predictions WHERE run_id = ? AND image_id = ? AND finding = ?')
    .pluck();
  const writes: CachedRow[] = [];
  const out = new Map<number, ImageAlignment>();
  for (const image of images) {
    const size: ImageSize = { columns: image.cols, rows: image.rows };
    const human = regions.get(image.imageId);
    let row = cached.get(image.imageId);
    const fresh = row !== undefined && (human === undefined || row.regions_key === human.key);
    if (!fresh) {
      const blob = attentionOf.get(runId, image.imageId, finding) as Buffer | null | undefined;
      if (!blob) continue;
      const map = new Float32Array(new Uint8Array(blob).buffer);
      const grid = Math.round(Math.sqrt(map.length));
      if (human === undefined) {
        const peak = attentionPeak(map, grid, size.columns, size.rows);
        row = { ...emptyRow(image.imageId), peak_x: peak.x, peak_y: peak.y };
      } else {
        const statistics: AttentionStatistics =
          row !== undefined && row.att_pixels !== null
            ? {
                peak: { x: row.peak_x, y: row.peak_y, value: row.att_max as number },
                min: row.att_min as number,
                max: row.att_max as number,
                threshold: row.att_threshold,
                foreground: row.att_pixels,
              }
            : attentionStatistics(map, grid, size.columns, size.rows);
        const mask = humanMask(human, size);
        const masked = mask.includes(1);
        row = {
          image_id: image.imageId,
          peak_x: statistics.peak.x,
          peak_y: statistics.peak.y,
          att_min: statistics.min,
          att_max: statistics.max,
          att_threshold: statistics.threshold,
          att_pixels: statistics.foreground,
          regions_key: human.key,
          masked: masked ? 1 : 0,
          iou: masked ? attentionIoU(map, grid, mask, size.columns, size.rows, statistics) : null,
        };
      }
      writes.push(row);
    }
    const current = row as CachedRow;
    const counts = human !== undefined && current.masked === 1;
    out.set(image.imageId, {
      peak: { x: current.peak_x, y: current.peak_y },
      hit: counts ? humanMaskAt(human, size, current.peak_x, current.peak_y) : null,
      iou: counts ? current.iou : null,
    });
  }
  if (writes.length > 0 && !db.readonly) {
    const upsert = db.prepare(
      `INSERT INTO run_image_evaluations (run_id, image_id, finding, peak_x, peak_y, att_min, att_max, att_threshold,
         att_pixels, regions_key, masked, iou)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, finding, image_id) DO UPDATE SET peak_x = excluded.peak_x, peak_y = excluded.peak_y,
         att_min = excluded.att_min, att_max = excluded.att_max, att_threshold = excluded.att_threshold,
         att_pixels = excluded.att_pixels, regions_key = excluded.regions_key, masked = excluded.masked,
         iou = excluded.iou`,
    );
    db.transaction(() => {
      for (const w of writes)
        upsert.run(
          runId,
          w.image_id,
          finding,
          w.peak_x,
          w.peak_y,
          w.att_min,
          w.att_max,
          w.att_threshold,
          w.att_pixels,
          w.regions_key,
          w.masked,
          w.iou,
        );
    })();
  }
  return out;
}

function emptyRow(imageId: number): CachedRow {
  return {
    image_id: imageId,
    peak_x: 0,
    peak_y: 0,
    att_min: null,
    att_max: null,
    att_threshold: null,
    att_pixels: null,
    regions_key: null,
    masked: null,
    iou: null,
  };
}
