import type { EventBus } from '../../api/event-bus';
import type { RunSummary, TrainConfig } from '../../api/training-schemas';
import type { WorkspaceDb } from '../db/open-workspace';
import { InputError } from '../input-error';
import { launchRun, resumeRun, type TrainerDeps } from './launch-run';
import { failOrphanedRuns, listRuns, readEpochs, readRun, type RunRow } from './run-store';
import type { TrainingHandle } from './trainer-client';
import type { FromTrainer } from './trainer-protocol';
import { runningTrainEvent } from './train-events';

/**
 * The training runs a host starts from the UI or the API: each in its own
 * trainer process, reported as `train` events (started, progress at most
 * twice a second, each epoch, finished) and recorded in the workspace, so a
 * reloaded page reads the same state back from `runsList` / `runGet`.
 */
export class TrainingJobs {
  readonly #active = new Map<number, TrainingHandle>();

  constructor(
    private readonly workspace: () => WorkspaceDb,
    private readonly events: EventBus,
    private readonly deps: () => TrainerDeps | null,
    /** Runs this host trains outside these jobs (a study's runner). */
    private readonly trainedElsewhere?: (runId: number) => boolean,
  ) {}

  start(config: TrainConfig): { runId: number } {
    const handle = launchRun(this.workspace(), config, this.#deps(), (m) => this.#report(handle.runId, m));
    return this.#track(handle);
  }

  resume(runId: number): { runId: number } {
    if (this.#active.has(runId) || this.trainedElsewhere?.(runId)) {
      throw new InputError(`run ${runId} is training now`, 'runId');
    }
    const run = readRun(this.workspace().db, runId);
    if (run.studyId !== null && run.status === 'queued') {
      throw new InputError(`run ${runId} is queued in study ${run.studyId}; the study trains it in turn`, 'runId');
    }
    const handle = resumeRun(this.workspace(), runId, this.#deps(), (m) => this.#report(runId, m));
    return this.#track(handle);
  }

  cancel(runId: number): boolean {
    const handle = this.#active.get(runId);
    handle?.cancel();
    return handle !== undefined;
  }

  cancelAll(): void {
    for (const handle of this.#active.values()) handle.kill();
  }

  list(): RunSummary[] {
    const db = this.workspace().db;
    failOrphanedRuns(db);
    return listRuns(db).map((run) => this.#summary(run));
  }

  detail(runId: number): { run: RunSummary; epochs: ReturnType<typeof readEpochs> } {
    const db = this.workspace().db;
    return { run: this.#summary(readRun(db, runId)), epochs: readEpochs(db, runId) };
  }

  #deps(): TrainerDeps {
    const deps = this.deps();
    if (!deps) throw new InputError('this host cannot start a trainer process (no trainer-process.js was built)');
    return deps;
  }

  #track(handle: TrainingHandle): { runId: number } {
    this.#active.set(handle.runId, handle);
    void handle.done.then((outcome) => {
      this.#active.delete(handle.runId);
      this.events.emit('train', {
        runId: handle.runId,
        kind: 'finished',
        progress: null,
        epoch: null,
        status: outcome.status,
        error: outcome.error,
      });
    });
    return { runId: handle.runId };
  }

  #lastProgress = 0;

  #report(runId: number, message: FromTrainer): void {
    if (message.type === 'progress') {
      const now = performance.now();
      if (now - this.#lastProgress < 500) return;
      this.#lastProgress = now;
    }
    const event = runningTrainEvent(runId, message);
    if (event) this.events.emit('train', event);
  }

  #summary(run: RunRow): RunSummary {
    return runSummaryOf(run, this.#active.has(run.id) || (this.trainedElsewhere?.(run.id) ?? false));
  }
}

/** A run as the API shows it; `active`: this host trains it now. */
export function runSummaryOf(run: RunRow, active: boolean): RunSummary {
  const { seed: _seed, checkpoint: _checkpoint, owner: _owner, ...rest } = run;
  return { ...rest, active };
}
