import { request } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { workspaceInfoSchema, type EventMessage } from '../../src-main/api/contract';
import { repoRoot, tempDir } from '../helpers/paths';
import { runHostExpectingExit, startHost, type RunningHost } from '../helpers/web-host';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const dir = tempDir();
const env = { ALIGNER_USER_DATA: join(dir.path, 'user-data') };
const db = join(dir.path, 'w.db');
let host: RunningHost;

beforeAll(async () => {
  host = await startHost(['--db', db], env);
});
afterAll(async () => {
  await host.stop();
  dir.remove();
});

async function post(
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(new URL(path, host.url), {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
  return { status: response.status, json: await response.json() };
}

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise `..`). */
function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser host', () => {
  it('binds to loopback and answers GET /api/health', async () => {
    expect(new URL(host.url).hostname).toBe('127.0.0.1');
    const response = await fetch(new URL('/api/health', host.url));
    const health = (await response.json()) as { ok: boolean; version: string; backend: string | null };
    expect(response.status).toBe(200);
    expect(health).toMatchObject({ ok: true, version: pkg.version });
    expect(Object.hasOwn(health, 'backend')).toBe(true);
  });

  it('serves the built renderer with a Content-Security-Policy', async () => {
    const response = await fetch(host.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await response.text()).toContain('<div id="app">');
  });

  it('answers a call with the contract output', async () => {
    const { status, json } = await post('/api/workspaceInfo', '{}');
    expect(status).toBe(200);
    const info = workspaceInfoSchema.parse((json as { value: unknown }).value);
    expect(info.path).toBe(db);
  });

  it('answers an unknown call with 404 and a JSON error', async () => {
    expect(await post('/api/dropTables', '{}')).toEqual({
      status: 404,
      json: { ok: false, error: { code: 'unknown_call', message: "unknown API call 'dropTables'" } },
    });
  });

  it('answers malformed JSON with 400', async () => {
    const { status, json } = await post('/api/workspaceOpen', '{"path": ');
    expect(status).toBe(400);
    expect(json).toMatchObject({ ok: false, error: { code: 'invalid_json' } });
  });

  it('answers a schema violation with 400 naming the field', async () => {
    const { status, json } = await post('/api/workspaceOpen', JSON.stringify({ path: ['a'] }));
    expect(status).toBe(400);
    expect(json).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'path' } });
  });

  it('answers a workspace that cannot be opened with 409 and keeps the current one', async () => {
    const { status, json } = await post('/api/workspaceOpen', JSON.stringify({ path: dir.path }));
    expect(status).toBe(409);
    expect(json).toMatchObject({ ok: false, error: { code: 'workspace', reason: 'is_directory' } });
    const after = await post('/api/workspaceInfo', '{}');
    expect((after.json as { value: { path: string } }).value.path).toBe(db);
  });

  it('refuses requests whose Host header is not loopback (DNS rebinding)', async () => {
    const response = await rawGet(host.port, '/api/health', { Host: 'attacker.example:80' });
    expect(response.status).toBe(403);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json']) {
      const response = await rawGet(host.port, path);
      expect(response.body, path).not.toContain('"electron-vite"');
    }
  });

  it('streams workspaceChanged over the /events WebSocket when another workspace is opened', async () => {
    const socket = new WebSocket(new URL('/events', host.url.replace('http', 'ws')));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const received = new Promise<EventMessage>((resolve) =>
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as EventMessage;
        if (message.event === 'workspaceChanged') resolve(message);
      }),
    );
    const second = join(dir.path, 'second.db');
    const { status } = await post('/api/workspaceOpen', JSON.stringify({ path: second }));
    expect(status).toBe(200);
    const message = await received;
    expect(message.event === 'workspaceChanged' && message.payload.path).toBe(second);
    socket.close();
    // The browser host was started with --db: opening from Settings must not change the remembered default.
    expect(existsSync(join(env.ALIGNER_USER_DATA, 'settings.json'))).toBe(false);
  });

  it('refuses a second host on the same workspace with exit 2 and one line', async () => {
    const current = ((await post('/api/workspaceInfo', '{}')).json as { value: { path: string } }).value.path;
    const run = await runHostExpectingExit(['--db', current], env);
    expect(run.code).toBe(2);
    expect(run.output.trim().split('\n')).toHaveLength(1);
    expect(run.output).toMatch(/is open in another Aligner Workstation/);
  });
});

describe('browser host options', () => {
  it('refuses a non-loopback --host without --token', async () => {
    const run = await runHostExpectingExit(['--host', '0.0.0.0', '--db', join(dir.path, 'x.db')], env);
    expect(run.code).toBe(2);
    expect(run.output).toMatch(/give --token/);
    expect(existsSync(join(dir.path, 'x.db'))).toBe(false);
  });

  it('with --token, refuses API calls and the event socket without it', async () => {
    const tokenDir = tempDir();
    const guarded = await startHost(['--db', join(tokenDir.path, 't.db'), '--token', 's3cret-token'], env);
    try {
      expect((await fetch(new URL('/api/health', guarded.url))).status).toBe(401);
      const wrong = await fetch(new URL('/api/workspaceInfo', guarded.url), {
        method: 'POST',
        body: '{}',
        headers: { Authorization: 'Bearer nope' },
      });
      expect(wrong.status).toBe(401);
      const right = await fetch(new URL('/api/workspaceInfo', guarded.url), {
        method: 'POST',
        body: '{}',
        headers: { Authorization: 'Bearer s3cret-token' },
      });
      expect(right.status).toBe(200);
      const refused = new WebSocket(new URL('/events', guarded.url.replace('http', 'ws')));
      const outcome = await new Promise<string>((resolve) => {
        refused.once('open', () => resolve('open'));
        refused.once('error', () => resolve('refused'));
      });
      expect(outcome).toBe('refused');
      const accepted = new WebSocket(new URL('/events?token=s3cret-token', guarded.url.replace('http', 'ws')));
      await new Promise((resolve, reject) => accepted.once('open', resolve).once('error', reject));
      accepted.close();
    } finally {
      await guarded.stop();
      tokenDir.remove();
    }
  });

  it('releases the workspace lock when stopped', async () => {
    const lockDir = tempDir();
    const path = join(lockDir.path, 'l.db');
    const first = await startHost(['--db', path], env);
    expect(existsSync(`${path}.lock`)).toBe(true);
    expect(await first.stop()).toBe(0);
    expect(existsSync(`${path}.lock`)).toBe(false);
    lockDir.remove();
  });
});
