import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { trainConfigSchema, type EpochRecord, type RunProgress, type TrainConfig } from '../../api/training-schemas';
import { InputError } from '../input-error';
import { checkpointDirOf } from './checkpoint-dir';

/**
 * The `runs` rows of training runs and what hangs off them. Only the process
 * that owns the workspace writes here (the trainer child reports, its parent
 * records), each write one transaction, so a crashed trainer can leave a run
 * 'running' with its last epoch recorded but never a torn row.
 */
export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface RunRow {
  readonly id: number;
  readonly studyId: number | null;
  readonly config: TrainConfig;
  readonly seed: number;
  readonly status: RunStatus;
  readonly backend: string | null;
  readonly device: string | null;
  readonly checkpoint: string | null;
  readonly error: string | null;
  readonly progress: RunProgress | null;
  readonly bestEpoch: number | null;
  readonly lastEpoch: number | null;
  readonly valAuc: number | null;
  readonly testAuc: number | null;
  readonly seconds: number | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** pid@host of the process recording it while it runs. */
  readonly owner: string | null;
}

const now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/**
 * A new queued run. A checkpoint folder already named after its id (left by a workspace file that was replaced,
 * whose run ids start again) is removed: a run resumes only from its own checkpoints.
 */
export function createRun(db: Database.Database, config: TrainConfig, studyId: number | null = null): number {
  const result = db
    .prepare("INSERT INTO runs (study_id, config, seed, status) VALUES (?, ?, ?, 'queued')")
    .run(studyId, JSON.stringify(config), config.seed);
  const runId = Number(result.lastInsertRowid);
  if (!db.memory) rmSync(checkpointDirOf(db.name, runId), { recursive: true, force: true });
  return runId;
}

/**
 * Takes a queued run for this process (a study's runner): 'running', owned by this process, before its
 * trainer starts, so a runner killed at any moment leaves it interrupted rather than queued twice.
 *
 * @returns false when the run was not queued (another runner took it, or it was cancelled)
 */
export function claimRun(db: Database.Database, id: number): boolean {
  return (
    db
      .prepare(
        `UPDATE runs SET status = 'running', owner = ?, error = NULL, started_at = coalesce(started_at, ${now}),
           finished_at = NULL WHERE id = ? AND status = 'queued'`,
      )
      .run(ownerTag(), id).changes === 1
  );
}

/**
 * Puts a failed or cancelled run back in its queue; its checkpoint stays, so it continues from its last
 * epoch when taken.
 *
 * @returns false when the run was not failed or cancelled
 */
export function requeueRun(db: Database.Database, id: number): boolean {
  return (
    db
      .prepare(
        `UPDATE runs SET status = 'queued', error = NULL, owner = NULL, finished_at = NULL
         WHERE id = ? AND status IN ('failed', 'cancelled')`,
      )
      .run(id).changes === 1
  );
}

/** The error of a run whose process died under it (see {@link failOrphanedRuns}). */
export const interruptedError =
  'interrupted: the process training it stopped; resume it to continue from its last checkpoint';

/** A run marked failed because the process training it died, not because training failed. */
export function isInterrupted(run: Pick<RunRow, 'status' | 'error'>): boolean {
  return run.status === 'failed' && run.error === interruptedError;
}

/** Marks runs of this process interrupted at once (the host is closing the workspace under them). */
export function markInterrupted(db: Database.Database, ids: readonly number[]): void {
  const mark = db.prepare(
    `UPDATE runs SET status = 'failed', error = ?, finished_at = ${now} WHERE id = ? AND status IN ('queued', 'running')`,
  );
  db.transaction(() => {
    for (const id of ids) mark.run(interruptedError, id);
  })();
}

export function markRunning(db: Database.Database, id: number, backend: string, device: string | null): void {
  db.prepare(
    `UPDATE runs SET status = 'running', backend = ?, device = ?, error = NULL, owner = ?,
       started_at = coalesce(started_at, ${now}), finished_at = NULL WHERE id = ?`,
  ).run(backend, device, ownerTag(), id);
}

export function recordProgress(db: Database.Database, id: number, progress: RunProgress): void {
  db.prepare('UPDATE runs SET progress = ? WHERE id = ?').run(JSON.stringify(progress), id);
}

