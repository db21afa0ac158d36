import { InputError } from '../input-error';

/**
 * A DICOM file this library cannot read, with a one-line reason that names what is wrong
 * ("not a DICOM file", "truncated at byte 9630: …", "no pixel data", "unsupported transfer
 * syntax 1.2.3 (name)"). Callers prefix the file name. It is an {@link InputError}: the API
 * answers it as `invalid_input` and the CLI exits with 2.
 */
export class DicomError extends InputError {
  constructor(message: string) {
    super(printableLine(message), 'file');
    this.name = 'DicomError';
  }
}

/** The first line of `text`, with the control characters a corrupt file's strings can carry shown as '?'. */
function printableLine(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return Array.from(line, (c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '?' : c)).join('');
}

/** A short text for anything a third-party parser or codec threw (they throw strings and plain objects too). */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (thrown && typeof thrown === 'object' && 'exception' in thrown) return describeThrown(thrown.exception);
  // Emscripten throws a C++ exception as a bare pointer.
  if (typeof thrown === 'number') return 'the codec rejected the data (corrupt or unsupported stream)';
  return String(thrown);
}
