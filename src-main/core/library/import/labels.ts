import { readFile } from 'node:fs/promises';
import { InputError } from '../../input-error';
import {
  createLabelIndex,
  LabelsCsvError,
  parseLabelsCsv,
  type LabelProblem,
  type LabelRow,
  type LabelsCsvOptions,
} from '../labels-csv';

export interface LabelLookup {
  /** The row of an image file, its patient id qualified by the CSV's layout (see below). */
  lookup(filePath: string): LabelRow | undefined;
  readonly problems: LabelProblem[];
}

/**
 * Reads a labels CSV for an import. A file that cannot be read or whose layout
 * is unknown stops the import before anything is written (the user named it
 * on purpose); bad rows are only reported.
 */
export async function loadLabels(path: string, options: Omit<LabelsCsvOptions, 'source'> = {}): Promise<LabelLookup> {
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch (err) {
    throw new InputError(
      `cannot read labels CSV ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'labelsCsv',
    );
  }
  try {
    const result = parseLabelsCsv(text, { ...options, source: path });
    const index = createLabelIndex(result);
    // Public datasets number their patients from 1: qualify the id with the dataset's layout so that
    // patient "1" of NIH and patient "1" of another dataset get different pseudonyms.
    const qualify = (row: LabelRow): LabelRow =>
      row.patientId === null ? row : { ...row, patientId: `${result.layout}:${row.patientId}` };
    return {
      lookup: (file) => {
        const row = index.lookup(file);
        return row && qualify(row);
      },
      problems: result.problems,
    };
  } catch (err) {
    if (err instanceof LabelsCsvError) throw new InputError(err.message, 'labelsCsv');
    throw err;
  }
}
