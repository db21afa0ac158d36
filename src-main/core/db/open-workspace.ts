import { randomBytes } from 'node:crypto';
import { accessSync, constants, closeSync, mkdirSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { latestSchemaVersion, migrations } from './migrations';
import { WorkspaceError } from './workspace-error';

/** Identifies our files among other SQLite databases (stored in `meta`). */
const APP_ID = 'aligner-workstation';
const SQLITE_HEADER = 'SQLite format 3\u0000';

export interface OpenWorkspaceOptions {
  /** How long to wait for another process's lock before failing, in ms. Default 2000. */
  readonly busyTimeoutMs?: number;
}

export interface WorkspaceDb {
  readonly path: string;
  readonly db: Database.Database;
  /** The schema version after migrations (SQLite `user_version`). */
  readonly schemaVersion: number;
  close(): void;
}

/**
 * Opens (creating if absent) a workspace database and migrates it to the
 * latest schema. Every check that can refuse the file runs before the first
 * write, so a file we cannot use is never modified.
 */
export function openWorkspace(path: string, options: OpenWorkspaceOptions = {}): WorkspaceDb {
  const abs = resolve(path);
  const stats = statOrNull(abs);
  if (stats) checkExistingFile(abs, stats);
  else ensureParentFolder(abs);

  let db: Database.Database;
  try {
    db = new Database(abs, { timeout: options.busyTimeoutMs ?? 2000 });
  } catch (err) {
    throw translateSqliteError(err, abs);
  }
  try {
    const version = readSchemaVersion(db, abs);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    const schemaVersion = migrate(db, version);
    return {
      path: abs,
      db,
      schemaVersion,
      close: () => {
        if (db.open) db.close();
      },
    };
  } catch (err) {
    db.close();
    throw translateSqliteError(err, abs);
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    if (isErrno(err) && err.code === 'ENOENT') return null;
    throw new WorkspaceError('unreadable', path, `cannot read workspace ${path}: ${errnoText(err)}`);
  }
}

function checkExistingFile(path: string, stats: Stats): void {
  if (stats.isDirectory()) {
    throw new WorkspaceError('is_directory', path, `workspace path ${path} is a folder; give the path of a .db file`);
  }
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new WorkspaceError('unreadable', path, `cannot read and write workspace ${path}: ${errnoText(err)}`);
  }
  if (stats.size === 0) return;
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new WorkspaceError(
      'corrupt',
      path,
      `${path} is not a SQLite database (corrupt, or another kind of file); it was left untouched`,
    );
  }
}

function ensureParentFolder(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new WorkspaceError('unreadable', path, `cannot create the folder for workspace ${path}: ${errnoText(err)}`);
  }
}

function readSchemaVersion(db: Database.Database, path: string): number {
  const version = db.pragma('user_version', { simple: true });
  if (typeof version !== 'number') throw new WorkspaceError('corrupt', path, `${path}: unreadable schema version`);
  // Reading the schema forces SQLite to parse every page header of sqlite_master,
  // which is where a damaged file first shows.
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (version > latestSchemaVersion) {
    throw new WorkspaceError(
      'newer_schema',
      path,
      `${path} has schema version ${version}, newer than this app supports (${latestSchemaVersion}); update Aligner Workstation to open it`,
    );
  }
  if (version === 0 && tables.length > 0) {
    throw new WorkspaceError(
      'corrupt',
      path,
      `${path} is a SQLite database but not an Aligner workspace (it has tables of its own); it was left untouched`,
    );
  }
  if (version > 0) {
    const app = tables.includes('meta')
      ? (db.prepare("SELECT value FROM meta WHERE key = 'app'").pluck().get() as string | undefined)
      : undefined;
    if (app !== APP_ID) {
      throw new WorkspaceError(
        'corrupt',
        path,
        `${path} is a SQLite database but not an Aligner workspace; it was left untouched`,
      );
    }
  }
  return version;
}

function migrate(db: Database.Database, from: number): number {
  let version = from;
  for (const migration of migrations) {
    if (migration.version <= version) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      if (migration.version === 1) {
        const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        insert.run('app', APP_ID);
        insert.run('created_at', new Date().toISOString());
        // Keyed pseudonyms of patient ids (HMAC) are only as private as this secret.
        insert.run('pseudonym_secret', randomBytes(32).toString('hex'));
      }
      db.pragma(`user_version = ${migration.version}`);
    })();
    version = migration.version;
  }
  return version;
}

function translateSqliteError(err: unknown, path: string): Error {
  if (err instanceof WorkspaceError) return err;
  const code = isErrno(err) ? err.code : undefined;
  const detail = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new WorkspaceError(
        'locked',
        path,
        `workspace ${path} is locked by another process; close it there and retry`,
      );
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new WorkspaceError('corrupt', path, `${path} is damaged (${detail}); it was left untouched`);
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
    case 'SQLITE_READONLY':
    case 'SQLITE_AUTH':
      return new WorkspaceError('unreadable', path, `cannot open workspace ${path}: ${detail}`);
    default:
      return err instanceof Error ? err : new Error(detail);
  }
}

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

function errnoText(err: unknown): string {
  return isErrno(err) ? (err.code ?? err.message) : String(err);
}
