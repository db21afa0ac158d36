/**
 * The rows of a de-identified predictions CSV in the `aligner metrics` format (docs/metrics.md):
 * `score,label,finding,source,sex,age,image,view`, shared by the per-run predictions export and the study report.
 * `image` is the patient's pseudonym and the workspace's image id (`P-XXXXXXXXXXXX:42`), never a name, patient
 * id, birth date, SOP UID or file name.
 */
import type Database from 'better-sqlite3';
import { csvField } from '../evaluation/charts/csv';

export const predictionColumns = ['score', 'label', 'finding', 'source', 'sex', 'age', 'image', 'view'] as const;

export interface PredictionRecord {
  readonly score: number;
  /** null: the image has no label for the finding (such rows are left out of the CSV). */
  readonly label: 0 | 1 | null;
  readonly source: string;
  readonly sex: string;
  readonly age: number | null;
  readonly pseudonym: string | null;
  readonly imageId: number;
  readonly view: string | null;
}

/** A run's test predictions for one finding, by image id, labelled or not. */
export function readPredictionRecords(db: Database.Database, runId: number, finding: string): PredictionRecord[] {
  return db
    .prepare(
      `SELECT p.score, l.value AS label, s.name AS source, i.sex, i.age_years AS age,
              i.patient_pseudonym AS pseudonym, i.id AS imageId, i.view_position AS view
       FROM predictions p JOIN images i ON i.id = p.image_id JOIN sources s ON s.id = i.source_id
       LEFT JOIN labels l ON l.image_id = p.image_id AND l.finding = p.finding
       WHERE p.run_id = ? AND p.finding = ? ORDER BY p.image_id`,
    )
    .all(runId, finding) as PredictionRecord[];
}

/** The cells of a labelled prediction, in {@link predictionColumns} order. */
export function predictionCells(r: PredictionRecord & { readonly label: 0 | 1 }, finding: string): string[] {
  return [
    // String(number) is the shortest text that parses back to the same double.
    String(r.score),
    String(r.label),
    finding,
    r.source,
    // 'unknown' left empty: `aligner metrics` then keeps the row out of the sex subgroups only.
    r.sex === 'unknown' ? '' : r.sex,
    r.age === null ? '' : String(r.age),
    `${r.pseudonym ?? 'unknown'}:${r.imageId}`,
    r.view ?? '',
  ];
}

/** One CSV line (RFC 4180 quoting), without its line end. */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvField).join(',');
}

export function isLabelled(r: PredictionRecord): r is PredictionRecord & { readonly label: 0 | 1 } {
  return r.label !== null;
}
