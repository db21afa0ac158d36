/**
 * Writes imported regions as `annotations` rows in one transaction, leaving out any whose geometry is already
 * stored (not deleted) for the same image, finding and annotator — so importing a file twice adds nothing.
 */
import type Database from 'better-sqlite3';
import type { RegionGeometry } from '../../../api/annotation-schemas';
import type { Finding } from '../../library/findings';

export interface RegionToStore {
  readonly imageId: number;
  readonly finding: Finding;
  readonly annotator: string;
  readonly geometry: RegionGeometry;
  /** Where in the file it came from, to name it in the summary. */
  readonly where: string;
}

export interface StoreResult {
  readonly added: readonly RegionToStore[];
  /** Regions left out because identical geometry was there (stored before, or earlier in the same file). */
  readonly alreadyPresent: number;
}

/** JSON with object keys sorted, so geometry stored by another writer with other key order compares equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function canonicalStored(text: string): string {
  try {
    return canonicalJson(JSON.parse(text));
  } catch {
    return text;
  }
}

/** Inserts `regions` in order, in one transaction; rolls back entirely if any insert fails. */
export function storeRegions(db: Database.Database, regions: readonly RegionToStore[]): StoreResult {
  const existing = db
    .prepare('SELECT geometry FROM annotations WHERE image_id = ? AND finding = ? AND annotator = ? AND deleted = 0')
    .pluck();
  const insert = db.prepare('INSERT INTO annotations (image_id, finding, annotator, geometry) VALUES (?, ?, ?, ?)');
  return db.transaction((): StoreResult => {
    const present = new Map<string, Set<string>>();
    const added: RegionToStore[] = [];
    let alreadyPresent = 0;
    for (const region of regions) {
      const group = JSON.stringify([region.imageId, region.finding, region.annotator]);
      let stored = present.get(group);
      if (!stored) {
        const rows = existing.all(region.imageId, region.finding, region.annotator) as string[];
        stored = new Set(rows.map(canonicalStored));
        present.set(group, stored);
      }
      const key = canonicalJson(region.geometry);
      if (stored.has(key)) {
        alreadyPresent += 1;
        continue;
      }
      insert.run(region.imageId, region.finding, region.annotator, JSON.stringify(region.geometry));
      stored.add(key);
      added.push(region);
    }
    return { added, alreadyPresent };
  })();
}
