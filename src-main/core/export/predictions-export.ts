/**
 * Exports a finished run's test predictions for one finding as a CSV that `aligner metrics` reads
 * (docs/metrics.md): `score,label,finding,source,sex,age,image,view`. De-identified: `image` is the patient's
 * pseudonym and the workspace's image id (`P-XXXXXXXXXXXX:42`), never a name, patient id, birth date, SOP UID
 * or file name. Predictions of images without a label for the finding are left out and counted.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { PredictionsExportSummary } from '../../api/export-schemas';
import { InputError } from '../input-error';
import { writeFileAtomic } from '../write-file-atomic';
import { readFinishedRun } from './finished-run';
import { csvLine, isLabelled, predictionCells, predictionColumns, readPredictionRecords } from './prediction-rows';

export interface PredictionsExportOptions {
  readonly runId: number;
  /** The CSV file to write (its folder is created if absent; an existing file is replaced). */
  readonly out: string;
  /** Default: the run's only finding; required when the run has several. */
  readonly finding?: string;
}

/**
 * @throws InputError (field `runId`) for an unknown or unfinished run or one without test predictions,
 *   (`finding`) for a finding the run was not trained for or a missing one where it has several, (`out`) for
 *   an output path that is a folder
 */
export function exportPredictions(db: Database.Database, options: PredictionsExportOptions): PredictionsExportSummary {
  const run = readFinishedRun(db, options.runId);
  const finding = chooseFinding(run.id, run.config.findings, options.finding);
  const total = db.prepare('SELECT count(*) FROM predictions WHERE run_id = ?').pluck().get(run.id) as number;
  if (total === 0) {
    throw new InputError(`run ${run.id} has no test predictions (it was trained without a test source)`, 'runId');
  }
  const path = resolve(options.out);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new InputError(`${path} is a folder; give a file name for the predictions CSV`, 'out');
  }
  const records = readPredictionRecords(db, run.id, finding);
  const lines: string[] = [predictionColumns.join(',')];
  let positives = 0;
  let negatives = 0;
  let unlabelled = 0;
  for (const r of records) {
    if (!isLabelled(r)) {
      unlabelled += 1;
      continue;
    }
    if (r.label === 1) positives += 1;
    else negatives += 1;
    lines.push(csvLine(predictionCells(r, finding)));
  }
  const text = `${lines.join('\n')}\n`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, text);
  return {
    runId: run.id,
    finding,
    path,
    columns: [...predictionColumns],
    rows: positives + negatives,
    positives,
    negatives,
    unlabelled,
    bytes: Buffer.byteLength(text),
  };
}

function chooseFinding(runId: number, findings: readonly string[], wanted: string | undefined): string {
  if (wanted !== undefined) {
    if (!findings.includes(wanted)) {
      throw new InputError(
        `run ${runId} was not trained for '${wanted}'; its findings: ${findings.join(', ')}`,
        'finding',
      );
    }
    return wanted;
  }
  if (findings.length > 1) {
    throw new InputError(
      `run ${runId} was trained for several findings (${findings.join(', ')}); name the one to export`,
      'finding',
    );
  }
  return findings[0] as string;
}
