import type Database from 'better-sqlite3';
import type { HistoryState, Region, RegionGeometry } from '../../api/annotation-schemas';
import { InputError } from '../input-error';
import { requireAnnotator } from './annotators';
import { assertGeometryFitsImage } from './geometry-fit';
import { historyState, recordEdit } from './region-history';
import { readRegion } from './regions';
import type { ImageSize } from './rasterize';

/**
 * The edits a reader makes to regions. Each is one SQLite transaction that
 * writes the region and its undo entry together, and returns only after the
 * commit: what the caller reports as saved is on disk (WAL), and a killed
 * process loses nothing that was acknowledged. Deletes are soft.
 */
export interface RegionEdit {
  readonly region: Region;
  readonly history: HistoryState;
}

export interface NewRegion {
  readonly imageId: number;
  readonly finding: string;
  readonly annotator: string;
  readonly geometry: RegionGeometry;
}

const now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

interface Stamps {
  id: number;
  created_at: string;
  updated_at: string;
}

export function createRegion(db: Database.Database, input: NewRegion): RegionEdit {
  return db.transaction((): RegionEdit => {
    requireAnnotator(db, input.annotator);
    assertGeometryFitsImage(input.geometry, imageSize(db, input.imageId));
    const geometry = JSON.stringify(input.geometry);
    const row = db
      .prepare(
        `INSERT INTO annotations (image_id, finding, annotator, geometry) VALUES (?, ?, ?, ?)
         RETURNING id, created_at, updated_at`,
      )
      .get(input.imageId, input.finding, input.annotator, geometry) as Stamps;
    recordEdit(db, {
      imageId: input.imageId,
      annotator: input.annotator,
      annotationId: row.id,
      action: 'create',
      before: null,
      after: geometry,
    });
    return {
      region: { ...input, id: row.id, createdAt: row.created_at, updatedAt: row.updated_at },
      history: historyState(db, input.imageId, input.annotator),
    };
  })();
}

/** Replaces a live region's geometry (move, reshape); only its own annotator may. */
export function updateRegion(
  db: Database.Database,
  input: { readonly id: number; readonly annotator: string; readonly geometry: RegionGeometry },
): RegionEdit {
  return db.transaction((): RegionEdit => {
    requireAnnotator(db, input.annotator);
    const current = ownLiveRegion(db, input.id, input.annotator);
    assertGeometryFitsImage(input.geometry, imageSize(db, current.imageId));
    const before = JSON.stringify(current.geometry);
    const after = JSON.stringify(input.geometry);
    const row = db
      .prepare(
        `UPDATE annotations SET geometry = ?, updated_at = ${now} WHERE id = ? RETURNING id, created_at, updated_at`,
      )
      .get(after, input.id) as Stamps;
    recordEdit(db, {
      imageId: current.imageId,
      annotator: input.annotator,
      annotationId: input.id,
      action: 'update',
      before,
      after,
    });
    return {
      region: { ...current, geometry: input.geometry, updatedAt: row.updated_at },
      history: historyState(db, current.imageId, input.annotator),
    };
  })();
}

/** Soft-deletes a live region; only its own annotator may. Undo brings it back. */
export function deleteRegion(
  db: Database.Database,
  input: { readonly id: number; readonly annotator: string },
): { readonly id: number; readonly history: HistoryState } {
  return db.transaction(() => {
    requireAnnotator(db, input.annotator);
    const current = ownLiveRegion(db, input.id, input.annotator);
    db.prepare(`UPDATE annotations SET deleted = 1, updated_at = ${now} WHERE id = ?`).run(input.id);
    recordEdit(db, {
      imageId: current.imageId,
      annotator: input.annotator,
      annotationId: input.id,
      action: 'delete',
      before: JSON.stringify(current.geometry),
      after: null,
    });
    return { id: input.id, history: historyState(db, current.imageId, input.annotator) };
  })();
}

/** The stored size of an image. @throws InputError (field `imageId`) for an unknown image */
export function imageSize(db: Database.Database, imageId: number): ImageSize {
  const row = db.prepare('SELECT rows, cols FROM images WHERE id = ?').get(imageId) as
    { rows: number; cols: number } | undefined;
  if (!row) throw new InputError(`no image with id ${imageId} in this workspace`, 'imageId');
  return { columns: row.cols, rows: row.rows };
}

function ownLiveRegion(db: Database.Database, id: number, annotator: string): Region {
  const region = readRegion(db, id);
  if (!region || region.deleted) throw new InputError(`no live region with id ${id}`, 'id');
  if (region.annotator !== annotator) {
    throw new InputError(`region ${id} was drawn by ${region.annotator}; only they can change it`, 'id');
  }
  const { deleted: _deleted, ...live } = region;
  return live;
}
