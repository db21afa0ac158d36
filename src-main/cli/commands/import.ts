import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { sourceRoleSchema } from '../../api/library-schemas';
import { importPaths } from '../../core/library/import/import-job';
import { CliError } from '../cli-error';
import type { Command, CommandInput } from '../command';
import { labelsCsvOptionsSchema, type LabelsCsvOptions } from '../../core/library/labels-csv';

export const importCommand: Command = {
  path: ['import'],
  summary: 'import DICOM files (or PNG/JPEG with a labels CSV) and folders into a source of the workspace',
  usage:
    'aligner import PATH... [--source NAME] [--role train|validation|ood-test] [--labels CSV] [--db PATH] [--json]',
  options: {
    source: { type: 'string' },
    role: { type: 'string', default: 'train' },
    labels: { type: 'string' },
    'labels-mapping': { type: 'string' },
    uncertain: { type: 'string', default: 'exclude' },
    blank: { type: 'string', default: 'unlabelled' },
  },
  run: async ({ values, positionals, workspace, log }) => {
    if (positionals.length === 0) throw new CliError('give at least one file or folder to import');
    const role = sourceRoleSchema.safeParse(values.role);
    if (!role.success)
      throw new CliError(`--role must be one of ${sourceRoleSchema.options.join(', ')}; got '${String(values.role)}'`);
    const source =
      typeof values.source === 'string' && values.source.trim() !== ''
        ? values.source.trim()
        : basename(resolve(positionals[0] ?? '.'));
    const labelsOptions = readLabelsOptions(values);
    const controller = new AbortController();
    const onSignal = (): void => {
      log('import: stopping after the current file (Ctrl+C again to kill)');
      controller.abort();
      process.once('SIGINT', () => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    try {
      const summary = await importPaths(workspace(), positionals, {
        source,
        role: role.data,
        ...(typeof values.labels === 'string' ? { labelsCsv: values.labels, labelsOptions } : {}),
        signal: controller.signal,
        onProgress: (p) =>
          log(
            `import: ${p.done}/${p.total} files, ${p.imported} new, ${p.duplicates} duplicates, ${p.failed} failed` +
              ` (${p.filesPerSecond} files/s, ${p.megabytesPerSecond} MB/s${p.etaSeconds === null ? '' : `, ${Math.round(p.etaSeconds)} s left`})`,
          ),
      });
      const lines = [
        `imported ${summary.imported}, duplicates ${summary.duplicates}, failed ${summary.failed.length} into source '${summary.source}'` +
          ` in ${summary.seconds} s (${summary.megabytes} MB)${summary.cancelled ? ' — cancelled' : ''}`,
        ...summary.failed.map((f) => `  failed: ${f.path}: ${f.error}`),
        ...summary.labelProblems.map((p) => `  labels line ${p.line}: ${p.message}`),
      ];
      return { json: summary, text: lines.join('\n'), exitCode: summary.cancelled ? 130 : 0 };
    } finally {
      process.removeListener('SIGINT', onSignal);
    }
  },
};

/** --labels-mapping (a JSON file with the column mapping), --uncertain and --blank, validated. */
function readLabelsOptions(values: CommandInput['values']): Omit<LabelsCsvOptions, 'source'> {
  const parsed = labelsCsvOptionsSchema.omit({ source: true }).safeParse({
    uncertain: values.uncertain,
    blank: values.blank,
    ...(typeof values['labels-mapping'] === 'string' ? { mapping: readJson(values['labels-mapping']) } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`labels options: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`--labels-mapping ${path}: ${(err as Error).message.split('\n')[0] ?? 'unreadable'}`);
  }
}
