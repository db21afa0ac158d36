import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

/** Debian's interpreter, which has python3-pydicom and numpy (the `python3` on PATH may not). */
export const referencePython = process.env.REFERENCE_PYTHON ?? '/usr/bin/python3';
export const referenceScript = join(repoRoot, 'tests', 'reference', 'pydicom_reference.py');

const defaultCorpus = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/**
 * pydicom's test files (`PYDICOM_TEST_FILES`, else where Debian's python3-pydicom puts them). Fails
 * with the install command when they are missing, so that tests using them cannot pass vacuously.
 */
export function pydicomCorpusDir(): string {
  const dir = process.env.PYDICOM_TEST_FILES ?? defaultCorpus;
  if (!existsSync(join(dir, 'MR_small.dcm'))) {
    throw new Error(
      `pydicom's test files are not at ${dir}: install them with \`apt-get install -y python3-pydicom dcmtk\` ` +
        'or set PYDICOM_TEST_FILES to a copy of pydicom/data/test_files',
    );
  }
  return dir;
}

export function corpusPath(relative: string): string {
  return join(pydicomCorpusDir(), relative);
}

export function readCorpusFile(relative: string): Buffer {
  return readFileSync(corpusPath(relative));
}

/** Runs tests/reference/pydicom_reference.py with `args` and returns its stdout. */
export function runReference(args: readonly string[]): string {
  return execFileSync(referencePython, [referenceScript, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** Fails with the install command when a dcmtk tool is missing. */
export function requireTool(name: string): void {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${name} is not installed: run \`apt-get install -y dcmtk\``);
  }
}
