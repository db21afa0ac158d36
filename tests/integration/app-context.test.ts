import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../src-main/api/contract';
import { AppContext } from '../../src-main/core/app-context';
import { selectBackend } from '../../src-main/core/compute/select-backend';
import { readAppSettings } from '../../src-main/core/workspace/app-settings';
import { tempDir } from '../helpers/paths';

let dir: ReturnType<typeof tempDir>;
let ctx: AppContext;
beforeEach(() => {
  dir = tempDir();
  ctx = new AppContext({
    host: 'browser',
    version: '0.0.0-test',
    userDataDir: join(dir.path, 'ud'),
    probeBackend: selectBackend,
  });
});
afterEach(() => {
  ctx.close();
  dir.remove();
});

describe('AppContext workspaces', () => {
  it('says clearly when no workspace is open', () => {
    expect(() => ctx.workspace()).toThrow(/no workspace is open/);
  });

  it('switches workspaces, remembers the choice, announces it, and releases the old lock', () => {
    const events: EventMessage[] = [];
    ctx.events.subscribe((m) => events.push(m));
    const a = join(dir.path, 'a.db');
    const b = join(dir.path, 'b.db');
    ctx.openWorkspace(a);
    expect(existsSync(`${a}.lock`)).toBe(true);
    ctx.openWorkspace(b, { remember: true });
    expect(existsSync(`${a}.lock`)).toBe(false);
    expect(existsSync(`${b}.lock`)).toBe(true);
    expect(readAppSettings(join(dir.path, 'ud')).workspacePath).toBe(b);
    expect(events.map((e) => e.event === 'workspaceChanged' && e.payload.path)).toEqual([a, b]);
  });

  it('keeps the current workspace when another cannot be opened', () => {
    const a = join(dir.path, 'a.db');
    ctx.openWorkspace(a);
    expect(() => ctx.openWorkspace(dir.path, { remember: true })).toThrow(/is a folder/);
    expect(ctx.workspace().path).toBe(a);
    expect(ctx.workspace().db.open).toBe(true);
    expect(readAppSettings(join(dir.path, 'ud')).workspacePath).toBeUndefined();
    expect(existsSync(`${dir.path}.lock`)).toBe(false);
  });

  it('probes the backend once per preference unless asked to refresh', async () => {
    const first = ctx.backend('cpu');
    expect(ctx.backend('cpu')).toBe(first);
    expect((await first).chosen).toBe('cpu');
    expect(ctx.backend('cpu', true)).not.toBe(first);
  });
});
