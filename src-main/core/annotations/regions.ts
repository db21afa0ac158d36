import type Database from 'better-sqlite3';
import { regionGeometrySchema, type Region } from '../../api/annotation-schemas';

interface RegionRow {
  id: number;
  image_id: number;
  finding: string;
  annotator: string;
  geometry: string;
  created_at: string;
  updated_at: string;
}

const columns = 'id, image_id, finding, annotator, geometry, created_at, updated_at';

/** Every live region of an image (all annotators), oldest first: the order they rasterise in. */
export function listRegions(db: Database.Database, imageId: number): Region[] {
  const rows = db
    .prepare(`SELECT ${columns} FROM annotations WHERE image_id = ? AND deleted = 0 ORDER BY id`)
    .all(imageId) as RegionRow[];
  return rows.map(toRegion);
}

/** One region by id, live or deleted; undefined when there is none. */
export function readRegion(db: Database.Database, id: number): (Region & { readonly deleted: boolean }) | undefined {
  const row = db.prepare(`SELECT ${columns}, deleted FROM annotations WHERE id = ?`).get(id) as
    (RegionRow & { deleted: number }) | undefined;
  return row && { ...toRegion(row), deleted: row.deleted === 1 };
}

function toRegion(row: RegionRow): Region {
  return {
    id: row.id,
    imageId: row.image_id,
    finding: row.finding,
    annotator: row.annotator,
    geometry: regionGeometrySchema.parse(JSON.parse(row.geometry)),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
