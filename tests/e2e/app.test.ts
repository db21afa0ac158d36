import { join } from 'node:path';
import type { Browser, Page, WebSocket } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json';
import type { BackendReport, WorkspaceInfo } from '../../src-main/api/contract';
import { launchChromium, OpenedPages, screenshotPath, watchErrors, type AllowedError } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { startHost, type RunningHost } from '../helpers/web-host';

/** The views in navigation order (Alt+1 … Alt+7). */
const views = ['library', 'annotate', 'train', 'runs', 'fairness', 'export', 'settings'] as const;

/**
 * The one console error allowed, and only where a test provokes it: the host answers a
 * workspace it cannot open with HTTP 409, and Chromium logs every non-2xx fetch as an error.
 */
const openRefused: AllowedError = /status of 409 \(Conflict\) @ http:\/\/127\.0\.0\.1:\d+\/api\/workspaceOpen$/;

interface OpenedApp {
  readonly page: Page;
  /** The page's WebSocket to the host's /events. */
  readonly socket: WebSocket;
}

let browser: Browser;
const opened = new OpenedPages();

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
// Every page a test opened must end without uncaught errors or console errors.
afterEach(async () => {
  expect(await opened.closeAll(), 'errors in the browser').toEqual([]);
});

async function openApp(url: string, allowed: AllowedError[] = []): Promise<OpenedApp> {
  const page = await opened.open(browser, { width: 1280, height: 800 }, allowed);
  return { page, socket: await load(page, url) };
}

/** Loads the app at `url` in `page`; resolves with the new page's events socket once the app is ready. */
async function load(page: Page, url: string): Promise<WebSocket> {
  const socket = page.waitForEvent('websocket', (ws) => new URL(ws.url()).pathname === '/events');
  await page.goto(url);
  await page.locator('main[data-ready="true"]').waitFor();
  return socket;
}

/** Waits until `view` is shown and the app has loaded. */
function ready(page: Page, view: string): Promise<void> {
  return page.locator(`main[data-testid="view-${view}"][data-ready="true"]`).waitFor();
}

async function show(page: Page, view: string): Promise<void> {
  await page.getByTestId(`nav-${view}`).click();
  await ready(page, view);
}

/** Waits until the element's text is `expected`; fails showing the text it had. */
async function expectText(page: Page, testId: string, expected: string): Promise<void> {
  const element = page.getByTestId(testId);
  const read = (): Promise<string | undefined> =>
    element.textContent({ timeout: 1_000 }).then(
      (text) => text?.trim(),
      () => undefined,
    );
  await expect.poll(read, { timeout: 20_000, message: `text of ${testId}` }).toBe(expected);
}

