import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface CollectedFiles {
  readonly files: string[];
  /** Entries that could not be read: each fails alone, the import goes on. */
  readonly failed: { readonly path: string; readonly error: string }[];
}

/** Names that are never images: OS metadata, side files, and workspaces (a folder may hold one). */
const ignoredNames = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', 'DICOMDIR']);
const ignoredExtensions = [
  '.csv',
  '.json',
  '.txt',
  '.md',
  '.xml',
  '.html',
  '.db',
  '.db-wal',
  '.db-shm',
  '.lock',
  '.sqlite',
];

/**
 * Expands files and folders (recursively, sorted for a repeatable order) into
 * the files to import. Symbolic links are followed (datasets are often linked
 * in), each real folder is walked once (a link loop cannot hang the walk), a
 * dangling link fails alone; hidden files and known side files are skipped.
 */
export async function collectFiles(paths: readonly string[]): Promise<CollectedFiles> {
  const files: string[] = [];
  const failed: { path: string; error: string }[] = [];
  const walked = new Set<string>();
  const visit = async (path: string): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      failed.push({ path, error: describeFsError(err) });
      return;
    }
    if (info.isDirectory()) {
      const real = await realpath(path);
      if (walked.has(real)) return;
      walked.add(real);
      let names: string[];
      try {
        names = (await readdir(path)).sort();
      } catch (err) {
        failed.push({ path, error: describeFsError(err) });
        return;
      }
      for (const name of names) {
        if (name.startsWith('.') || ignoredNames.has(name)) continue;
        const child = join(path, name);
        if (ignoredExtensions.some((ext) => name.toLowerCase().endsWith(ext))) continue;
        await visit(child);
      }
    } else if (info.isFile()) {
      files.push(path);
    }
  };
  for (const path of paths) await visit(resolve(path));
  return { files, failed };
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return e.message ?? String(err);
  }
}
