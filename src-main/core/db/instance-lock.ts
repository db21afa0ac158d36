import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { WorkspaceError } from './workspace-error';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/**
 * One app instance (Electron window or browser host) writes to a workspace at a
 * time. SQLite's own locks allow many connections, so the app adds a lock file
 * beside the database (`<db>.lock`). A lock left by a process that no longer
 * runs on this host is taken over. The CLI's read-only commands do not take it.
 */
export class InstanceLock {
  private constructor(private readonly lockPath: string) {}

  static acquire(dbPath: string): InstanceLock {
    const lockPath = `${dbPath}.lock`;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(lockPath, 'wx');
        const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
        writeSync(fd, JSON.stringify(owner));
        closeSync(fd);
        return new InstanceLock(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new WorkspaceError(
            'unreadable',
            dbPath,
            `cannot create lock file ${lockPath}: ${(err as Error).message}`,
          );
        }
        const owner = readOwner(lockPath);
        if (owner && isAlive(owner)) {
          throw new WorkspaceError(
            'in_use',
            dbPath,
            `workspace ${dbPath} is open in another Aligner Workstation (pid ${owner.pid} on ${owner.host} since ${owner.since})`,
          );
        }
        rmSync(lockPath, { force: true });
      }
    }
    throw new WorkspaceError('in_use', dbPath, `workspace ${dbPath}: could not take lock file ${lockPath}`);
  }

  release(): void {
    rmSync(this.lockPath, { force: true });
  }
}

function readOwner(lockPath: string): LockOwner | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(lockPath, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { pid, host, since } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof since !== 'string') return null;
    return { pid, host, since };
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  // A lock from another host (shared folder) cannot be checked: respect it.
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
