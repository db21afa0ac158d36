/**
 * A study as the report reads it: the `studies` row (its config JSON parsed leniently, so a study written by
 * another build still reports) and its runs (`runs.study_id`), each with its stored config parsed where this
 * build can read it.
 */
import type Database from 'better-sqlite3';
import { InputError } from '../input-error';
import { isFinding, type Finding } from '../library/findings';
import { toRunRecord, type RawRun, type RunRecord } from '../evaluation/run-evaluation';

export interface StudyRecord {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
  /** The stored config, JSON-parsed; null when the text is not JSON. */
  readonly config: unknown;
  /** The config's `finding` when it names one of the product's findings. */
  readonly finding: Finding | null;
}

/** One run of the study, as the runs table holds it. */
export interface StudyRun {
  readonly id: number;
  readonly seed: number;
  readonly status: string;
  readonly backend: string | null;
  readonly device: string | null;
  readonly valAuc: number | null;
  readonly testAuc: number | null;
  readonly bestEpoch: number | null;
  readonly lastEpoch: number | null;
  readonly seconds: number | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** null when this build cannot read the stored config. */
  readonly record: RunRecord | null;
}

interface RawStudy {
  id: number;
  name: string;
  created_at: string;
  config: string;
}

/** @throws InputError (field `studyId`) for an unknown study */
export function readStudyRecord(db: Database.Database, studyId: number): StudyRecord {
  const raw = db.prepare('SELECT id, name, created_at, config FROM studies WHERE id = ?').get(studyId) as
    RawStudy | undefined;
  if (!raw) throw new InputError(`there is no study ${studyId} in this workspace`, 'studyId');
  let config: unknown = null;
  try {
    config = JSON.parse(raw.config) as unknown;
  } catch {
    // Kept as null: the report still lists the runs and their own configs.
  }
  const finding = isRecord(config) && typeof config.finding === 'string' ? config.finding : null;
  return {
    id: raw.id,
    name: raw.name,
    createdAt: raw.created_at,
    config,
    finding: finding !== null && isFinding(finding) ? finding : null,
  };
}

interface RawStudyRun extends RawRun {
  backend: string | null;
  device: string | null;
  val_auc: number | null;
  test_auc: number | null;
  best_epoch: number | null;
  last_epoch: number | null;
  seconds: number | null;
  started_at: string | null;
  finished_at: string | null;
}

/** The study's runs in id order (the order they were queued). */
export function readStudyRuns(db: Database.Database, studyId: number): StudyRun[] {
  const rows = db
    .prepare(
      `SELECT id, study_id, seed, status, config, backend, device, val_auc, test_auc, best_epoch, last_epoch,
         seconds, started_at, finished_at
       FROM runs WHERE study_id = ? ORDER BY id`,
    )
    .all(studyId) as RawStudyRun[];
  return rows.map((raw) => ({
    id: raw.id,
    seed: raw.seed,
    status: raw.status,
    backend: raw.backend,
    device: raw.device,
    valAuc: raw.val_auc,
    testAuc: raw.test_auc,
    bestEpoch: raw.best_epoch,
    lastEpoch: raw.last_epoch,
    seconds: raw.seconds,
    startedAt: raw.started_at,
    finishedAt: raw.finished_at,
    record: readableRecord(raw),
  }));
}

function readableRecord(raw: RawRun): RunRecord | null {
  try {
    return toRunRecord(raw);
  } catch (err) {
    if (err instanceof InputError) return null;
    throw err;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
