/** A failure the CLI reports as one line; `exitCode` 2 means bad input, 1 a failed operation. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
    readonly code = exitCode === 2 ? 'invalid_input' : 'failed',
  ) {
    super(message);
    this.name = 'CliError';
  }
}
