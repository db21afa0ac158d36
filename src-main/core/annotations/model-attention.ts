import type Database from 'better-sqlite3';
import { regionGeometrySchema, type RegionGeometry } from '../../api/annotation-schemas';
import { attentionPeak, pointingHit } from '../evaluation/pointing';
import { rasterizeRegions } from './rasterize';
import { imageSize } from './region-edits';

export interface ImageAttention {
  readonly runId: number | null;
  readonly items: {
    readonly finding: string;
    readonly score: number;
    /** g: the map is g×g, row-major. */
    readonly grid: number;
    readonly attention: number[];
    /** The peak of the map upsampled to the image (bilinear), in image pixels. */
    readonly peak: { readonly x: number; readonly y: number };
    /** Pointing game against the reader's regions for the finding (anyone's when the reader has none): null when none. */
    readonly hit: 0 | 1 | null;
    readonly against: string | null;
  }[];
}

/**
 * The model's attention on one image from the newest finished run that scored
 * it, per finding, with the peak and whether it falls inside the human region
 * (CheXlocalize's pointing game, as the evaluation computes it).
 */
export function modelAttention(db: Database.Database, imageId: number, annotator?: string): ImageAttention {
  const size = imageSize(db, imageId);
  const runId = db
    .prepare(
      `SELECT r.id FROM runs r JOIN predictions p ON p.run_id = r.id
       WHERE p.image_id = ? AND r.status = 'done' ORDER BY r.id DESC LIMIT 1`,
    )
    .pluck()
    .get(imageId) as number | undefined;
  if (runId === undefined) return { runId: null, items: [] };
  const rows = db
    .prepare('SELECT finding, score, attention FROM predictions WHERE run_id = ? AND image_id = ? ORDER BY finding')
    .all(runId, imageId) as { finding: string; score: number; attention: Buffer | null }[];
  const regions = db
    .prepare('SELECT finding, annotator, geometry FROM annotations WHERE image_id = ? AND deleted = 0 ORDER BY id')
    .all(imageId) as { finding: string; annotator: string; geometry: string }[];
  const items: ImageAttention['items'][number][] = [];
  for (const row of rows) {
    if (!row.attention) continue;
    const map = new Float32Array(
      row.attention.buffer.slice(row.attention.byteOffset, row.attention.byteOffset + row.attention.byteLength),
    );
    const grid = Math.round(Math.sqrt(map.length));
    const peak = attentionPeak(map, grid, size.columns, size.rows);
    const forFinding = regions.filter((r) => r.finding === row.finding);
    const reader =
      annotator !== undefined && forFinding.some((r) => r.annotator === annotator)
        ? annotator
        : (forFinding[0]?.annotator ?? null);
    let hit: 0 | 1 | null = null;
    if (reader !== null) {
      const geometry: RegionGeometry[] = forFinding
        .filter((r) => r.annotator === reader)
        .map((r) => regionGeometrySchema.parse(JSON.parse(r.geometry)));
      hit = pointingHit(map, grid, rasterizeRegions(geometry, size), size.columns, size.rows);
    }
    items.push({
      finding: row.finding,
      score: row.score,
      grid,
      attention: Array.from(map),
      peak: { x: peak.x, y: peak.y },
      hit,
      against: reader,
    });
  }
  return { runId, items };
}