async function api<T>(host: RunningHost, name: string, input: object = {}, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${host.url}api/${name}`, { method: 'POST', headers, body: JSON.stringify(input) });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: unknown };
  if (!body.ok) throw new Error(`${name} answered ${res.status}: ${JSON.stringify(body.error)}`);
  return body.value as T;
}

/** Makes sure the page's events socket is open: a forced re-probe must reach it as a backendChanged frame. */
async function eventsConnected(app: OpenedApp, host: RunningHost, token?: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const frame = app.socket.waitForEvent('framereceived', { timeout: 5_000 });
    await api(host, 'backendProbe', { refresh: true }, token);
    try {
      await frame;
      return;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

async function openWorkspaceInSettings(page: Page, path: string): Promise<void> {
  await page.getByTestId('settings-open-path').fill(path);
  await page.getByTestId('settings-open-button').click();
}

interface HostFixture {
  host: RunningHost;
  /** The temporary folder; the workspace given to --db is `<dir>/workspace.db`. */
  dir: string;
  dbPath: string;
}

/** Starts a browser host on a fresh temporary workspace for the tests of the enclosing block. */
function hostOnTempWorkspace(extraArgs: string[] = []): HostFixture {
  const fx = {} as HostFixture;
  let dir: ReturnType<typeof tempDir> | undefined;
  beforeAll(async () => {
    dir = tempDir('aligner-e2e-');
    Object.assign(fx, { dir: dir.path, dbPath: join(dir.path, 'workspace.db') });
    fx.host = await startHost(['--db', fx.dbPath, ...extraArgs], { ALIGNER_USER_DATA: join(fx.dir, 'user-data') });
  });
  afterAll(async () => {
    await fx.host?.stop();
    dir?.remove();
  });
  return fx;
}

describe('browser host', () => {
  const fx = hostOnTempWorkspace();

  it('opens every view from its nav button', async () => {
    const { page } = await openApp(fx.host.url);
    for (const id of views) {
      await show(page, id);
      expect(await page.getByTestId(`nav-${id}`).getAttribute('aria-current')).toBe('page');
      expect(new URL(page.url()).hash).toBe(`#/${id}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(new RegExp(`^${id}`, 'i'));
      await page.screenshot({ path: screenshotPath(`view-${id}`), fullPage: true });
    }
  });

  it('Settings shows the workspace, schema, version and backend that the API reports', async () => {
    const { page } = await openApp(fx.host.url);
    await show(page, 'settings');
    const info = await api<WorkspaceInfo>(fx.host, 'workspaceInfo');
    const backend = await api<BackendReport>(fx.host, 'backendProbe');
    expect(info.path).toBe(fx.dbPath);
    await expectText(page, 'settings-workspace-path', fx.dbPath);
    await expectText(page, 'settings-schema-version', String(info.schemaVersion));
    await expectText(page, 'settings-app-version', pkg.version);
    await expectText(page, 'settings-backend', backend.chosen ?? 'none');
  });

  it('keeps the view of the address (#/settings) across a reload', async () => {
    const { page } = await openApp(fx.host.url);
    await show(page, 'settings');
    await page.reload();
    await ready(page, 'settings');
    await expectText(page, 'settings-workspace-path', fx.dbPath);
  });

  it('switches views with Alt+1 … Alt+7', async () => {
    const { page } = await openApp(fx.host.url);
    for (const [i, id] of [...views.entries()].reverse()) {
      await page.keyboard.press(`Alt+${i + 1}`);
      await ready(page, id);
    }
  });

  it('catches console errors and uncaught exceptions in the page', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(fx.host.url);
    await page.evaluate(() => {
      console.error('provoked console error');
      setTimeout(() => {
        throw new Error('provoked page error');
      });
    });
    await expect.poll(() => errors.length).toBe(2);
    expect(errors.join('\n')).toMatch(/provoked console error[\s\S]*provoked page error/);
    await page.close();
  });

  it('Settings opens another workspace file and refuses a folder', async () => {
    const { page } = await openApp(fx.host.url, [openRefused]);
    await show(page, 'settings');
    const newDb = join(fx.dir, 'second.db');
    await openWorkspaceInSettings(page, newDb);
    await expectText(page, 'settings-workspace-path', newDb);
    expect((await api<WorkspaceInfo>(fx.host, 'workspaceInfo')).path).toBe(newDb);

    await openWorkspaceInSettings(page, fx.dir);
    const error = page.getByTestId('settings-open-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('is a folder');
    await expectText(page, 'settings-workspace-path', newDb);
    expect((await api<WorkspaceInfo>(fx.host, 'workspaceInfo')).path).toBe(newDb);
  });

  it('shows a workspace opened in one tab in another tab without a reload', async () => {
    const a = await openApp(`${fx.host.url}#/settings`);
    const b = await openApp(`${fx.host.url}#/settings`);
    await eventsConnected(b, fx.host);
    let reloads = 0;
    b.page.on('load', () => (reloads += 1));
    const third = join(fx.dir, 'third.db');
    await openWorkspaceInSettings(a.page, third);
    await expectText(a.page, 'settings-workspace-path', third);
    await expectText(b.page, 'settings-workspace-path', third);
    expect(reloads).toBe(0);
  });
});

describe('browser host with --token', () => {
  const token = 'secret123';
  const fx = hostOnTempWorkspace(['--token', token]);

  it('refuses API calls without the token', async () => {
    const health = async (headers: Record<string, string> = {}): Promise<number> =>
      (await fetch(`${fx.host.url}api/health`, { headers })).status;
    expect(await health()).toBe(401);
    expect(await health({ Authorization: 'Bearer wrong' })).toBe(401);
    expect(await health({ Authorization: `Bearer ${token}` })).toBe(200);
  });

  it('works in the browser opened with ?token=, events included', async () => {
    const { page } = await openApp(`${fx.host.url}?token=${token}`);
    await show(page, 'settings');
    await expectText(page, 'settings-workspace-path', fx.dbPath);

    // The tab keeps the token: an address without it still works.
    const socket = await load(page, `${fx.host.url}#/library`);
    expect(new URL(page.url()).search).toBe('');
    await show(page, 'settings');
    await expectText(page, 'settings-workspace-path', fx.dbPath);

    // The events socket authenticates with ?token= too.
    await eventsConnected({ page, socket }, fx.host, token);
    const other = join(fx.dir, 'other.db');
    await api(fx.host, 'workspaceOpen', { path: other }, token);
    await expectText(page, 'settings-workspace-path', other);
  });
});
