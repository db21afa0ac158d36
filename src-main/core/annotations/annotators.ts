import type Database from 'better-sqlite3';
import { InputError } from '../input-error';

export interface AnnotatorEntry {
  readonly name: string;
  /** Chosen in the app (a person who draws), rather than only found on imported regions. */
  readonly registered: boolean;
  /** Live (not deleted) regions drawn under this name. */
  readonly regions: number;
}

/** Registered annotators and every name found on live regions, alphabetically. */
export function listAnnotators(db: Database.Database): AnnotatorEntry[] {
  const rows = db
    .prepare(
      `SELECT name, MAX(registered) AS registered, SUM(regions) AS regions FROM (
         SELECT name, 1 AS registered, 0 AS regions FROM annotators
         UNION ALL
         SELECT annotator AS name, 0 AS registered, COUNT(*) AS regions FROM annotations WHERE deleted = 0 GROUP BY annotator
       ) GROUP BY name ORDER BY name COLLATE NOCASE`,
    )
    .all() as { name: string; registered: number; regions: number }[];
  return rows.map((row) => ({ name: row.name, registered: row.registered === 1, regions: row.regions }));
}

/** Registers a person who draws; registering a name twice is harmless. */
export function addAnnotator(db: Database.Database, name: string): AnnotatorEntry[] {
  db.prepare('INSERT OR IGNORE INTO annotators (name) VALUES (?)').run(name);
  return listAnnotators(db);
}

/**
 * Edits are made by registered annotators only, so a typo in a name cannot
 * scatter one reader's work over two identities.
 *
 * @throws InputError (field `annotator`) when the name is not registered
 */
export function requireAnnotator(db: Database.Database, name: string): void {
  if (!db.prepare('SELECT 1 FROM annotators WHERE name = ?').get(name)) {
    throw new InputError(`unknown annotator '${name}': choose or add an annotator first`, 'annotator');
  }
}
