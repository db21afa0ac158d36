import { CliError } from '../cli-error';

/** A `--run`/`--resume` value: a run id, a positive integer. */
export function parseRunId(value: unknown, flag: string): number {
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n <= 0) {
    throw new CliError(`${flag} must be a run id (a positive integer); got '${String(value)}'`);
  }
  return n;
}
