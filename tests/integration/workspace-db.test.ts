import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstanceLock } from '../../src-main/core/db/instance-lock';
import { latestSchemaVersion } from '../../src-main/core/db/migrations';
import { openWorkspace } from '../../src-main/core/db/open-workspace';
import { readWorkspaceInfo } from '../../src-main/core/workspace/workspace-info';
import { bumpSchemaVersion, holdExclusiveLock, sha256File, writeForeignDatabase } from '../helpers/db-fixtures';
import { tempDir } from '../helpers/paths';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('openWorkspace', () => {
  it('creates a workspace with WAL, foreign keys and the latest schema', () => {
    const path = join(dir.path, 'nested', 'folder', 'w.db');
    const ws = openWorkspace(path);
    try {
      expect(ws.schemaVersion).toBe(latestSchemaVersion);
      expect(ws.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(ws.db.pragma('synchronous', { simple: true })).toBe(1);
      const info = readWorkspaceInfo(ws);
      expect(info).toMatchObject({ path, schemaVersion: latestSchemaVersion, counts: { images: 0, sources: 0 } });
      expect(() =>
        ws.db
          .prepare(
            "INSERT INTO images (blob_sha256, source_id, format, original_name, rows, cols) VALUES ('x', 99, 'png', 'a.png', 1, 1)",
          )
          .run(),
      ).toThrow(/FOREIGN KEY/);
    } finally {
      ws.close();
    }
  });

  it('reopens an existing workspace without migrating again and keeps its data', () => {
    const path = join(dir.path, 'w.db');
    const first = openWorkspace(path);
    first.db.prepare("INSERT INTO sources (name, role) VALUES ('site-a', 'train')").run();
    const secret = first.db.prepare("SELECT value FROM meta WHERE key = 'pseudonym_secret'").pluck().get();
    first.close();
    const second = openWorkspace(path);
    try {
      expect(readWorkspaceInfo(second).counts.sources).toBe(1);
      expect(second.db.prepare("SELECT value FROM meta WHERE key = 'pseudonym_secret'").pluck().get()).toBe(secret);
    } finally {
      second.close();
    }
  });

  it('refuses a folder', () => {
    expect(() => openWorkspace(dir.path)).toThrow(expect.objectContaining({ code: 'is_directory' }));
  });

  it('refuses a file that is not SQLite and leaves it untouched', () => {
    const path = join(dir.path, 'notes.db');
    writeFileSync(path, 'these are not the pages you are looking for'.repeat(200));
    const before = sha256File(path);
    expect(() => openWorkspace(path)).toThrow(expect.objectContaining({ code: 'corrupt' }));
    expect(sha256File(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('refuses a damaged SQLite file (valid header, garbage pages) and leaves it untouched', () => {
    const path = join(dir.path, 'w.db');
    openWorkspace(path).close();
    const bytes = Buffer.alloc(8192, 0xab);
    Buffer.from('SQLite format 3\u0000').copy(bytes);
    writeFileSync(path, bytes);
    const before = sha256File(path);
    expect(() => openWorkspace(path)).toThrow(expect.objectContaining({ code: 'corrupt' }));
    expect(sha256File(path)).toBe(before);
  });

  it("refuses someone else's SQLite database and leaves it untouched", () => {
    const path = join(dir.path, 'other.db');
    writeForeignDatabase(path);
    const before = sha256File(path);
    expect(() => openWorkspace(path)).toThrow(/not an Aligner workspace/);
    expect(sha256File(path)).toBe(before);
  });

  it('refuses a workspace written by a newer app, naming both versions, and leaves it untouched', () => {
    const path = join(dir.path, 'w.db');
    openWorkspace(path).close();
    bumpSchemaVersion(path, latestSchemaVersion + 5);
    const before = sha256File(path);
    expect(() => openWorkspace(path)).toThrow(
      expect.objectContaining({
        code: 'newer_schema',
        message: expect.stringContaining(
          `schema version ${latestSchemaVersion + 5}, newer than this app supports (${latestSchemaVersion})`,
        ),
      }),
    );
    expect(sha256File(path)).toBe(before);
  });

  it('reports a database locked by another process instead of hanging', async () => {
    const path = join(dir.path, 'w.db');
    openWorkspace(path).close();
    const holder = await holdExclusiveLock(path);
    try {
      const started = Date.now();
      expect(() => openWorkspace(path, { busyTimeoutMs: 200 })).toThrow(expect.objectContaining({ code: 'locked' }));
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      holder.kill();
    }
  });
});

describe('InstanceLock', () => {
  it('lets one instance hold a workspace and refuses a second while the first lives', () => {
    const path = join(dir.path, 'w.db');
    mkdirSync(dir.path, { recursive: true });
    const lock = InstanceLock.acquire(path);
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), since: 'then' }));
    expect(() => InstanceLock.acquire(path)).toThrow(expect.objectContaining({ code: 'in_use' }));
    lock.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over a lock left by a process that has died', () => {
    const path = join(dir.path, 'w.db');
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: 'then' }));
    const lock = InstanceLock.acquire(path);
    lock.release();
  });
});
