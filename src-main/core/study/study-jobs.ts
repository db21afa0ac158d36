import type { EventBus } from '../../api/event-bus';
import {
  expandStudy,
  type StudyConfig,
  type StudyDetail,
  type StudyEvent,
  type StudySummary,
  type StudyValidation,
} from '../../api/study-schemas';
import type { WorkspaceDb } from '../db/open-workspace';
import { InputError } from '../input-error';
import type { TrainerDeps } from '../training/launch-run';
import { failOrphanedRuns, isInterrupted, readRun, requeueRun } from '../training/run-store';
import { runSummaryOf } from '../training/training-jobs';
import { assertStudy, checkStudy } from './check-study';
import { StudyRunner, type RunnerEvent } from './study-runner';
import {
  createStudy,
  listStudyRows,
  ownedElsewhere,
  readStudy,
  requeueStopped,
  setStudyState,
  studyRunOf,
  studyRunRows,
  summariseStudy,
  cancelQueuedRuns,
} from './study-store';
import { estimateStudy, probeTiming, timingProbeOf, type TimingResult } from './timing';
import { runningTrainEvent } from '../training/train-events';
import type { BundleCheckResult, BundleManifest } from '../../api/bundle-schemas';
import { checkBundle } from './bundle/check-bundle';
import { matchBundle, type BundleMatch } from './bundle/match-bundle';
import { readStudyBundle } from './bundle/read-bundle';
import { compareWithBundle } from './bundle/reproduction';

/**
 * The studies a host (the desktop app, the browser host) runs: validation
 * with a timing estimate, creation (the study and all its runs queued at
 * once) and one {@link StudyRunner} per study this host trains, pause,
 * resume, cancel and retry, reported as `study` events (and `train` events
 * for their runs, as a run started from the Train view is). At start the host
 * resumes the studies a dead process left half-done.
 */
export class StudyJobs {
  readonly #runners = new Map<number, StudyRunner>();
  readonly #timings = new Map<string, Promise<TimingResult>>();
  readonly #lastProgress = new Map<number, number>();

  constructor(
    private readonly workspace: () => WorkspaceDb,
    private readonly events: EventBus,
    private readonly deps: () => TrainerDeps | null,
  ) {}

