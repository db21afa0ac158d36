import type { StudyCounts, StudyState, StudyStatus } from '../../api/study-schemas';
import type { WorkspaceDb } from '../db/open-workspace';
import { checkpointDirOf, type TrainerDeps } from '../training/launch-run';
import { claimRun, markInterrupted, readRun, requeueRun } from '../training/run-store';
import { startTraining, type TrainingHandle, type TrainOutcome } from '../training/trainer-client';
import type { FromTrainer } from '../training/trainer-protocol';
import {
  cancelQueuedRuns,
  claimStudy,
  countRuns,
  nextQueuedRun,
  readStudy,
  releaseStudy,
  requeueStopped,
  setStudyState,
  studyRunRows,
  studyStatus,
} from './study-store';

export type RunnerEvent =
  /** A queued run was taken and its trainer process started. */
  | { readonly kind: 'run-started'; readonly runId: number }
  /** What a run's trainer reported (already recorded in the workspace). */
  | { readonly kind: 'run-message'; readonly runId: number; readonly message: FromTrainer }
  /** A run ended; `requeued` when it was stopped by an interrupt and put back in the queue. */
  | {
      readonly kind: 'run-finished';
      readonly runId: number;
      readonly outcome: TrainOutcome;
      readonly requeued: boolean;
    }
  | { readonly kind: 'state'; readonly state: StudyState };

export interface StudyRunnerOptions {
  /** Runs trained at once; default the study's own (1 unless it was created with more). */
  readonly concurrency?: number;
  readonly onEvent?: (event: RunnerEvent) => void;
  /** How often the study's state is read back (a pause or cancel from another process), in ms. Default 1000. */
  readonly pollMs?: number;
}

export interface StudyOutcome {
  readonly studyId: number;
  readonly status: StudyStatus;
  readonly total: number;
  readonly counts: StudyCounts;
  /** Wall-clock seconds this runner ran. */
  readonly seconds: number;
  /** It stopped because of {@link StudyRunner.interrupt} (Ctrl+C): the runs it stopped are queued again. */
  readonly interrupted: boolean;
}

/**
 * Takes a study's queued runs, in order, and trains each in a trainer
 * process (the same path as `aligner train`), `concurrency` at a time, until
 * none is left or the study is paused, cancelled or interrupted. One process
 * runs a study at a time (the study's `owner`); a run is taken by marking it
 * 'running' for this process before its trainer starts, so a runner killed at
 * any moment leaves its runs interrupted — never queued twice, never lost —
 * and the next runner puts them back at the head of the queue, where they
 * continue from their last checkpoint. Runs always start with `resume`: a run
 * with no checkpoint starts afresh, one with a checkpoint continues it, and
 * since a run's data order, augmentation and initial weights depend only on
 * its seed, either way it ends where an uninterrupted run ends.
 *
 * Pause and cancel work across processes: they are written to the study's
 * row, which the runner reads back every `pollMs`.
 */
export class StudyRunner {
  readonly #active = new Map<number, TrainingHandle>();
  #interrupting = false;
  #closing = false;
  #wake: (() => void) | null = null;

  constructor(
    private readonly ws: WorkspaceDb,
    readonly studyId: number,
    private readonly deps: TrainerDeps,
    private readonly options: StudyRunnerOptions = {},
  ) {}

  /**
   * Claims the study, re-queues its interrupted runs, and trains until nothing is left to take.
   *
   * @throws InputError when the study is unknown or another live process runs it
   */
  async run(): Promise<StudyOutcome> {
    const started = performance.now();
    const db = this.ws.db;
    claimStudy(db, this.studyId);
    try {
      requeueStopped(db, this.studyId);
      await this.#loop();
    } finally {
      if (db.open) releaseStudy(db, this.studyId);
    }
    const runs = db.open ? studyRunRows(db, this.studyId) : [];
    const counts = countRuns(runs);
    return {
      studyId: this.studyId,
      status: db.open ? studyStatus(readStudy(db, this.studyId), counts, false) : 'interrupted',
      total: runs.length,
      counts,
      seconds: Math.round((performance.now() - started) / 10) / 100,
      interrupted: this.#interrupting,
    };
  }

  /** Whether this runner trains the run now. */
  isTraining(runId: number): boolean {
    return this.#active.has(runId);
  }

  /** Finish the runs in training, take no new one. */
  pause(): void {
    this.#setState('paused');
  }

  /** Take runs again (while this runner still runs). */
  resume(): void {
    this.#setState('active');
  }

  /** Stop the runs in training after their current step and mark every run left cancelled. */
  cancel(): void {
    this.#setState('cancelled');
  }

  /**
   * Ctrl+C: stop the runs in training after their current step and put them back in the queue (they
   * continue from their last checkpoint at the next resume); the study stays active.
   */
  interrupt(): void {
    this.#interrupting = true;
    for (const handle of this.#active.values()) handle.cancel();
    this.#wakeUp();
  }

  /** Kill the trainers at once (a second Ctrl+C); their runs are left interrupted. */
  kill(): void {
    this.#interrupting = true;
    for (const handle of this.#active.values()) handle.kill();
    this.#wakeUp();
  }

  /**
   * The host closes the workspace: the runs in training are marked interrupted now (their trainers are
   * killed), the study released, so the next start resumes them.
   */
  shutdown(): void {
    this.#closing = true;
    this.#interrupting = true;
    const db = this.ws.db;
    if (db.open) {
      markInterrupted(db, [...this.#active.keys()]);
      releaseStudy(db, this.studyId);
    }
    for (const handle of this.#active.values()) handle.kill();
    this.#wakeUp();
  }

  #setState(state: StudyState): void {
    setStudyState(this.ws.db, this.studyId, state);
    this.options.onEvent?.({ kind: 'state', state });
    this.#wakeUp();
  }

  async #loop(): Promise<void> {
    const db = this.ws.db;
    for (;;) {
      if (this.#closing || !db.open) return;
      const study = readStudy(db, this.studyId);
      if (study.state === 'cancelled') {
        for (const handle of this.#active.values()) handle.cancel();
        cancelQueuedRuns(db, this.studyId);
      }
      if (study.state === 'active' && !this.#interrupting) {
        const concurrency = this.options.concurrency ?? study.concurrency;
        while (this.#active.size < concurrency) {
          const next = nextQueuedRun(db, this.studyId, new Set(this.#active.keys()));
          if (next === null) break;
          if (claimRun(db, next)) this.#launch(next);
        }
      }
      if (this.#active.size === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.pollMs ?? 1000);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = null;
    }
  }

  #wakeUp(): void {
    this.#wake?.();
  }

  #launch(runId: number): void {
    const db = this.ws.db;
    const run = readRun(db, runId);
    const handle = startTraining(
      this.deps.launcher,
      this.deps.trainerModule,
      db,
      {
        runId,
        dbPath: this.ws.path,
        config: run.config,
        checkpointDir: checkpointDirOf(this.ws.path, runId),
        resume: true,
      },
      (message) => this.options.onEvent?.({ kind: 'run-message', runId, message }),
    );
    this.#active.set(runId, handle);
    this.options.onEvent?.({ kind: 'run-started', runId });
    void handle.done.then((outcome) => {
      this.#active.delete(runId);
      // Stopped by Ctrl+C (not by a cancel of the study): back in the queue, to continue at the next resume.
      const requeued =
        this.#interrupting && !this.#closing && outcome.status === 'cancelled' && db.open && requeueRun(db, runId);
      this.options.onEvent?.({ kind: 'run-finished', runId, outcome, requeued });
      this.#wakeUp();
    });
  }
}
