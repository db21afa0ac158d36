import { readAppSettings } from './app-settings';
import { defaultWorkspacePath } from './default-paths';

/**
 * Which workspace a host opens: `--db` wins, then `ALIGNER_DB`, then the one
 * chosen last in Settings, then `<userData>/workspace.db`.
 */
export function resolveWorkspacePath(
  flag: string | undefined,
  userDataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  // An empty variable counts as unset (as in a shell's `ALIGNER_DB= aligner …`).
  return (
    flag ??
    (env.ALIGNER_DB || undefined) ??
    readAppSettings(userDataDir).workspacePath ??
    defaultWorkspacePath(userDataDir)
  );
}
