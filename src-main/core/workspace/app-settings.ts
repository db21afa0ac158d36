import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Settings kept outside any workspace (which workspace to open, for one). */
export const appSettingsSchema = z
  .object({
    /** Absolute path of the workspace opened last from Settings. Default: none (use the default path). */
    workspacePath: z.string().min(1).optional(),
  })
  .strict();
export type AppSettings = z.infer<typeof appSettingsSchema>;

/** Reads `<userData>/settings.json`; a missing or unreadable file gives the defaults. */
export function readAppSettings(userDataDir: string): AppSettings {
  try {
    const parsed = appSettingsSchema.safeParse(JSON.parse(readFileSync(join(userDataDir, 'settings.json'), 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Writes the settings atomically (temp file + rename), so a crash never leaves half a file. */
export function writeAppSettings(userDataDir: string, settings: AppSettings): void {
  mkdirSync(userDataDir, { recursive: true });
  const target = join(userDataDir, 'settings.json');
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(appSettingsSchema.parse(settings), null, 2));
  renameSync(temp, target);
}
