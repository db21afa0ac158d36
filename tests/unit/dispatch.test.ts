import { describe, expect, it } from 'vitest';
import { callNames, type BackendReport, type WorkspaceInfo } from '../../src-main/api/contract';
import { ApiFailure, createDispatch, type Handlers } from '../../src-main/api/dispatch';
import { WorkspaceError } from '../../src-main/core/db/workspace-error';

const info: WorkspaceInfo = {
  path: '/tmp/w.db',
  schemaVersion: 1,
  supportedSchemaVersion: 1,
  createdAt: null,
  sizeBytes: 0,
  counts: { sources: 0, images: 0, annotations: 0, studies: 0, runs: 0 },
};

const report: BackendReport = {
  requested: 'auto',
  chosen: 'cpu',
  device: 'CPU',
  tfjsVersion: '4.22.0',
  matmulGflops: 1,
  attempts: [{ backend: 'cpu', ok: true, reason: null, ms: 1 }],
};

/** Calls these tests do not exercise answer with an error, so the table stays complete as the contract grows. */
const unused = Object.fromEntries(
  callNames.map((name) => [
    name,
    () => {
      throw new Error(`${name} is not used by these tests`);
    },
  ]),
) as unknown as Handlers;

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    ...unused,
    appInfo: () => ({
      name: 'x',
      version: '0',
      host: 'cli',
      platform: 'p',
      node: '20',
      electron: null,
      userDataDir: '/u',
    }),
    workspaceInfo: () => info,
    workspaceOpen: ({ path }) => ({ ...info, path }),
    backendProbe: ({ preference }) => ({ ...report, requested: preference }),
    sourcesList: () => [],
    pickPaths: () => ({ paths: [] }),
    demoBuild: () => ({ started: true }),
    demoCancel: () => ({ cancelled: false }),
    importStart: () => ({ jobId: 'job-1' }),
    importCancel: () => ({ cancelled: false }),
    worklistQuery: ({ offset }) => ({ total: 0, offset, rows: [] }),
    thumbnails: () => ({ items: [] }),
    ...overrides,
  };
}

const silent = (): void => undefined;

describe('createDispatch', () => {
  it('answers a valid call with its handler value', async () => {
    const dispatch = createDispatch(handlers(), silent);
    expect(await dispatch('workspaceOpen', { path: '/data/a.db' })).toEqual({
      ok: true,
      value: { ...info, path: '/data/a.db' },
    });
  });

  it('fills input defaults from the contract before the handler sees them', async () => {
    const dispatch = createDispatch(handlers(), silent);
    const result = await dispatch('backendProbe', {});
    expect(result.ok && (result.value as BackendReport).requested).toBe('auto');
  });

  it('refuses an unknown call, including names inherited from Object', async () => {
    const dispatch = createDispatch(handlers(), silent);
    for (const name of ['nope', 'toString', '__proto__', 'constructor']) {
      const result = await dispatch(name, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    }
  });

  it('names the failing field of a schema violation', async () => {
    const dispatch = createDispatch(handlers(), silent);
    expect(await dispatch('workspaceOpen', { path: 42 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', field: 'path' },
    });
    expect(await dispatch('workspaceOpen', { path: '   ' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', field: 'path' },
    });
    expect(await dispatch('backendProbe', { preference: 'quantum' })).toMatchObject({
      ok: false,
      error: { field: 'preference' },
    });
  });

  it('refuses unknown keys (strict inputs)', async () => {
    const dispatch = createDispatch(handlers(), silent);
    const result = await dispatch('workspaceInfo', { extra: true });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('turns a workspace failure into a typed error with its reason', async () => {
    const dispatch = createDispatch(
      handlers({
        workspaceOpen: () => {
          throw new WorkspaceError('is_directory', '/tmp', 'workspace path /tmp is a folder');
        },
      }),
      silent,
    );
    expect(await dispatch('workspaceOpen', { path: '/tmp' })).toEqual({
      ok: false,
      error: { code: 'workspace', reason: 'is_directory', message: 'workspace path /tmp is a folder' },
    });
  });

  it('passes an ApiFailure through as is', async () => {
    const dispatch = createDispatch(
      handlers({
        workspaceInfo: () => {
          throw new ApiFailure({ code: 'unavailable', message: 'busy' });
        },
      }),
      silent,
    );
    expect(await dispatch('workspaceInfo', {})).toEqual({ ok: false, error: { code: 'unavailable', message: 'busy' } });
  });

  it('reports an answer outside the contract as an internal error, never passes it on', async () => {
    const logged: string[] = [];
    const dispatch = createDispatch(handlers({ workspaceInfo: () => ({ ...info, schemaVersion: -1 }) }), (name) =>
      logged.push(name),
    );
    expect(await dispatch('workspaceInfo', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(logged).toEqual(['workspaceInfo']);
  });

  it('catches a crashing handler', async () => {
    const dispatch = createDispatch(
      handlers({
        appInfo: () => {
          throw new TypeError('boom');
        },
      }),
      silent,
    );
    expect(await dispatch('appInfo', {})).toMatchObject({
      ok: false,
      error: { code: 'internal', message: 'appInfo failed: boom' },
    });
  });
});
