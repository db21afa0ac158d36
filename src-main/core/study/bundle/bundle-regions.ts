import type Database from 'better-sqlite3';
import { regionGeometrySchema } from '../../../api/annotation-schemas';
import type { BundleRegions } from '../../../api/bundle-schemas';
import { assertGeometryFitsImage } from '../../annotations/geometry-fit';
import { InputError } from '../../input-error';

/** The annotator imported regions are stored under: the bundle's pseudonym with this prefix. */
export const bundleReaderPrefix = 'bundle:';

/**
 * regions.json of a bundle: the live regions (eraser strokes included) of the study's finding on the images of
 * the training sources, per image key, oldest first. Readers are pseudonymised (`reader-1`, … in the order of
 * their names): the masks only need to know which regions belong to one reader (each reader's eraser clears
 * their own regions; readers combine by union), not who drew them.
 */
export function collectBundleRegions(
  db: Database.Database,
  finding: string,
  trainSources: readonly string[],
): { regions: BundleRegions; count: number } {
  const rows = db
    .prepare(
      `SELECT i.blob_sha256 AS key, a.annotator, a.geometry FROM annotations a
       JOIN images i ON i.id = a.image_id
       JOIN sources s ON s.id = i.source_id AND s.name IN (SELECT value FROM json_each(?))
       WHERE a.deleted = 0 AND a.finding = ?
       ORDER BY i.blob_sha256, a.id`,
    )
    .all(JSON.stringify(trainSources), finding) as { key: string; annotator: string; geometry: string }[];
  const readers = new Map(
    [...new Set(rows.map((r) => r.annotator))].sort().map((name, i) => [name, `reader-${i + 1}`]),
  );
  const images: Record<string, { reader: string; geometry: unknown }[]> = {};
  for (const row of rows) {
    (images[row.key] ??= []).push({ reader: readers.get(row.annotator) as string, geometry: JSON.parse(row.geometry) });
  }
  return { regions: { finding, images }, count: rows.length };
}

/**
 * Stores the bundle's regions of the given images, in one transaction, as annotator `bundle:reader-N`. Only an
 * image that has no live region for the finding here takes them: a reader's own work is never overwritten or
 * mixed with another workstation's.
 *
 * @param images image key → this workspace's image id, for the images whose regions to import
 * @returns regions added, and the keys skipped because they already hold regions here
 * @throws InputError for geometry that is not a region or does not fit its image (nothing is stored)
 */
export function importBundleRegions(
  db: Database.Database,
  regions: BundleRegions,
  images: ReadonlyMap<string, number>,
): { added: number; images: number; skipped: string[] } {
  const live = db.prepare('SELECT 1 FROM annotations WHERE image_id = ? AND finding = ? AND deleted = 0 LIMIT 1');
  const size = db.prepare('SELECT rows, cols FROM images WHERE id = ?');
  const insert = db.prepare('INSERT INTO annotations (image_id, finding, annotator, geometry) VALUES (?, ?, ?, ?)');
  return db.transaction(() => {
    let added = 0;
    let imported = 0;
    const skipped: string[] = [];
    for (const [key, imageId] of images) {
      const list = regions.images[key] ?? [];
      if (list.length === 0) continue;
      if (live.get(imageId, regions.finding)) {
        skipped.push(key);
        continue;
      }
      const { rows, cols } = size.get(imageId) as { rows: number; cols: number };
      for (const region of list) {
        const parsed = regionGeometrySchema.safeParse(region.geometry);
        if (!parsed.success)
          throw new InputError(`regions.json: a region of image ${key.slice(0, 12)}… is not a valid region`, 'bundle');
        assertGeometryFitsImage(parsed.data, { columns: cols, rows });
        insert.run(imageId, regions.finding, `${bundleReaderPrefix}${region.reader}`, JSON.stringify(parsed.data));
        added += 1;
      }
      imported += 1;
    }
    return { added, images: imported, skipped };
  })();
}
