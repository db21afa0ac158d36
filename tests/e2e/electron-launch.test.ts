import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import type { WorkspaceInfo } from '../../src-main/api/contract';
import type { ApiResult } from '../../src-main/api/errors';
import { outMain, repoRoot, requireBuild, tempDir } from '../helpers/paths';

const notInstalled = 'Electron failed to install correctly';

/** Electron's binary, or why this machine cannot run the app in Electron (then the test skips). */
function electronOrSkipReason(): { binary: string } | { skip: string } {
  let binary: string;
  try {
    // What playwright-core's _electron.launch resolves to; throws when the binary was never downloaded.
    binary = createRequire(import.meta.url)('electron') as string;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!message.includes(notInstalled)) throw err;
    return {
      skip: `Electron's binary is not installed (it is downloaded on first launch, which needs the internet): ${message.split('\n')[0]}`,
    };
  }
  // better-sqlite3 is compiled for Node; inside Electron it needs `npx @electron/rebuild -f -w better-sqlite3`.
  const probe = spawnSync(binary, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    cwd: repoRoot,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const mismatch = /.*NODE_MODULE_VERSION.*/.exec(probe.stderr ?? '');
  if (mismatch) {
    return {
      skip: `better-sqlite3 is built for Node, not for Electron (run \`npx @electron/rebuild -f -w better-sqlite3\`): ${mismatch[0].trim()}`,
    };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { skip: 'no display for Electron: set DISPLAY or run the tests under `xvfb-run -a`' };
  }
  return { binary };
}

let app: ElectronApplication | undefined;
let dir: ReturnType<typeof tempDir> | undefined;
afterEach(async () => {
  await app?.close();
  dir?.remove();
});

it('opens the Electron window on a fresh workspace, with the API on window.workstation', async (ctx) => {
  requireBuild();
  const found = electronOrSkipReason();
  if ('skip' in found) {
    console.warn(`electron-launch: skipped: ${found.skip}`);
    return ctx.skip(found.skip);
  }
  dir = tempDir('aligner-e2e-electron-');
  const dbPath = join(dir.path, 'workspace.db');
  const userData = join(dir.path, 'user-data');
  let stderr = '';
  const { ELECTRON_RUN_AS_NODE: _asNode, ...env } = process.env;
  app = await electron.launch({
    executablePath: found.binary,
    args: [join(outMain, 'index.js'), '--db', dbPath, `--user-data-dir=${userData}`],
    env: { ...env, ALIGNER_USER_DATA: userData },
    timeout: 60_000,
  });
  app.process().stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const win = await app.firstWindow({ timeout: 60_000 }).catch((err: unknown) => {
    throw new Error(`no Electron window opened (${String(err)}); Electron's stderr:\n${stderr}`);
  });
  await win.locator('main[data-ready="true"]').waitFor({ timeout: 30_000 });
  expect(await win.title()).toBe('Aligner Workstation');
  expect(await win.evaluate<string>('typeof window.workstation')).toBe('object');
  expect(await win.evaluate<string>('typeof window.require')).toBe('undefined');

  const info = await win.evaluate<ApiResult<WorkspaceInfo>>("window.workstation.call('workspaceInfo', {})");
  if (!info.ok && info.error.message.includes('NODE_MODULE_VERSION')) {
    console.warn(`electron-launch: skipped: ${info.error.message}`);
    return ctx.skip(`better-sqlite3 is not built for Electron: ${info.error.message}`);
  }
  expect(info).toMatchObject({ ok: true, value: { path: dbPath } });

  await win.getByTestId('nav-settings').click();
  await win.locator('main[data-testid="view-settings"][data-ready="true"]').waitFor();
  expect((await win.getByTestId('settings-workspace-path').textContent())?.trim()).toBe(dbPath);
});
