import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultUserDataDir, defaultWorkspacePath } from '../../src-main/core/workspace/default-paths';
import { resolveWorkspacePath } from '../../src-main/core/workspace/resolve-workspace-path';
import { writeAppSettings } from '../../src-main/core/workspace/app-settings';
import { tempDir } from '../helpers/paths';

describe('default workspace location', () => {
  it('matches Electron userData on each platform', () => {
    expect(defaultUserDataDir({}, 'linux')).toBe(join(homedir(), '.config', 'Aligner Workstation'));
    expect(defaultUserDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe(join('/x', 'Aligner Workstation'));
    expect(defaultUserDataDir({}, 'darwin')).toBe(
      join(homedir(), 'Library', 'Application Support', 'Aligner Workstation'),
    );
    expect(defaultUserDataDir({ APPDATA: 'C:/AppData' }, 'win32')).toBe(join('C:/AppData', 'Aligner Workstation'));
    expect(defaultUserDataDir({ ALIGNER_USER_DATA: '/override' }, 'linux')).toBe('/override');
  });

  it('takes --db first, then ALIGNER_DB, then Settings, then the default', () => {
    const dir = tempDir();
    try {
      expect(resolveWorkspacePath(undefined, dir.path, {})).toBe(defaultWorkspacePath(dir.path));
      writeAppSettings(dir.path, { workspacePath: '/chosen.db' });
      expect(resolveWorkspacePath(undefined, dir.path, {})).toBe('/chosen.db');
      expect(resolveWorkspacePath(undefined, dir.path, { ALIGNER_DB: '/env.db' })).toBe('/env.db');
      expect(resolveWorkspacePath('/flag.db', dir.path, { ALIGNER_DB: '/env.db' })).toBe('/flag.db');
    } finally {
      dir.remove();
    }
  });
});
