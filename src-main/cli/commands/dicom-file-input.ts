import { readFileSync, statSync } from 'node:fs';
import { DicomError } from '../../core/dicom';
import { CliError } from '../cli-error';

/** The one FILE positional of a `dicom` command; a CliError with the usage otherwise. */
export function singleFile(positionals: readonly string[], usage: string): string {
  const [file, ...extra] = positionals;
  if (file === undefined) throw new CliError(`give one DICOM file; usage: ${usage}`);
  if (extra.length > 0) throw new CliError(`give one DICOM file, not ${positionals.length}; usage: ${usage}`);
  return file;
}

/** The bytes of `file`, or a one-line CliError naming it (missing, a folder, unreadable). */
export function readDicomBytes(file: string): Uint8Array {
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new CliError(`${file}: is a folder, not a DICOM file`);
    size = stat.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(
      `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  if (size > 2 ** 31 - 1) throw new CliError(`${file}: ${size} bytes is too large for a DICOM image`);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new CliError(`${file}: cannot read: ${(err as Error).message}`);
  }
}

/** Runs `work`, turning a DicomError into a CliError (exit 2) that starts with the file name. */
export async function withFileName<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DicomError) throw new CliError(`${file}: ${err.message}`);
    throw err;
  }
}
