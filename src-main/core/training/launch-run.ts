import type { TrainConfig } from '../../api/training-schemas';
import type { WorkspaceDb } from '../db/open-workspace';
import { InputError } from '../input-error';
import type { ProcessLauncher } from '../process/launcher';
import { checkpointDirOf } from './checkpoint-dir';
import { createRun, failOrphanedRuns, readRun } from './run-store';
import { startTraining, type TrainingHandle } from './trainer-client';
import type { FromTrainer } from './trainer-protocol';

export interface TrainerDeps {
  readonly launcher: ProcessLauncher;
  /** The built trainer-process.js. */
  readonly trainerModule: string;
}

export { checkpointDirOf } from './checkpoint-dir';

/** Creates a run for `config` and starts its trainer process. */
export function launchRun(
  ws: WorkspaceDb,
  config: TrainConfig,
  deps: TrainerDeps,
  onMessage?: (message: FromTrainer) => void,
): TrainingHandle {
  const runId = createRun(ws.db, config);
  return startTraining(
    deps.launcher,
    deps.trainerModule,
    ws.db,
    { runId, dbPath: ws.path, config, checkpointDir: checkpointDirOf(ws.path, runId), resume: false },
    onMessage,
  );
}

/**
 * Continues a run that stopped (killed, failed, cancelled) from its last
 * checkpoint, with its own config; a finished run has nothing to resume. The
 * caller makes sure it is not training that run itself.
 *
 * @throws InputError (field `runId`) for an unknown or finished run
 */
export function resumeRun(
  ws: WorkspaceDb,
  runId: number,
  deps: TrainerDeps,
  onMessage?: (message: FromTrainer) => void,
): TrainingHandle {
  failOrphanedRuns(ws.db);
  const run = readRun(ws.db, runId);
  if (run.status === 'running') {
    throw new InputError(`run ${runId} is being trained by another process (${run.owner ?? 'unknown'})`, 'runId');
  }
  if (run.status === 'done') throw new InputError(`run ${runId} is finished; there is nothing to resume`, 'runId');
  return startTraining(
    deps.launcher,
    deps.trainerModule,
    ws.db,
    { runId, dbPath: ws.path, config: run.config, checkpointDir: checkpointDirOf(ws.path, runId), resume: true },
    onMessage,
  );
}
