import type Database from 'better-sqlite3';
import type { ProcessLauncher } from '../process/launcher';
import { fromTrainerSchema, type FromTrainer, type TrainJob } from './trainer-protocol';
import { finishRun, markRunning, recordEpoch, recordPredictions, recordProgress } from './run-store';

export interface TrainOutcome {
  readonly runId: number;
  readonly status: 'done' | 'failed' | 'cancelled';
  readonly backend: string | null;
  readonly device: string | null;
  /** Epochs finished (all of them, resumed or not). */
  readonly epochs: number;
  readonly bestEpoch: number | null;
  readonly valAuc: number | null;
  readonly testAuc: number | null;
  readonly seconds: number;
  readonly error: string | null;
  /** The error was the caller's (bad sources, too few annotations …), not a failure of the trainer. */
  readonly inputError: boolean;
}

export interface TrainingHandle {
  readonly runId: number;
  readonly done: Promise<TrainOutcome>;
  /** Asks the trainer to stop after the current step; the last checkpoint stays for a resume. */
  cancel(): void;
  /** Kills the trainer at once (the run is marked failed and can be resumed from its last checkpoint). */
  kill(): void;
}

/**
 * Runs one training job in a child process (Electron utilityProcess or Node
 * fork, through `launcher`) and records what it reports in the workspace: the
 * trainer never writes to the database itself. Every message is checked
 * against the protocol; a child that dies without saying it is done marks the
 * run failed with its exit code.
 */
export function startTraining(
  launcher: ProcessLauncher,
  trainerModule: string,
  db: Database.Database,
  job: TrainJob,
  onMessage: (message: FromTrainer) => void = () => undefined,
): TrainingHandle {
  const child = launcher(trainerModule, []);
  const started = performance.now();
  let backend: string | null = null;
  let device: string | null = null;
  let epochs = 0;
  let lastProgressWrite = 0;
  let settled = false;
  let resolveDone: (outcome: TrainOutcome) => void = () => undefined;
  const done = new Promise<TrainOutcome>((resolve) => (resolveDone = resolve));

  const settle = (outcome: Omit<TrainOutcome, 'runId' | 'backend' | 'device' | 'epochs'>): void => {
    if (settled) return;
    settled = true;
    tryFinish(db, () =>
      finishRun(db, job.runId, {
        status: outcome.status,
        ...(outcome.error ? { error: outcome.error } : {}),
        testAuc: outcome.testAuc,
        seconds: outcome.seconds,
      }),
    );
    resolveDone({ runId: job.runId, backend, device, epochs, ...outcome });
    setTimeout(() => child.kill(), 2000).unref();
  };

  const fail = (error: string, inputError: boolean): void =>
    settle({
      status: 'failed',
      bestEpoch: null,
      valAuc: null,
      testAuc: null,
      seconds: seconds(started),
      error,
      inputError,
    });

  child.onMessage((raw) => {
    try {
      record(raw);
    } catch (err) {
      // The workspace refused a write (full disk, a locked or damaged file): stop the trainer, fail the run.
      child.kill();
      fail(`recording the run failed: ${err instanceof Error ? err.message : String(err)}`, false);
    }
  });
  const record = (raw: unknown): void => {
    const parsed = fromTrainerSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    switch (message.type) {
      case 'started':
        backend = message.backend;
        device = message.device;
        epochs = message.fromEpoch;
        markRunning(db, job.runId, message.backend, message.device);
        break;
      case 'progress': {
        const now = performance.now();
        if (now - lastProgressWrite > 1000) {
          lastProgressWrite = now;
          recordProgress(db, job.runId, message.progress);
        }
        break;
      }
      case 'epoch':
        epochs = message.record.epoch + 1;
        recordEpoch(db, job.runId, message.record, message.checkpoint, {
          epoch: message.bestEpoch,
          valAuc: message.bestValAuc,
        });
        break;
      case 'predictions':
        recordPredictions(db, job.runId, message.rows);
        break;
      case 'done':
        settle({
          status: message.status,
          bestEpoch: message.bestEpoch,
          valAuc: message.valAuc,
          testAuc: message.testAuc,
          seconds: message.seconds,
          error: null,
          inputError: false,
        });
        break;
      case 'error':
        fail(message.message, message.inputError);
        break;
      case 'log':
      case 'timing':
        break;
    }
    onMessage(message);
  };
  child.onExit((code) =>
    fail(
      `the trainer process exited (code ${code}) before finishing; resume the run to continue from its last checkpoint`,
      false,
    ),
  );
  child.postMessage({ type: 'start', job });
  return {
    runId: job.runId,
    done,
    cancel: () => child.postMessage({ type: 'cancel' }),
    kill: () => child.kill(),
  };
}

/** The outcome is reported even when the workspace cannot record it. */
function tryFinish(db: Database.Database, write: () => void): void {
  // The host closed the workspace under a run it killed (and marked interrupted): nothing left to record.
  if (!db.open) return;
  try {
    write();
  } catch (err) {
    console.error(`aligner: could not record the end of a run: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function seconds(started: number): number {
  return Math.round((performance.now() - started) / 10) / 100;
}
