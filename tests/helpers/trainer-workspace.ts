import { execFileSync, spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { regionGeometrySchema, type RegionGeometry } from '../../src-main/api/annotation-schemas';
import { rasterizeRegions } from '../../src-main/core/annotations/rasterize';
import { runCli } from './cli';
import { cliPath, requireBuild } from './paths';

export { learnableNodules } from './fairness-plan';

/** Runs `aligner simulate … --into-db` into `db` and fails with its stderr when it does not exit 0. */
export async function simulateInto(db: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const run = await runCli(['simulate', '--size', '128', '--into-db', '--db', db, ...args], env);
  if (run.code !== 0) throw new Error(`aligner simulate ${args.join(' ')} exited ${run.code}:\n${run.stderr}`);
}

export interface RunRecord {
  readonly status: string;
  readonly backend: string | null;
  readonly error: string | null;
  readonly bestEpoch: number | null;
  readonly lastEpoch: number | null;
  readonly valAuc: number | null;
  readonly testAuc: number | null;
}

export interface EpochRecordRow {
  readonly epoch: number;
  readonly lossCe: number;
  readonly lossAl: number;
  readonly valAuc: number | null;
}

export interface PredictionRecord {
  readonly imageId: number;
  readonly finding: string;
  readonly score: number;
  readonly attention: Float32Array | null;
}

/** Reads the workspace file directly (read-only): what the CLI recorded, not what it printed. */
export function withDb<T>(dbPath: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export function runCount(dbPath: string): number {
  return withDb(dbPath, (db) => db.prepare('SELECT count(*) FROM runs').pluck().get() as number);
}

export function readRunRecord(dbPath: string, runId: number): RunRecord | undefined {
  return withDb(
    dbPath,
    (db) =>
      db
        .prepare(
          `SELECT status, backend, error, best_epoch AS bestEpoch, last_epoch AS lastEpoch, val_auc AS valAuc,
             test_auc AS testAuc FROM runs WHERE id = ?`,
        )
        .get(runId) as RunRecord | undefined,
  );
}

export function readEpochRows(dbPath: string, runId: number): EpochRecordRow[] {
  return withDb(
    dbPath,
    (db) =>
      db
        .prepare(
          `SELECT epoch, loss_ce AS lossCe, loss_al AS lossAl, val_auc AS valAuc FROM run_epochs
           WHERE run_id = ? ORDER BY epoch`,
        )
        .all(runId) as EpochRecordRow[],
  );
}

export function readPredictions(dbPath: string, runId: number): PredictionRecord[] {
  const rows = withDb(
    dbPath,
    (db) =>
      db
        .prepare(
          'SELECT image_id AS imageId, finding, score, attention FROM predictions WHERE run_id = ? ORDER BY image_id',
        )
        .all(runId) as { imageId: number; finding: string; score: number; attention: Buffer | null }[],
  );
  return rows.map((r) => ({
    ...r,
    // Copy: a Buffer may sit at an offset of a shared pool that is not 4-byte aligned.
    attention: r.attention === null ? null : new Float32Array(new Uint8Array(r.attention).buffer),
  }));
}

/** Image ids of a source, in id order. */
export function sourceImageIds(dbPath: string, source: string): number[] {
  return withDb(
    dbPath,
    (db) =>
      db
        .prepare('SELECT i.id FROM images i JOIN sources s ON s.id = i.source_id WHERE s.name = ? ORDER BY i.id')
        .pluck()
        .all(source) as number[],
  );
}

export interface HitRate {
  readonly hits: number;
  /** Positive test images with a live human region for the finding (and a stored attention map). */
  readonly images: number;
  readonly rate: number;
}

/**
 * The pointing game (ARCHITECTURE §7, as CheXlocalize plays it) on a run's stored predictions: for every
 * image positive for `finding` that carries a live human region, the peak cell (i, j) of the g×g attention
 * map is upsampled to the image — it covers rows ⌊i·H/g⌋ … ⌊(i+1)·H/g⌋ − 1 and the same for columns — and
 * it is a hit when any pixel of that block lies inside the human mask (the union of all readers' regions,
 * rasterised at the image's own size). With nearest upsampling every pixel of the block is a peak, so "the
 * peak falls inside" means "some peak pixel does".
 */
export function pointingGame(dbPath: string, runId: number, finding: string): HitRate {
  const predictions = new Map(readPredictions(dbPath, runId).map((p) => [p.imageId, p]));
  const images = withDb(dbPath, (db) => {
    const positives = db
      .prepare(
        `SELECT i.id, i.rows, i.cols FROM images i JOIN labels l ON l.image_id = i.id
         WHERE l.finding = ? AND l.value = 1 AND i.id IN (SELECT image_id FROM predictions WHERE run_id = ?)
         ORDER BY i.id`,
      )
      .all(finding, runId) as { id: number; rows: number; cols: number }[];
    const regions = db.prepare(
      'SELECT geometry FROM annotations WHERE image_id = ? AND finding = ? AND deleted = 0 ORDER BY id',
    );
    return positives.map((image) => ({
      ...image,
      regions: (regions.pluck().all(image.id, finding) as string[]).map((g): RegionGeometry =>
        regionGeometrySchema.parse(JSON.parse(g)),
      ),
    }));
  });
  let hits = 0;
  let counted = 0;
  for (const image of images) {
    const attention = predictions.get(image.id)?.attention;
    if (image.regions.length === 0 || !attention) continue;
    const g = Math.round(Math.sqrt(attention.length));
    const mask = rasterizeRegions(image.regions, { columns: image.cols, rows: image.rows });
    const peak = argmax(attention);
    const [i, j] = [Math.floor(peak / g), peak % g];
    counted += 1;
    if (blockTouches(mask, image.cols, rangeOf(i, g, image.rows), rangeOf(j, g, image.cols))) hits += 1;
  }
  return { hits, images: counted, rate: counted === 0 ? 0 : hits / counted };
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if ((values[k] as number) > (values[best] as number)) best = k;
  return best;
}

function rangeOf(cell: number, g: number, side: number): [number, number] {
  return [Math.floor((cell * side) / g), Math.floor(((cell + 1) * side) / g)];
}

function blockTouches(mask: Uint8Array, width: number, rows: [number, number], cols: [number, number]): boolean {
  for (let r = rows[0]; r < rows[1]; r++) {
    for (let c = cols[0]; c < cols[1]; c++) if (mask[r * width + c] === 1) return true;
  }
  return false;
}

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcess {
  readonly pid: number;
  /** Resolves when stderr has printed a line matching `pattern`; rejects when the process ends first. */
  waitFor(pattern: RegExp): Promise<void>;
  /** Sends `signal` to the process, or with `group` to its whole process group, as a terminal's Ctrl+C does. */
  signal(signal: NodeJS.Signals, group?: boolean): void;
  readonly exited: Promise<CliExit>;
}

const running = new Set<CliProcess>();

/**
 * Starts the built `aligner` with `args`, for a test that signals it while it runs. It leads its own process
 * group, as a command started from a shell does, so that `signal(…, true)` reaches the CLI and its trainer.
 */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv): CliProcess {
  requireBuild();
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('aligner did not start');
  let stdout = '';
  let stderr = '';
  let ended: CliExit | null = null;
  const waiters: { pattern: RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      if (w.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      } else if (ended) {
        waiters.splice(waiters.indexOf(w), 1);
        w.reject(new Error(`aligner ended (${ended.code ?? ended.signal}) before printing ${w.pattern}:\n${stderr}`));
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    check();
  });
  const handle: CliProcess = {
    pid,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
    signal: (signal, group = false) => process.kill(group ? -pid : pid, signal),
    exited: new Promise<CliExit>((resolve) =>
      child.on('close', (code, signal) => {
        ended = { code, signal, stdout, stderr };
        running.delete(handle);
        check();
        resolve(ended);
      }),
    ),
  };
  running.add(handle);
  return handle;
}

/** Kills the process groups of the CLIs this file started that still run (a test that failed half-way). */
export function killStartedClis(): void {
  for (const cli of running) {
    try {
      process.kill(-cli.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Pids of the direct children of `pid` (the trainer process of a running `aligner train`). */
export function childPids(pid: number): number[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when nothing matches
  }
  return out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
