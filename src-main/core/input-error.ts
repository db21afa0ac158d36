/**
 * A request a core service refuses because of what the caller asked for (not
 * because something broke): the API answers it as `invalid_input`, the CLI
 * with exit code 2. `field` names the input at fault where there is one.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}
