import type Database from 'better-sqlite3';
import type { z } from 'zod';
import {
  studyConfigSchema,
  studyEstimateSchema,
  type StudyConfig,
  type StudyCounts,
  type StudyEstimate,
  type StudyRunSpec,
  type StudyState,
  type StudyStatus,
  type StudySummary,
} from '../../api/study-schemas';
import { bundleManifestSchema, type BundleManifest } from '../../api/bundle-schemas';
import type { RunSummary } from '../../api/training-schemas';
import { InputError } from '../input-error';
import {
  createRun,
  failOrphanedRuns,
  isInterrupted,
  listStudyRuns,
  ownerAlive,
  ownerTag,
  requeueRun,
  type RunRow,
} from '../training/run-store';

/**
 * The `studies` rows and their queue of runs. A study's runs are created
 * 'queued' with it, in the order of {@link expandStudy}, and taken in id
 * order; the study's `state` says whether runs may be taken ('active'), not
 * now ('paused'), or never ('cancelled'); its `owner` is the one process
 * taking them. Everything else (done, failed, progress, ETA) is read from the
 * runs.
 */
export interface StudyRow {
  readonly id: number;
  readonly name: string;
  readonly config: StudyConfig;
  readonly state: StudyState;
  readonly estimate: StudyEstimate | null;
  readonly concurrency: number;
  readonly owner: string | null;
  readonly createdAt: string;
  /** The bundle the study was re-run from (`aligner study run --bundle`), else null. */
  readonly bundle: BundleManifest | null;
}

interface RawStudy {
  id: number;
  name: string;
  config: string;
  state: StudyState;
  estimate: string | null;
  concurrency: number;
  owner: string | null;
  created_at: string;
  bundle: string | null;
}

/** The study and all its runs, queued, in one transaction: a study is queued whole or not at all. */
export function createStudy(
  db: Database.Database,
  config: StudyConfig,
  specs: readonly StudyRunSpec[],
  options: {
    readonly estimate: StudyEstimate | null;
    readonly concurrency: number;
    readonly bundle?: BundleManifest | null;
  },
): number {
  return db.transaction(() => {
    const id = Number(
      db
        .prepare('INSERT INTO studies (name, config, estimate, concurrency, bundle) VALUES (?, ?, ?, ?, ?)')
        .run(
          config.name,
          JSON.stringify(config),
          options.estimate === null ? null : JSON.stringify(options.estimate),
          options.concurrency,
          options.bundle ? JSON.stringify(options.bundle) : null,
        ).lastInsertRowid,
    );
    for (const spec of specs) createRun(db, spec.config, id);
    return id;
  })();
}

/** @throws InputError (field `studyId`) for an unknown study */
export function readStudy(db: Database.Database, id: number): StudyRow {
  const raw = db.prepare('SELECT * FROM studies WHERE id = ?').get(id) as RawStudy | undefined;
  if (!raw) throw new InputError(`no study with id ${id} in this workspace`, 'studyId');
  const study = toStudy(raw);
  if ('reason' in study) throw new InputError(study.reason, 'studyId');
  return study;
}

/** The studies this version can read, newest first; see {@link listUnreadableStudies} for the others. */
export function listStudyRows(db: Database.Database): StudyRow[] {
  return allStudies(db).filter((s): s is StudyRow => !('reason' in s));
}

/**
 * A stored study whose configuration this version cannot read (written by another version, or edited by
 * hand). It stays in the workspace untouched; lists show it with the reason instead of failing.
 */
export interface UnreadableStudy {
  readonly id: number;
  readonly name: string;
  readonly reason: string;
}

export function listUnreadableStudies(db: Database.Database): UnreadableStudy[] {
  return allStudies(db).filter((s): s is UnreadableStudy => 'reason' in s);
}

function allStudies(db: Database.Database): (StudyRow | UnreadableStudy)[] {
  return (db.prepare('SELECT * FROM studies ORDER BY id DESC').all() as RawStudy[]).map(toStudy);
}

export function setStudyState(db: Database.Database, id: number, state: StudyState): void {
  db.prepare('UPDATE studies SET state = ? WHERE id = ?').run(state, id);
}

export function setConcurrency(db: Database.Database, id: number, concurrency: number): void {
  db.prepare('UPDATE studies SET concurrency = ? WHERE id = ?').run(concurrency, id);
}

/** The study's runs in queue order. */
export function studyRunRows(db: Database.Database, studyId: number): RunRow[] {
  return listStudyRuns(db, studyId);
}

