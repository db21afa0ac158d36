import type Database from 'better-sqlite3';
import { InputError } from '../input-error';
import { readRun, type RunRow } from '../training/run-store';

/**
 * A run that finished training (status 'done'): only its best checkpoint and its test predictions are final.
 *
 * @throws InputError (field `runId`) for an unknown run or one that is queued, running, failed or cancelled
 */
export function readFinishedRun(db: Database.Database, runId: number): RunRow {
  const run = readRun(db, runId);
  if (run.status !== 'done') {
    const hint = run.status === 'running' || run.status === 'queued' ? 'wait until it ends' : 'resume it first';
    throw new InputError(`run ${runId} is not finished (status ${run.status}); ${hint}`, 'runId');
  }
  return run;
}