/** One finished epoch and the checkpoint written after it, together. */
export function recordEpoch(
  db: Database.Database,
  id: number,
  epoch: EpochRecord,
  checkpoint: string,
  best: { readonly epoch: number; readonly valAuc: number | null },
): void {
  db.transaction(() => {
    db.prepare(
      `INSERT OR REPLACE INTO run_epochs (run_id, epoch, loss_ce, loss_al, val_auc, seconds) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(id, epoch.epoch, epoch.lossCe, epoch.lossAl, epoch.valAuc, epoch.seconds);
    db.prepare('UPDATE runs SET checkpoint = ?, last_epoch = ?, best_epoch = ?, val_auc = ? WHERE id = ?').run(
      checkpoint,
      epoch.epoch,
      best.epoch,
      best.valAuc,
      id,
    );
  })();
}

export interface PredictionRow {
  readonly imageId: number;
  readonly finding: string;
  readonly score: number;
  /** float32 [g×g] */
  readonly attention: Float32Array | null;
}

export function recordPredictions(db: Database.Database, id: number, rows: readonly PredictionRow[]): void {
  const insert = db.prepare(
    'INSERT OR REPLACE INTO predictions (run_id, image_id, finding, score, attention) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const row of rows) {
      const blob = row.attention
        ? Buffer.from(row.attention.buffer, row.attention.byteOffset, row.attention.byteLength)
        : null;
      insert.run(id, row.imageId, row.finding, row.score, blob);
    }
  })();
}

export function finishRun(
  db: Database.Database,
  id: number,
  outcome: {
    readonly status: 'done' | 'failed' | 'cancelled';
    readonly error?: string;
    readonly testAuc?: number | null;
    readonly seconds?: number;
  },
): void {
  db.prepare(
    `UPDATE runs SET status = ?, error = ?, test_auc = coalesce(?, test_auc), seconds = coalesce(?, seconds),
       finished_at = ${now} WHERE id = ?`,
  ).run(outcome.status, outcome.error ?? null, outcome.testAuc ?? null, outcome.seconds ?? null, id);
}

interface RawRun {
  id: number;
  study_id: number | null;
  config: string;
  seed: number;
  status: RunStatus;
  backend: string | null;
  device: string | null;
  checkpoint: string | null;
  error: string | null;
  progress: string | null;
  best_epoch: number | null;
  last_epoch: number | null;
  val_auc: number | null;
  test_auc: number | null;
  seconds: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  owner: string | null;
}

/** @throws InputError (field `runId`) for an unknown run */
export function readRun(db: Database.Database, id: number): RunRow {
  const raw = db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RawRun | undefined;
  if (!raw) throw new InputError(`no run with id ${id} in this workspace`, 'runId');
  return toRun(raw);
}

export function listRuns(db: Database.Database): RunRow[] {
  return (db.prepare('SELECT * FROM runs ORDER BY id DESC').all() as RawRun[]).map(toRun);
}

/** A study's runs, in queue order (id). */
export function listStudyRuns(db: Database.Database, studyId: number): RunRow[] {
  return (db.prepare('SELECT * FROM runs WHERE study_id = ? ORDER BY id').all(studyId) as RawRun[]).map(toRun);
}

export function readEpochs(db: Database.Database, id: number): EpochRecord[] {
  const rows = db
    .prepare('SELECT epoch, loss_ce, loss_al, val_auc, seconds FROM run_epochs WHERE run_id = ? ORDER BY epoch')
    .all(id) as { epoch: number; loss_ce: number; loss_al: number; val_auc: number | null; seconds: number }[];
  return rows.map((r) => ({
    epoch: r.epoch,
    lossCe: r.loss_ce,
    lossAl: r.loss_al,
    valAuc: r.val_auc,
    seconds: r.seconds,
  }));
}

/**
 * Runs left 'running' by a process that died (a kill -9, a crash, a power
 * cut): their owner process (pid@host, recorded when they started) is gone
 * from this machine. They are marked failed, so the UI offers a resume.
 *
 * @returns how many runs were marked
 */
export function failOrphanedRuns(db: Database.Database): number {
  const running = db.prepare("SELECT id, owner FROM runs WHERE status = 'running'").all() as {
    id: number;
    owner: string | null;
  }[];
  const mark = db.prepare(
    `UPDATE runs SET status = 'failed', finished_at = ${now}, error = ? WHERE id = ? AND status = 'running'`,
  );
  let marked = 0;
  for (const run of running) {
    if (run.owner !== null && ownerAlive(run.owner)) continue;
    marked += mark.run(interruptedError, run.id).changes;
  }
  return marked;
}

/** pid@host of this process, as recorded in `runs.owner` and `studies.owner`. */
export function ownerTag(): string {
  return `${process.pid}@${hostname()}`;
}

/** Whether pid@host is a live process; one on another host counts as alive (it cannot be checked). */
export function ownerAlive(owner: string): boolean {
  const [pid, host] = owner.split('@');
  if (host !== hostname()) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toRun(raw: RawRun): RunRow {
  return {
    id: raw.id,
    studyId: raw.study_id,
    config: trainConfigSchema.parse(JSON.parse(raw.config)),
    seed: raw.seed,
    status: raw.status,
    backend: raw.backend,
    device: raw.device,
    checkpoint: raw.checkpoint,
    error: raw.error,
    progress: raw.progress === null ? null : (JSON.parse(raw.progress) as RunProgress),
    bestEpoch: raw.best_epoch,
    lastEpoch: raw.last_epoch,
    valAuc: raw.val_auc,
    testAuc: raw.test_auc,
    seconds: raw.seconds,
    createdAt: raw.created_at,
    startedAt: raw.started_at,
    finishedAt: raw.finished_at,
    owner: raw.owner,
  };
}
