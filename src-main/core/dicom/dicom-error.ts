import { InputError } from '../input-error';

/**
 * A DICOM file this library cannot read, with a one-line reason that names what is wrong
 * ("not a DICOM file", "truncated at byte 9630: …", "no pixel data", "unsupported transfer
 * syntax 1.2.3 (name)"). Callers prefix the file name. It is an {@link InputError}: the API
 * answers it as `invalid_input` and the CLI exits with 2.
 */
export class DicomError extends InputError {
  constructor(message: string) {
    super(message.split('\n')[0] ?? message, 'file');
    this.name = 'DicomError';
  }
}

/** A short text for anything a third-party parser or codec threw (they throw strings and plain objects too). */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (thrown && typeof thrown === 'object' && 'exception' in thrown) return describeThrown(thrown.exception);
  return String(thrown);
}
