import { existsSync } from 'node:fs';
import { join } from 'node:path';

let entryDir: string | null = null;

/**
 * Each built entry point (out/main/{index,cli,web}.js) records its folder here
 * at start, so core services can find the sibling child-process and worker
 * entries (compute-probe.js, import-decode-worker.js). Bundled chunks live in a
 * subfolder, so `import.meta.dirname` is only right in the entry itself.
 */
export function setEntryDir(dir: string): void {
  entryDir = dir;
}

/** The path of a built sibling entry, or null when running from source (tests) or when it is missing. */
export function builtEntry(fileName: string): string | null {
  if (!entryDir) return null;
  const path = join(entryDir, fileName);
  return existsSync(path) ? path : null;
}
