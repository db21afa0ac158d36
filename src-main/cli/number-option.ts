import { parseDecimal } from '../core/evaluation/predictions-csv';
import { CliError } from './cli-error';
import type { CommandInput } from './command';

/** A numeric option: finite, and an integer >= min where `integer` is set; `fallback` when absent. */
export function numberOption(
  values: CommandInput['values'],
  name: string,
  fallback: number,
  integer?: { min: number },
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' ? parseDecimal(raw.trim()) : null;
  if (value === null || (integer && (!Number.isInteger(value) || value < integer.min)))
    throw new CliError(
      `--${name} must be ${integer ? `an integer >= ${integer.min}` : 'a number'}; got '${String(raw)}'`,
    );
  return value;
}
