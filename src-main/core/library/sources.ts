import type Database from 'better-sqlite3';
import { InputError } from '../input-error';

export type SourceRole = 'train' | 'validation' | 'ood-test';

export interface SourceRow {
  readonly id: number;
  readonly name: string;
  readonly role: SourceRole;
  readonly description: string;
  readonly imageCount: number;
}

/**
 * The source (site or dataset) named `name`, created with `role` if new. An
 * existing source keeps its role: importing into it with another role is an
 * error, since moving a site between training and test silently would change
 * every study that uses it.
 */
export function ensureSource(db: Database.Database, name: string, role: SourceRole, description = ''): SourceRow {
  const existing = db.prepare('SELECT id, role FROM sources WHERE name = ?').get(name) as
    { id: number; role: SourceRole } | undefined;
  if (existing && existing.role !== role) {
    throw new InputError(
      `source '${name}' exists with role ${existing.role}; import into it with --role ${existing.role} or choose another source name`,
      'role',
    );
  }
  if (!existing)
    db.prepare('INSERT INTO sources (name, role, description) VALUES (?, ?, ?)').run(name, role, description);
  return listSources(db).find((s) => s.name === name) as SourceRow;
}

export function listSources(db: Database.Database): SourceRow[] {
  return db
    .prepare(
      `SELECT s.id, s.name, s.role, s.description, count(i.id) AS imageCount
       FROM sources s LEFT JOIN images i ON i.source_id = s.id
       GROUP BY s.id ORDER BY s.name`,
    )
    .all() as SourceRow[];
}
