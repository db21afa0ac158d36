/**
 * The Electron shell: one window, secure defaults, the API registered over IPC
 * from the contract, the workspace opened on start and closed on quit.
 * This file and preload.ts are the only ones that import electron; the core
 * services run under plain Node.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, session, shell, utilityProcess } from 'electron';
import { eventChannel } from './api/bridge';
import type { EventPayload } from './api/contract';
import { createBinaryDispatch, createDispatch } from './api/dispatch';
import { createBinaryHandlers, createHandlers, type HostServices } from './api/handlers';
import { AppContext } from './core/app-context';
import { appVersion } from './core/app-version';
import { probeInChild } from './core/compute/probe-client';
import type { ProcessLauncher } from './core/process/launcher';
import { resolveWorkspacePath } from './core/workspace/resolve-workspace-path';
import { registerIpc } from './hosts/ipc';
import { contentSecurityPolicy } from './hosts/security';
import { setEntryDir } from './core/runtime-paths';

const outMain = import.meta.dirname;
const rendererIndex = join(outMain, '..', 'renderer', 'index.html');
const devServerUrl = process.env.ELECTRON_RENDERER_URL;

/** Electron's utility processes behind the launcher interface the core services use. */
const electronLauncher: ProcessLauncher = (modulePath, args) => {
  const child = utilityProcess.fork(modulePath, [...args], { stdio: 'inherit', serviceName: 'Aligner compute' });
  return {
    postMessage: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => {
      child.kill();
    },
  };
};

function argValue(flag: string): string | undefined {
  const argv = process.argv;
  const inline = argv.find((a) => a.startsWith(`${flag}=`));
  if (inline) return inline.slice(flag.length + 1);
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

function isTrustedUrl(url: string): boolean {
  if (devServerUrl) return url.startsWith(devServerUrl);
  return url.startsWith('file://') && decodeURIComponent(new URL(url).pathname).endsWith('/renderer/index.html');
}

function hardenSessions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const connect = devServerUrl ? [devServerUrl, devServerUrl.replace(/^http/, 'ws')] : [];
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy(connect)] },
    });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the user's browser, never in the app.
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 1000,
    minHeight: 700,
    show: false,
    title: 'Aligner Workstation',
    webPreferences: {
      preload: join(outMain, '..', 'preload', 'preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererIndex);
  return win;
}

/** A study's progress on the taskbar button (Windows, Linux launchers) or the dock icon (macOS). */
function showStudyProgress(win: BrowserWindow, study: EventPayload<'study'>): void {
  switch (study.status) {
    case 'running':
      win.setProgressBar(study.fraction);
      break;
    case 'pausing':
    case 'paused':
      win.setProgressBar(study.fraction, { mode: 'paused' });
      break;
    case 'interrupted':
      win.setProgressBar(study.fraction, { mode: 'error' });
      break;
    case 'finished':
    case 'cancelled':
      win.setProgressBar(-1);
      break;
  }
}

async function start(): Promise<void> {
  setEntryDir(import.meta.dirname);
  // Same override as the CLI and the browser host (tests and portable installs use it).
  if (process.env.ALIGNER_USER_DATA) app.setPath('userData', process.env.ALIGNER_USER_DATA);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  hardenSessions();

  const userDataDir = app.getPath('userData');
  const ctx = new AppContext({
    host: 'electron',
    version: appVersion,
    userDataDir,
    electronVersion: process.versions.electron ?? null,
    probeBackend: (preference) => probeInChild(electronLauncher, join(outMain, 'compute-probe.js'), preference),
    trainer: { launcher: electronLauncher, trainerModule: join(outMain, 'trainer-process.js') },
    resumeStudies: true,
  });
  const workspacePath = resolveWorkspacePath(argValue('--db'), userDataDir);
  let openError: string | null = null;
  try {
    ctx.openWorkspace(workspacePath);
  } catch (err) {
    openError = err instanceof Error ? err.message : String(err);
  }
  void ctx.backend('auto').catch(() => undefined);

  let win: BrowserWindow | null = null;
  const host: HostServices = {
    pickPaths: async (kind, title) => {
      const options: Electron.OpenDialogOptions = {
        title: title ?? (kind === 'files' ? 'Import files' : 'Import folders'),
        properties: kind === 'files' ? ['openFile', 'multiSelections'] : ['openDirectory', 'multiSelections'],
      };
      const result =
        win && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? [] : result.filePaths;
    },
  };
  const unregister = registerIpc(
    ipcMain,
    createDispatch(createHandlers(ctx, host)),
    isTrustedUrl,
    createBinaryDispatch(createBinaryHandlers(ctx)),
  );
  win = createWindow();
  if (openError) {
    // The app still opens, without a workspace, so Settings can choose another one; the
    // dialog is modal to the window rather than blocking the main process before it exists.
    void dialog.showMessageBox(win, { type: 'error', title: 'Cannot open the workspace', message: openError });
  }
  const unsubscribe = ctx.events.subscribe((message) => {
    if (!win || win.isDestroyed()) return;
    win.webContents.send(eventChannel, message);
    if (message.event === 'study') showStudyProgress(win, message.payload);
  });

  app.on('second-instance', () => {
    if (!win || win.isDestroyed()) win = createWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    unsubscribe();
    unregister();
    ctx.close();
  });
}

void start();
