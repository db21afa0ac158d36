import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const outMain = join(repoRoot, 'out', 'main');
export const cliPath = join(repoRoot, 'bin', 'aligner.mjs');
export const artifactsDir = join(repoRoot, 'tests', '.artifacts');

/** Integration and e2e tests run the built app: fail early and say how to build it. */
export function requireBuild(): void {
  if (!existsSync(join(outMain, 'cli.js')) || !existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) {
    throw new Error('the app is not built: run `npm run build:only` before the integration and e2e tests');
  }
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = 'aligner-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
