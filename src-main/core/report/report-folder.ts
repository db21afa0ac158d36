/**
 * The folder a report is written into: created when absent, refused when it (or a parent) is a file. Each file is written
 * under a temporary name and renamed (a reader never sees half a file); files of an earlier report that this one
 * did not write again (a figure that can no longer be drawn, a gallery panel fewer) are removed, other files in
 * the folder are left alone.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../input-error';
import { writeFileAtomic } from '../write-file-atomic';

export interface WrittenFile {
  /** Relative to the folder, '/'-separated. */
  readonly name: string;
  readonly bytes: number;
}

/** The report's own files in its subfolders (what an earlier report may have left). */
const ownFiles: Readonly<Record<string, RegExp>> = {
  figures: /^[a-z0-9-]+\.(?:svg|png)$/,
  gallery: /^run-\d+-\d+\.(?:svg|png)$/,
};

export class ReportFolder {
  readonly path: string;
  readonly #written: WrittenFile[] = [];

  /**
   * Checks the path only; the folder is made by the first write.
   * @throws InputError (field `outDir`) when the path, or the nearest of its parents that exists, is a file
   */
  constructor(outDir: string) {
    this.path = resolve(outDir);
    if (existsSync(this.path) && !statSync(this.path).isDirectory()) {
      throw new InputError(`${this.path} is a file; give a folder for the report`, 'outDir');
    }
    let parent = dirname(this.path);
    while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
    if (existsSync(parent) && !statSync(parent).isDirectory()) {
      throw new InputError(`cannot make the report folder ${this.path}: ${parent} is a file`, 'outDir');
    }
  }

  /** Writes `name` (e.g. 'figures/fig3.svg') atomically. */
  write(name: string, data: string | Uint8Array): void {
    const path = join(this.path, ...name.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, data);
    this.#written.push({ name, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength });
  }

  get written(): readonly WrittenFile[] {
    return this.#written;
  }

  /** Removes the report's own files in its subfolders that were not written by this report. */
  removeStale(): void {
    const kept = new Set(this.#written.map((f) => f.name));
    for (const [folder, pattern] of Object.entries(ownFiles)) {
      const dir = join(this.path, folder);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir)) {
        if (pattern.test(file) && !kept.has(`${folder}/${file}`)) rmSync(join(dir, file), { force: true });
      }
    }
  }
}