  /** Checks a study file against the schema and the workspace; with `estimate`, times the preset too. */
  async validate(raw: unknown, estimate: boolean): Promise<StudyValidation> {
    const check = checkStudy(this.workspace().db, raw);
    const ok = check.errors.length === 0 && check.config !== null && check.plan !== null;
    let result: StudyValidation['estimate'] = null;
    let estimateError: string | null = null;
    if (ok && estimate && check.config && check.plan) {
      try {
        result = estimateStudy(check.config, check.plan, await this.#timing(check.config));
      } catch (err) {
        estimateError = err instanceof Error ? err.message : String(err);
      }
    }
    return { ok, errors: check.errors, config: check.config, plan: check.plan, estimate: result, estimateError };
  }

  /**
   * Validates, times, queues every run of the study and starts training it.
   *
   * @throws InputError with every problem of the config (nothing is queued), or when the backend is missing
   */
  async create(
    config: StudyConfig,
    concurrency: number,
    bundle: BundleManifest | null = null,
  ): Promise<{ studyId: number }> {
    const { config: study, plan } = assertStudy(this.workspace().db, config);
    const estimate = estimateStudy(study, plan, await this.#timing(study));
    const studyId = createStudy(this.workspace().db, study, expandStudy(study), { estimate, concurrency, bundle });
    this.#emit(studyId, 'created');
    this.#start(studyId);
    return { studyId };
  }

  /** What re-running the bundle here would find and do; stores nothing. */
  checkBundle(file: string, importRegions: boolean): BundleCheckResult {
    return checkBundle(this.workspace().db, readStudyBundle(file), { importRegions });
  }

  /**
   * Re-runs a bundled study here: matches it (adding the bundle's regions to training images without any, when
   * asked), then queues and trains it as {@link create} does, remembering the bundle to compare with.
   *
   * @throws BundleMismatchError listing every difference (nothing is stored or queued)
   */
  async createFromBundle(
    file: string,
    importRegions: boolean,
    concurrency: number,
  ): Promise<{
    studyId: number;
    sources: BundleMatch['sources'][number][];
    regionsImported: BundleMatch['regionsImported'];
    warnings: string[];
  }> {
    const bundle = readStudyBundle(file);
    const match = matchBundle(this.workspace().db, bundle, { importRegions });
    const { studyId } = await this.create(match.config, concurrency, bundle.manifest);
    return {
      studyId,
      sources: [...match.sources],
      regionsImported: match.regionsImported,
      warnings: [...match.warnings],
    };
  }

  list(): StudySummary[] {
    const db = this.workspace().db;
    failOrphanedRuns(db);
    return listStudyRows(db).map((study) =>
      summariseStudy(db, study, studyRunRows(db, study.id), this.#runners.has(study.id)),
    );
  }

  get(studyId: number): StudyDetail {
    const db = this.workspace().db;
    failOrphanedRuns(db);
    const study = readStudy(db, studyId);
    const runs = studyRunRows(db, studyId);
    return {
      study: summariseStudy(db, study, runs, this.#runners.has(studyId)),
      runs: runs.map((run, index) => studyRunOf(run, index, runSummaryOf(run, this.isTraining(run.id)))),
      reproduction: study.bundle === null ? null : compareWithBundle(db, studyId, study.bundle),
    };
  }

  /** Finish the current run(s), take no new one (also for a study another process runs). */
  pause(studyId: number): StudySummary {
    const runner = this.#runners.get(studyId);
    if (runner) runner.pause();
    else {
      readStudy(this.workspace().db, studyId);
      setStudyState(this.workspace().db, studyId, 'paused');
      this.#emit(studyId, 'state');
    }
    return this.#summary(studyId);
  }

  /**
   * Take runs again: interrupted and cancelled runs go back in the queue (continuing from their last
   * checkpoint) and this host trains the study, unless another live process already does.
   */
  resume(studyId: number): StudySummary {
    const db = this.workspace().db;
    const study = readStudy(db, studyId);
    requeueStopped(db, studyId, { cancelled: true });
    const runner = this.#runners.get(studyId);
    if (runner) runner.resume();
    else {
      setStudyState(db, studyId, 'active');
      if (!ownedElsewhere(study)) this.#start(studyId);
      this.#emit(studyId, 'state');
    }
    return this.#summary(studyId);
  }

  /** Stop the current run(s) after their step and mark every run left cancelled. */
  cancel(studyId: number): StudySummary {
    const runner = this.#runners.get(studyId);
    if (runner) runner.cancel();
    else {
      const db = this.workspace().db;
      readStudy(db, studyId);
      setStudyState(db, studyId, 'cancelled');
      cancelQueuedRuns(db, studyId);
      this.#emit(studyId, 'state');
    }
    return this.#summary(studyId);
  }

  /**
   * Puts a failed or cancelled run of a study back in its queue (it continues from its last checkpoint);
   * a cancelled study becomes active again to train it, a paused one trains it when resumed.
   */
  retry(runId: number): { runId: number; studyId: number } {
    const db = this.workspace().db;
    failOrphanedRuns(db);
    const run = readRun(db, runId);
    if (run.studyId === null) {
      throw new InputError(`run ${runId} is not part of a study; resume it from the Train view`, 'runId');
    }
    if (run.status !== 'failed' && run.status !== 'cancelled') {
      throw new InputError(`run ${runId} is ${run.status}; only a failed or cancelled run can be retried`, 'runId');
    }
    const studyId = run.studyId;
    requeueRun(db, runId);
    const study = readStudy(db, studyId);
    if (study.state === 'cancelled') setStudyState(db, studyId, 'active');
    const runner = this.#runners.get(studyId);
    if (runner) runner.resume();
    else if (study.state !== 'paused' && !ownedElsewhere(study)) this.#start(studyId);
    this.#emit(studyId, 'state');
    return { runId, studyId };
  }

  /** Studies left active with runs to train by a process that is gone: this host takes them over. */
  resumeInterrupted(): number[] {
    const db = this.workspace().db;
    failOrphanedRuns(db);
    const resumed: number[] = [];
    for (const study of listStudyRows(db)) {
      if (study.state !== 'active' || this.#runners.has(study.id) || ownedElsewhere(study)) continue;
      const left = studyRunRows(db, study.id).some((r) => r.status === 'queued' || isInterrupted(r));
      if (!left) continue;
      this.#start(study.id);
      resumed.push(study.id);
    }
    return resumed;
  }

  isTraining(runId: number): boolean {
    for (const runner of this.#runners.values()) if (runner.isTraining(runId)) return true;
    return false;
  }

  /** The workspace is closing: runs in training are marked interrupted and their trainers killed. */
  stopAll(): void {
    for (const runner of this.#runners.values()) runner.shutdown();
    this.#runners.clear();
  }

  #start(studyId: number): void {
    if (this.#runners.has(studyId)) return;
    const deps = this.deps();
    if (!deps) throw new InputError('this host cannot start a trainer process (no trainer-process.js was built)');
    // Events of a runner the host has let go (stopAll: another workspace may be open by now) are dropped.
    const current = (): boolean => this.#runners.get(studyId) === runner;
    const runner: StudyRunner = new StudyRunner(this.workspace(), studyId, deps, {
      onEvent: (event) => {
        if (current()) this.#onRunnerEvent(studyId, event);
      },
    });
    this.#runners.set(studyId, runner);
    const stopped = (err?: unknown): void => {
      if (!current()) return;
      this.#runners.delete(studyId);
      if (err !== undefined) console.error(`study ${studyId}: ${err instanceof Error ? err.message : String(err)}`);
      this.#emit(studyId, 'stopped');
    };
    runner.run().then(
      () => stopped(),
      (err: unknown) => stopped(err),
    );
  }

  #timing(study: StudyConfig): Promise<TimingResult> {
    const deps = this.deps();
    if (!deps) throw new InputError('this host cannot start a trainer process (no trainer-process.js was built)');
    const probe = timingProbeOf(study);
    const key = JSON.stringify(probe);
    let timing = this.#timings.get(key);
    if (!timing) {
      timing = probeTiming(deps, probe);
      this.#timings.set(key, timing);
      timing.catch(() => this.#timings.delete(key));
    }
    return timing;
  }

  #summary(studyId: number): StudySummary {
    const db = this.workspace().db;
    return summariseStudy(db, readStudy(db, studyId), studyRunRows(db, studyId), this.#runners.has(studyId));
  }

  #onRunnerEvent(studyId: number, event: RunnerEvent): void {
    switch (event.kind) {
      case 'state':
        this.#emit(studyId, 'state');
        break;
      case 'run-started':
        this.#emit(studyId, 'run-started', { runId: event.runId, runStatus: 'running' });
        break;
      case 'run-finished': {
        const status = event.requeued ? 'queued' : event.outcome.status;
        this.events.emit('train', {
          runId: event.runId,
          kind: 'finished',
          progress: null,
          epoch: null,
          status,
          error: event.outcome.error,
        });
        this.#emit(studyId, 'run-finished', { runId: event.runId, runStatus: status });
        break;
      }
      case 'run-message': {
        const { message, runId } = event;
        if (message.type === 'progress') {
          const now = performance.now();
          if (now - (this.#lastProgress.get(studyId) ?? 0) < 500) return;
          this.#lastProgress.set(studyId, now);
        }
        const train = runningTrainEvent(runId, message);
        if (train) this.events.emit('train', train);
        if (message.type === 'progress')
          this.#emit(studyId, 'run-progress', { runId, runStatus: 'running', runProgress: message.progress });
        else if (message.type === 'epoch') this.#emit(studyId, 'run-epoch', { runId, runStatus: 'running' });
        break;
      }
    }
  }

  #emit(
    studyId: number,
    kind: StudyEvent['kind'],
    run: Partial<Pick<StudyEvent, 'runId' | 'runStatus' | 'runProgress'>> = {},
  ): void {
    let summary: StudySummary;
    try {
      summary = this.#summary(studyId);
    } catch {
      return; // the workspace closed under the study
    }
    this.events.emit('study', {
      studyId,
      kind,
      runId: run.runId ?? null,
      runStatus: run.runStatus ?? null,
      runProgress: run.runProgress ?? null,
      status: summary.status,
      total: summary.total,
      counts: summary.counts,
      fraction: summary.fraction,
      etaSeconds: summary.etaSeconds,
    });
  }
}
