import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

/** The real DICOM files that Debian's python3-pydicom ships (CT, MR, RLE, JPEG …). */
const pydicomCorpus = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/**
 * Writes `n` synthetic 12-bit DX chest radiographs (rows × cols, explicit VR
 * little endian) with pydicom; each has its own UIDs, patient and noise.
 */
export function makeDxFiles(dir: string, n: number, rows = 256, cols = 200, seed = 1): string[] {
  execFileSync(
    '/usr/bin/python3',
    [join(repoRoot, 'tests', 'bench', 'make-dx-corpus.py'), dir, String(n), String(rows), String(cols), String(seed)],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return readdirSync(dir)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => join(dir, f));
}

/** Copies named files of the pydicom corpus into `dir`. */
export function copyCorpusFiles(dir: string, names: readonly string[]): string[] {
  return names.map((name) => {
    const target = join(dir, name);
    copyFileSync(join(pydicomCorpus, name), target);
    return target;
  });
}
