import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';

/** PatientName, PatientID, PatientBirthDate, SOP/Study/Series Instance UIDs. */
const identifyingTags = ['x00100010', 'x00100020', 'x00100030', 'x00080018', 'x0020000d', 'x0020000e'];

/**
 * Every identifying string of the DICOM files in the folders, lower-cased: the identifying tags' values, each
 * file's name and its name without `.dcm`. `named` counts files whose PatientName the simulator wrote
 * (`SIMULATED^…`), so a test can show the strings it looks for are really there.
 */
export function dicomIdentifiers(folders: readonly string[]): { identifiers: Set<string>; named: number } {
  const identifiers = new Set<string>();
  let named = 0;
  for (const folder of folders) {
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.dcm'))) {
      const data = dicomParser.parseDicom(new Uint8Array(readFileSync(join(folder, file))));
      for (const tag of identifyingTags) {
        const value = data.string(tag)?.trim();
        if (value) identifiers.add(value.toLowerCase());
      }
      if (data.string('x00100010')?.startsWith('SIMULATED^')) named += 1;
      identifiers.add(file.toLowerCase());
      identifiers.add(file.replace(/\.dcm$/, '').toLowerCase());
    }
  }
  return { identifiers, named };
}
