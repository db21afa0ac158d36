import { InputError } from '../../input-error';

/**
 * A region file that cannot be read: not found, not CSV/JSON, a missing column or a malformed row. The
 * message is one line and names the file and the line (CSV) or key (JSON) at fault. Nothing of the file is
 * stored when one is thrown. An {@link InputError}, so the API answers `invalid_input` and the CLI exits 2.
 */
export class RegionFileError extends InputError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message, 'path');
    this.name = 'RegionFileError';
  }
}
