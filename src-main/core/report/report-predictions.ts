/**
 * `predictions.csv` of the report: every evaluated run's labelled test predictions for the report's finding, in
 * the per-run export's format (`aligner metrics` reads it; `--group run` splits it by run) with a leading `run`
 * column. De-identified as that export: images are `pseudonym:imageId`.
 */
import type Database from 'better-sqlite3';
import {
  csvLine,
  isLabelled,
  predictionCells,
  predictionColumns,
  readPredictionRecords,
} from '../export/prediction-rows';

export const reportPredictionColumns: readonly string[] = ['run', ...predictionColumns];

/** The CSV text (LF line ends, as the per-run export) for these runs, in the order given. */
export function reportPredictionsCsv(db: Database.Database, runIds: readonly number[], finding: string): string {
  const lines = [reportPredictionColumns.join(',')];
  for (const runId of runIds) {
    for (const r of readPredictionRecords(db, runId, finding)) {
      if (isLabelled(r)) lines.push(csvLine([String(runId), ...predictionCells(r, finding)]));
    }
  }
  return `${lines.join('\n')}\n`;
}
