import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { ensureSource, type SourceRole } from './sources';
import type { AnnotationsFile } from '../simulator';

/**
 * Stores the readers' polygons of a simulated cohort's `annotations.json` as
 * annotations of the images just imported from it (matched by file name within
 * the source), one transaction. Geometry is kept in image pixel coordinates as
 * `{ "kind": "polygon", "points": [[x, y], …] }`, the form the Annotate view
 * stores. Images already annotated by the same reader are left as they are.
 *
 * @returns how many annotations were added
 */
export function importSimulatedAnnotations(db: Database.Database, sourceId: number, file: AnnotationsFile): number {
  const imageOf = db.prepare('SELECT id FROM images WHERE source_id = ? AND original_name = ?').pluck();
  const exists = db.prepare(
    'SELECT 1 FROM annotations WHERE image_id = ? AND finding = ? AND annotator = ? AND deleted = 0',
  );
  const insert = db.prepare('INSERT INTO annotations (image_id, finding, annotator, geometry) VALUES (?, ?, ?, ?)');
  let added = 0;
  db.transaction(() => {
    for (const image of file.images) {
      const imageId = imageOf.get(sourceId, image.file) as number | undefined;
      if (imageId === undefined) continue;
      for (const [finding, entry] of Object.entries(image.findings)) {
        for (const annotation of entry?.annotations ?? []) {
          if (exists.get(imageId, finding, annotation.annotator)) continue;
          insert.run(
            imageId,
            finding,
            annotation.annotator,
            JSON.stringify({ kind: 'polygon', points: annotation.polygon }),
          );
          added += 1;
        }
      }
    }
  })();
  return added;
}

/**
 * The readers' regions of a simulated cohort folder (`annotations.json`, as
 * `aligner simulate` writes it) stored on the images of `source` imported from
 * that folder.
 *
 * @returns how many annotations were added
 */
export async function importSimulatedAnnotationsFile(
  db: Database.Database,
  dir: string,
  source: string,
  role: SourceRole,
): Promise<number> {
  const file = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8')) as AnnotationsFile;
  return importSimulatedAnnotations(db, ensureSource(db, source, role).id, file);
}
