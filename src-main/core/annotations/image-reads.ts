import type Database from 'better-sqlite3';
import type { FindingFlags } from '../../api/annotation-schemas';
import { requireAnnotator } from './annotators';
import { imageSize } from './region-edits';

/**
 * One reader's verdicts and effort on one image, beside the regions: the
 * "no visible finding" and "uncertain" flags per finding, a free-text note,
 * and the active time spent (the human cost an alignment fraction implies).
 * Each write is one statement, hence its own transaction.
 */
const now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

export interface ImageRef {
  readonly imageId: number;
  readonly annotator: string;
}

export function setFindingFlags(
  db: Database.Database,
  input: ImageRef & { readonly finding: string; readonly noFinding: boolean; readonly uncertain: boolean },
): FindingFlags[] {
  checkRef(db, input);
  db.prepare(
    `INSERT INTO finding_flags (image_id, finding, annotator, no_finding, uncertain) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (image_id, finding, annotator)
     DO UPDATE SET no_finding = excluded.no_finding, uncertain = excluded.uncertain, updated_at = ${now}`,
  ).run(input.imageId, input.finding, input.annotator, input.noFinding ? 1 : 0, input.uncertain ? 1 : 0);
  return readFindingFlags(db, input);
}

export function readFindingFlags(db: Database.Database, ref: ImageRef): FindingFlags[] {
  const rows = db
    .prepare(
      `SELECT finding, no_finding, uncertain, updated_at FROM finding_flags
       WHERE image_id = ? AND annotator = ? ORDER BY finding`,
    )
    .all(ref.imageId, ref.annotator) as {
    finding: string;
    no_finding: number;
    uncertain: number;
    updated_at: string;
  }[];
  return rows.map((row) => ({
    finding: row.finding,
    noFinding: row.no_finding === 1,
    uncertain: row.uncertain === 1,
    updatedAt: row.updated_at,
  }));
}

export function setNote(db: Database.Database, input: ImageRef & { readonly note: string }): ReadState {
  checkRef(db, input);
  db.prepare(
    `INSERT INTO image_reads (image_id, annotator, note) VALUES (?, ?, ?)
     ON CONFLICT (image_id, annotator) DO UPDATE SET note = excluded.note, updated_at = ${now}`,
  ).run(input.imageId, input.annotator, input.note);
  return readState(db, input);
}

/** Adds active seconds (reported by the viewer while the reader works) to the image's tally. */
export function addActiveTime(db: Database.Database, input: ImageRef & { readonly seconds: number }): ReadState {
  checkRef(db, input);
  db.prepare(
    `INSERT INTO image_reads (image_id, annotator, active_seconds) VALUES (?, ?, ?)
     ON CONFLICT (image_id, annotator)
     DO UPDATE SET active_seconds = active_seconds + excluded.active_seconds, updated_at = ${now}`,
  ).run(input.imageId, input.annotator, input.seconds);
  return readState(db, input);
}

export interface ReadState {
  readonly note: string;
  readonly activeSeconds: number;
}

export function readState(db: Database.Database, ref: ImageRef): ReadState {
  const row = db
    .prepare('SELECT note, active_seconds FROM image_reads WHERE image_id = ? AND annotator = ?')
    .get(ref.imageId, ref.annotator) as { note: string; active_seconds: number } | undefined;
  return { note: row?.note ?? '', activeSeconds: row?.active_seconds ?? 0 };
}

function checkRef(db: Database.Database, ref: ImageRef): void {
  requireAnnotator(db, ref.annotator);
  imageSize(db, ref.imageId);
}