/** The first queued run of the study not in `skip`, or null. */
export function nextQueuedRun(db: Database.Database, studyId: number, skip: ReadonlySet<number>): number | null {
  const ids = db
    .prepare("SELECT id FROM runs WHERE study_id = ? AND status = 'queued' ORDER BY id")
    .pluck()
    .all(studyId) as number[];
  return ids.find((id) => !skip.has(id)) ?? null;
}

/**
 * Makes this process the one taking the study's runs. An immediate transaction, so two processes claiming
 * at once cannot both win.
 *
 * @throws InputError when another live process runs it
 */
export function claimStudy(db: Database.Database, id: number): void {
  const me = ownerTag();
  db.transaction(() => {
    const study = readStudy(db, id);
    if (study.owner !== null && study.owner !== me && ownerAlive(study.owner)) {
      throw new InputError(
        `study ${id} is being run by another process (${study.owner}); pause or cancel it there`,
        'studyId',
      );
    }
    db.prepare('UPDATE studies SET owner = ? WHERE id = ?').run(me, id);
  }).immediate();
}

export function releaseStudy(db: Database.Database, id: number): void {
  db.prepare('UPDATE studies SET owner = NULL WHERE id = ? AND owner = ?').run(id, ownerTag());
}

/** Whether a live process other than this one runs the study. */
export function ownedElsewhere(study: StudyRow): boolean {
  return study.owner !== null && study.owner !== ownerTag() && ownerAlive(study.owner);
}

/** Marks the study's queued runs cancelled; returns how many. */
export function cancelQueuedRuns(db: Database.Database, studyId: number): number {
  return db
    .prepare(
      `UPDATE runs SET status = 'cancelled', finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       WHERE study_id = ? AND status = 'queued'`,
    )
    .run(studyId).changes;
}

/**
 * Puts back in the queue the study's runs whose process died under them (kill -9, a crash, a power cut),
 * so they continue from their last checkpoint; with `cancelled`, runs stopped by a cancel or Ctrl+C too;
 * with `failed`, runs that failed. Returns the run ids re-queued.
 */
export function requeueStopped(
  db: Database.Database,
  studyId: number,
  include: { readonly cancelled?: boolean; readonly failed?: boolean } = {},
): number[] {
  failOrphanedRuns(db);
  const requeued: number[] = [];
  db.transaction(() => {
    for (const run of studyRunRows(db, studyId)) {
      const take =
        isInterrupted(run) ||
        (include.cancelled === true && run.status === 'cancelled') ||
        (include.failed === true && run.status === 'failed');
      if (take && requeueRun(db, run.id)) requeued.push(run.id);
    }
  })();
  return requeued;
}

export function countRuns(runs: readonly Pick<RunRow, 'status'>[]): StudyCounts {
  const counts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  for (const run of runs) counts[run.status] += 1;
  return counts;
}

/** What the study is doing (see studyStatusSchema). `training`: this process trains some of its runs now. */
export function studyStatus(study: StudyRow, counts: StudyCounts, training: boolean): StudyStatus {
  if (study.state === 'cancelled') return 'cancelled';
  const running = training || (study.owner !== null && ownerAlive(study.owner));
  if (counts.queued + counts.running === 0) return 'finished';
  if (study.state === 'paused') return running && counts.running > 0 ? 'pausing' : 'paused';
  return running ? 'running' : 'interrupted';
}

/**
 * A study as the UI and `aligner study status` show it. ETA: every remaining epoch of every unfinished
 * run, at the seconds per epoch measured so far at that data ratio (else the probe's estimate scaled by
 * how the measured epochs compare with it), plus a start for each queued run.
 */
export function summariseStudy(
  db: Database.Database,
  study: StudyRow,
  runs: readonly RunRow[],
  training: boolean,
): StudySummary {
  const counts = countRuns(runs);
  const total = runs.length;
  let progressed = 0;
  for (const run of runs) {
    if (run.status === 'queued') continue;
    if (run.status === 'running') {
      const epochs = run.config.epochs;
      const within = run.progress && run.progress.steps > 0 ? run.progress.step / run.progress.steps : 0;
      const epochsDone = (run.lastEpoch ?? -1) + 1;
      progressed += Math.min(1, (epochsDone + (run.progress?.epoch === epochsDone ? within : 0)) / epochs);
    } else {
      progressed += 1;
    }
  }
  return {
    id: study.id,
    name: study.name,
    config: study.config,
    state: study.state,
    status: studyStatus(study, counts, training),
    total,
    counts,
    fraction: total === 0 ? 1 : Math.min(1, progressed / total),
    etaSeconds: etaOf(db, study, runs),
    estimate: study.estimate,
    concurrency: study.concurrency,
    createdAt: study.createdAt,
    owner: study.owner,
  };
}

