import { homedir } from 'node:os';
import { join } from 'node:path';

/** The product name, which is also the user-data folder's name (as Electron derives it). */
export const productName = 'Aligner Workstation';

/**
 * The folder Electron's `app.getPath('userData')` resolves to on each platform,
 * recomputed here so the CLI and the browser host share the app's default
 * workspace without importing Electron. `ALIGNER_USER_DATA` overrides it.
 */
export function defaultUserDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.ALIGNER_USER_DATA) return env.ALIGNER_USER_DATA;
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', productName);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), productName);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), productName);
}

export function defaultWorkspacePath(userDataDir: string): string {
  return join(userDataDir, 'workspace.db');
}
