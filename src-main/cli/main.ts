/**
 * The `aligner` command line. Every command takes `--db PATH` and `--json` (one
 * JSON object on stdout, progress on stderr) and exits non-zero with a one-line
 * error on bad input: 2 for bad input or an unusable workspace, 1 for a failed
 * operation.
 */
import { parseArgs } from 'node:util';
import { AppContext } from '../core/app-context';
import { appVersion } from '../core/app-version';
import { selectBackend } from '../core/compute/select-backend';
import { WorkspaceError } from '../core/db/workspace-error';
import { InputError } from '../core/input-error';
import { defaultUserDataDir } from '../core/workspace/default-paths';
import { resolveWorkspacePath } from '../core/workspace/resolve-workspace-path';
import { CliError } from './cli-error';
import type { Command, CommandResult, OptionSpecs } from './command';
import { commands } from './commands';
import { setEntryDir } from '../core/runtime-paths';

const globalOptions = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'V', default: false },
} as const satisfies OptionSpecs;

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return [
    `aligner ${appVersion} — Aligner Workstation command line`,
    '',
    'usage: aligner <command> [options] [--db PATH] [--json]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'global options:',
    '  --db PATH    workspace database (default: ALIGNER_DB, else the one chosen last in the app, else the user-data folder)',
    '  --json       print one JSON object on stdout; progress goes to stderr',
    '  --help       help for a command: aligner <command> --help',
    '  --version    print the version',
  ].join('\n');
}

/** The command whose words match the longest prefix of the positionals. */
function findCommand(positionals: readonly string[]): { command: Command } | null {
  let best: Command | null = null;
  for (const command of commands) {
    const matches = command.path.every((word, i) => positionals[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best } : null;
}

async function run(argv: readonly string[]): Promise<number> {
  setEntryDir(import.meta.dirname);
  const wantsJson = argv.includes('--json');
  try {
    const head = parseArgs({ args: [...argv], options: globalOptions, strict: false, allowPositionals: true });
    const positionals = head.positionals;
    if (head.values.version === true && positionals.length === 0) {
      print(wantsJson, { version: appVersion }, appVersion);
      return 0;
    }
    const found = findCommand(positionals);
    if (!found) {
      if (positionals.length === 0) {
        process.stdout.write(`${topLevelHelp()}\n`);
        return head.values.help === true ? 0 : 2;
      }
      throw new CliError(`unknown command '${positionals.join(' ')}'; run 'aligner --help' for the list`);
    }
    const { command } = found;
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        options: { ...globalOptions, ...command.options },
        strict: true,
        allowPositionals: true,
      });
    } catch (err) {
      throw new CliError(`${(err as Error).message.split('\n')[0] ?? 'bad arguments'}; usage: ${command.usage}`);
    }
    if (parsed.values.help === true) {
      process.stdout.write(`usage: ${command.usage}\n\n${command.summary}\n`);
      return 0;
    }
    const { db, json, help: _help, version: _version, ...values } = parsed.values;
    const userDataDir = defaultUserDataDir();
    let ctx: AppContext | null = null;
    const context = (): AppContext => {
      ctx ??= new AppContext({
        host: 'cli',
        version: appVersion,
        userDataDir,
        // The CLI is its own process: TensorFlow loads here, outside any app.
        probeBackend: selectBackend,
        exclusive: false,
        rememberWorkspace: false,
      });
      return ctx;
    };
    const workspace = () => {
      const c = context();
      if (!c.hasWorkspace())
        c.openWorkspace(resolveWorkspacePath(typeof db === 'string' ? db : undefined, userDataDir));
      return c.workspace();
    };
    try {
      const result: CommandResult = await command.run({
        values,
        // The first parse did not know this command's options, so take positionals from the second.
        positionals: parsed.positionals.slice(command.path.length),
        context,
        workspace,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      print(json === true, result.json, result.text);
      return result.exitCode ?? 0;
    } finally {
      (ctx as AppContext | null)?.close();
    }
  } catch (err) {
    return reportError(wantsJson, err);
  }
}

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

function reportError(json: boolean, err: unknown): number {
  let code = 'failed';
  let exitCode = 1;
  let message: string;
  if (err instanceof CliError) {
    ({ code, exitCode } = err);
    message = err.message;
  } else if (err instanceof InputError) {
    code = 'invalid_input';
    exitCode = 2;
    message = err.message;
  } else if (err instanceof WorkspaceError) {
    code = err.code;
    exitCode = 2;
    message = err.message;
  } else {
    message = err instanceof Error ? err.message : String(err);
  }
  const line = message.split('\n')[0] ?? message;
  process.stderr.write(`aligner: error: ${line}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message: line } })}\n`);
  return exitCode;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`aligner: error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
