import type Database from 'better-sqlite3';
import type { HistoryState } from '../../api/annotation-schemas';

/**
 * The undo/redo history of one image for one annotator, kept in
 * `annotation_history` so it survives a restart. Entries are 'done' or
 * 'undone'; the undone ones are always the newest of the stack, and a new edit
 * turns them into 'dropped' (the usual editor semantics: redo is lost after a
 * new edit). Callers run these inside their write transaction.
 */
export type EditAction = 'create' | 'update' | 'delete';

export interface EditRecord {
  readonly imageId: number;
  readonly annotator: string;
  readonly annotationId: number;
  readonly action: EditAction;
  /** Geometry JSON before the edit (update, delete). */
  readonly before: string | null;
  /** Geometry JSON after the edit (create, update). */
  readonly after: string | null;
}

/** Appends an edit to the stack and drops whatever could have been redone. */
export function recordEdit(db: Database.Database, edit: EditRecord): void {
  db.prepare(
    "UPDATE annotation_history SET state = 'dropped' WHERE image_id = ? AND annotator = ? AND state = 'undone'",
  ).run(edit.imageId, edit.annotator);
  db.prepare(
    `INSERT INTO annotation_history (image_id, annotator, annotation_id, action, before, after)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(edit.imageId, edit.annotator, edit.annotationId, edit.action, edit.before, edit.after);
}

export function historyState(db: Database.Database, imageId: number, annotator: string): HistoryState {
  const count = db
    .prepare('SELECT COUNT(*) FROM annotation_history WHERE image_id = ? AND annotator = ? AND state = ?')
    .pluck();
  return {
    canUndo: (count.get(imageId, annotator, 'done') as number) > 0,
    canRedo: (count.get(imageId, annotator, 'undone') as number) > 0,
  };
}

interface HistoryRow {
  id: number;
  annotation_id: number;
  action: EditAction;
  before: string | null;
  after: string | null;
}

export interface AppliedStep {
  readonly action: EditAction;
  readonly annotationId: number;
}

/** Reverts the newest done edit, in one transaction; null when there is none. */
export function undoEdit(db: Database.Database, imageId: number, annotator: string): AppliedStep | null {
  return step(db, imageId, annotator, 'undo');
}

/** Re-applies the oldest undone edit, in one transaction; null when there is none. */
export function redoEdit(db: Database.Database, imageId: number, annotator: string): AppliedStep | null {
  return step(db, imageId, annotator, 'redo');
}

/**
 * Undo takes the newest 'done' entry and puts the region back as it was before
 * the edit; redo takes the oldest 'undone' entry and puts it as it was after.
 */
function step(db: Database.Database, imageId: number, annotator: string, way: 'undo' | 'redo'): AppliedStep | null {
  const undo = way === 'undo';
  return db.transaction((): AppliedStep | null => {
    const row = db
      .prepare(
        `SELECT id, annotation_id, action, before, after FROM annotation_history
         WHERE image_id = ? AND annotator = ? AND state = ? ORDER BY id ${undo ? 'DESC' : 'ASC'} LIMIT 1`,
      )
      .get(imageId, annotator, undo ? 'done' : 'undone') as HistoryRow | undefined;
    if (!row) return null;
    // A created region is deleted by its undo; a deleted one comes back.
    if (row.action === 'create') setDeleted(db, row.annotation_id, undo);
    else if (row.action === 'delete') setDeleted(db, row.annotation_id, !undo);
    else setGeometry(db, row.annotation_id, undo ? row.before : row.after);
    db.prepare('UPDATE annotation_history SET state = ? WHERE id = ?').run(undo ? 'undone' : 'done', row.id);
    return { action: row.action, annotationId: row.annotation_id };
  })();
}

const now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

function setDeleted(db: Database.Database, id: number, deleted: boolean): void {
  db.prepare(`UPDATE annotations SET deleted = ?, updated_at = ${now} WHERE id = ?`).run(deleted ? 1 : 0, id);
}

function setGeometry(db: Database.Database, id: number, geometry: string | null): void {
  if (geometry === null) throw new Error(`history entry of annotation ${id} has no geometry to restore`);
  db.prepare(`UPDATE annotations SET geometry = ?, updated_at = ${now} WHERE id = ?`).run(geometry, id);
}