function etaOf(db: Database.Database, study: StudyRow, runs: readonly RunRow[]): number | null {
  const unfinished = runs.filter((r) => r.status === 'queued' || r.status === 'running');
  if (unfinished.length === 0) return 0;
  const measured = db
    .prepare(
      `SELECT json_extract(r.config, '$.dataRatio') AS ratio, avg(e.seconds) AS seconds, count(*) AS n
       FROM run_epochs e JOIN runs r ON r.id = e.run_id WHERE r.study_id = ? GROUP BY ratio`,
    )
    .all(study.id) as { ratio: number; seconds: number; n: number }[];
  const estimate = study.estimate;
  const estimatedEpoch = (ratio: number): number | null =>
    estimate === null
      ? null
      : (Math.max(1, Math.round(ratio * estimate.trainImages)) / study.config.batchSize) * estimate.secondsPerStep +
        estimate.validationImages * estimate.secondsPerImageScored;
  // How the measured epochs compare with the probe's (the probe times random data, no loading or augmentation).
  let calibration = 1;
  const comparable = measured.filter((m) => (estimatedEpoch(m.ratio) ?? 0) > 0);
  if (comparable.length > 0) {
    const weight = comparable.reduce((n, m) => n + m.n, 0);
    calibration =
      comparable.reduce((sum, m) => sum + (m.n * m.seconds) / (estimatedEpoch(m.ratio) as number), 0) / weight;
  }
  const epochSeconds = (ratio: number): number | null => {
    const direct = measured.find((m) => m.ratio === ratio);
    if (direct) return direct.seconds;
    const fromEstimate = estimatedEpoch(ratio);
    if (fromEstimate !== null) return fromEstimate * calibration;
    if (measured.length > 0) return measured.reduce((s, m) => s + m.seconds, 0) / measured.length;
    return null;
  };
  const startSeconds =
    estimate === null
      ? 0
      : estimate.secondsPerRunStart + estimate.testImages * estimate.secondsPerImageScored * calibration;
  let eta = 0;
  for (const run of unfinished) {
    const perEpoch = epochSeconds(run.config.dataRatio);
    if (perEpoch === null) return null;
    const left = run.config.epochs - ((run.lastEpoch ?? -1) + 1);
    eta += left * perEpoch + (run.status === 'queued' ? startSeconds : 0);
  }
  const slots = Math.max(1, Math.min(study.concurrency, unfinished.length));
  return Math.round(eta / slots);
}

/** A study run's place in the sweep, read from its config and its position in the queue. */
export interface SweepPlace {
  readonly index: number;
  readonly level: number;
  readonly seed: number;
  readonly dataRatio: number;
  readonly randomAlignment: boolean;
}

export function sweepPlace(run: Pick<RunRow, 'config'>, index: number): SweepPlace {
  const { alignment: level, seed, dataRatio, randomAlignment } = run.config;
  return { index, level, seed, dataRatio, randomAlignment };
}

/** {@link sweepPlace} with the run's summary. */
export function studyRunOf(run: RunRow, index: number, summary: RunSummary): SweepPlace & { run: RunSummary } {
  return { ...sweepPlace(run, index), run: summary };
}

function toStudy(raw: RawStudy): StudyRow | UnreadableStudy {
  const unreadable = (problem: string): UnreadableStudy => ({
    id: raw.id,
    name: raw.name,
    reason: `study ${raw.id} '${raw.name}' cannot be read by this version: its stored ${problem}`,
  });
  const config = parseStored(raw.config, studyConfigSchema, 'configuration');
  if ('problem' in config) return unreadable(config.problem);
  const estimate = raw.estimate === null ? { value: null } : parseStored(raw.estimate, studyEstimateSchema, 'estimate');
  if ('problem' in estimate) return unreadable(estimate.problem);
  const bundle =
    raw.bundle === null ? { value: null } : parseStored(raw.bundle, bundleManifestSchema, 'bundle manifest');
  if ('problem' in bundle) return unreadable(bundle.problem);
  return {
    id: raw.id,
    name: raw.name,
    config: config.value,
    state: raw.state,
    estimate: estimate.value,
    concurrency: raw.concurrency,
    owner: raw.owner,
    createdAt: raw.created_at,
    bundle: bundle.value,
  };
}

function parseStored<T>(text: string, schema: z.ZodType<T>, what: string): { value: T } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: `${what} is not JSON` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0]!;
  const at = issue.path.map(String).join('.');
  return { problem: `${what} is invalid (${at === '' ? '' : `${at}: `}${issue.message})` };
}
