import type { ParseArgsConfig } from 'node:util';
import type { AppContext } from '../core/app-context';
import type { WorkspaceDb } from '../core/db/open-workspace';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export interface CommandInput {
  /** Parsed command options (global ones removed). */
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  readonly positionals: readonly string[];
  /** The app context (no workspace opened yet). */
  readonly context: () => AppContext;
  /** Opens the workspace named by --db (or the default) on first use. */
  readonly workspace: () => WorkspaceDb;
  /** Progress and notes: stderr, so stdout stays one JSON object under --json. */
  readonly log: (line: string) => void;
}

export interface CommandResult {
  /** The JSON answer (printed as is under --json). */
  readonly json: unknown;
  /** What a person reads without --json. */
  readonly text: string;
  /** Non-zero when the command ran but its outcome is a failure (e.g. no usable backend). */
  readonly exitCode?: number;
}

export interface Command {
  /** Words that select it, e.g. ['workspace', 'info']. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly usage: string;
  readonly options: OptionSpecs;
  run(input: CommandInput): Promise<CommandResult> | CommandResult;
}
