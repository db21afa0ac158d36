import { join } from 'node:path';
import { sourceRoleSchema } from '../../api/library-schemas';
import { importSimulatedAnnotationsFile } from '../../core/library/import-annotations';
import { importPaths, type ImportSummary } from '../../core/library/import/import-job';
import {
  generateCohort,
  parseCohortOptions,
  parsePrevalence,
  shortcutGroups,
  shortcutModes,
  siteNames,
  SimulatorOptionError,
  type CohortOptionsInput,
  type CohortSummary,
} from '../../core/simulator';
import { findingSchema, findings } from '../../core/library/findings';
import { CliError } from '../cli-error';
import type { Command, CommandInput } from '../command';

const usage =
  'aligner simulate --out DIR [--n N] [--seed S] [--site NAME] [--size PX] [--format dicom|png] ' +
  '[--photometric MONOCHROME2|MONOCHROME1] [--findings LIST] [--prevalence P|FINDING=P,...] ' +
  '[--female-fraction F] [--age-range MIN-MAX] [--annotate-fraction F] [--annotators N] ' +
  '[--shortcut-group sex|age|none] [--shortcut-mode MODE] [--shortcut-other MODE] [--shortcut-strength K] ' +
  '[--marker-rate Q] [--shortcut-finding FINDING] [--age-threshold YEARS] [--ood] [--nodule-amplitude A] ' +
  '[--nodule-radius MIN-MAX] [--effusion-amplitude A] [--edema-amplitude A] [--marker-size S] [--twins DIR] ' +
  '[--first-index I] [--into-db [--source NAME] [--role train|validation|ood-test]] [--db PATH] [--json]';

/** Where each cohort option comes from on the command line, to name it in errors. */
const flagOf: Readonly<Record<string, string>> = {
  out: '--out',
  n: '--n',
  seed: '--seed',
  site: '--site',
  size: '--size',
  format: '--format',
  photometric: '--photometric',
  findings: '--findings',
  prevalence: '--prevalence',
  femaleFraction: '--female-fraction',
  ageRange: '--age-range',
  annotateFraction: '--annotate-fraction',
  annotators: '--annotators',
  'shortcut.group': '--shortcut-group',
  'shortcut.mode': '--shortcut-mode',
  'shortcut.otherMode': '--shortcut-other',
  'shortcut.strength': '--shortcut-strength',
  'shortcut.markerRate': '--marker-rate',
  'shortcut.finding': '--shortcut-finding',
  'shortcut.ageThreshold': '--age-threshold',
  'lesion.noduleAmplitude': '--nodule-amplitude',
  'lesion.noduleRadius': '--nodule-radius',
  'lesion.effusionAmplitude': '--effusion-amplitude',
  'lesion.edemaAmplitude': '--edema-amplitude',
  markerSize: '--marker-size',
  twinsDir: '--twins',
  firstIndex: '--first-index',
};

export const simulateCommand: Command = {
  path: ['simulate'],
  summary: 'write a synthetic chest X-ray cohort (images, labels.csv, annotations.json) with a planted shortcut',
  usage,
  options: {
    out: { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string' },
    site: { type: 'string' },
    size: { type: 'string' },
    format: { type: 'string' },
    photometric: { type: 'string' },
    findings: { type: 'string' },
    prevalence: { type: 'string' },
    'female-fraction': { type: 'string' },
    'age-range': { type: 'string' },
    'annotate-fraction': { type: 'string' },
    annotators: { type: 'string' },
    'shortcut-group': { type: 'string' },
    'shortcut-mode': { type: 'string' },
    'shortcut-other': { type: 'string' },
    'shortcut-strength': { type: 'string' },
    'marker-rate': { type: 'string' },
    'shortcut-finding': { type: 'string' },
    'age-threshold': { type: 'string' },
    ood: { type: 'boolean', default: false },
    'nodule-amplitude': { type: 'string' },
    'nodule-radius': { type: 'string' },
    'effusion-amplitude': { type: 'string' },
    'edema-amplitude': { type: 'string' },
    'marker-size': { type: 'string' },
    twins: { type: 'string' },
    'first-index': { type: 'string' },
    'into-db': { type: 'boolean', default: false },
    source: { type: 'string' },
    role: { type: 'string' },
  },
  run: async ({ values, positionals, workspace, log }) => {
    if (positionals.length > 0) throw new CliError(`simulate takes no positional arguments; got '${positionals[0]}'`);
    const options = readOptions(values);
    const intoDb = values['into-db'] === true;
    if (!intoDb && (values.source !== undefined || values.role !== undefined))
      throw new CliError('--source and --role need --into-db');
    const role = sourceRoleSchema.safeParse(values.role ?? (values.ood === true ? 'ood-test' : 'train'));
    if (!role.success)
      throw new CliError(`--role must be one of ${sourceRoleSchema.options.join(', ')}; got '${String(values.role)}'`);
    // Open the workspace and check the source's role before generating, so a bad --db or a role clash
    // fails in a second, not after the cohort is written.
    const ws = intoDb ? workspace() : null;
    const sourceName =
      typeof values.source === 'string' && values.source.trim() !== '' ? values.source.trim() : siteOf(options);
    const existingRole = ws?.db.prepare('SELECT role FROM sources WHERE name = ?').pluck().get(sourceName) as
      string | undefined;
    if (existingRole !== undefined && existingRole !== role.data) {
      throw new CliError(
        `source '${sourceName}' exists with role ${existingRole}; use --role ${existingRole} or another --source`,
      );
    }

    const controller = new AbortController();
    const onSignal = (): void => {
      log('simulate: stopping after the current image (Ctrl+C again to kill)');
      controller.abort();
      process.once('SIGINT', () => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    let summary: CohortSummary;
    let imported: ImportSummary | undefined;
    let regions = 0;
    try {
      summary = await generateCohort(options, {
        signal: controller.signal,
        progressIntervalMs: 1000,
        onProgress: (p) =>
          log(
            `simulate: ${p.done}/${p.total} images (${p.imagesPerSecond} images/s${p.etaSeconds === null ? '' : `, ${Math.round(p.etaSeconds)} s left`})`,
          ),
      }).catch((err: unknown) => {
        throw err instanceof SimulatorOptionError ? asCliError(err) : err;
      });
      if (ws && !summary.cancelled) {
        imported = await importPaths(ws, [summary.out], {
          source: sourceName,
          role: role.data,
          labelsCsv: join(summary.out, 'labels.csv'),
          signal: controller.signal,
          onProgress: (p) => log(`import: ${p.done}/${p.total} files, ${p.imported} new, ${p.failed} failed`),
        });
        // The readers' regions too, as the demo workspace stores them.
        regions = await importSimulatedAnnotationsFile(ws.db, summary.out, sourceName, role.data);
      }
    } finally {
      process.removeListener('SIGINT', onSignal);
    }
    const { files: _files, ...rest } = summary;
    const json = { ...rest, ...(imported ? { imported, regionsImported: regions } : {}) };
    return {
      json,
      text: describe(summary, imported, regions),
      exitCode: summary.cancelled || imported?.cancelled ? 130 : 0,
    };
  },
};

function describe(summary: CohortSummary, imported: ImportSummary | undefined, regions: number): string {
  const prevalence = Object.entries(summary.prevalence)
    .map(([f, p]) => `${f} ${p}`)
    .join(', ');
  const lines = [
    `wrote ${summary.files.length} ${summary.format} images (${summary.size}×${summary.size}, site ${summary.site}) to ${summary.out}` +
      ` in ${summary.seconds} s (${summary.imagesPerSecond} images/s)${summary.cancelled ? ' — cancelled' : ''}`,
    `  prevalence: ${prevalence}; sex F ${summary.sexCounts.F}, M ${summary.sexCounts.M}; annotated ${summary.annotatedImages} of ${summary.positiveImages} positive images`,
    ...summary.shortcut.subgroups.map(
      (g) =>
        `  marker in ${g.name} (${g.mode}): ${g.markerWithPositive}/${g.positives} positives, ${g.markerWithNegative}/${g.negatives} negatives` +
        (g.informedness === null ? '' : `, P(marker|+) − P(marker|−) = ${g.informedness}`),
    ),
  ];
  if (summary.twinsDir) lines.push(`  marker-free twins in ${summary.twinsDir}`);
  if (imported)
    lines.push(
      `imported ${imported.imported}, duplicates ${imported.duplicates}, failed ${imported.failed.length} into source '${imported.source}', ${regions} reader regions`,
      ...imported.failed.map((f) => `  failed: ${f.path}: ${f.error}`),
    );
  return lines.join('\n');
}

function asCliError(err: SimulatorOptionError): CliError {
  const field = err.field ?? '';
  const flag = flagOf[field];
  const message = err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message;
  return new CliError(flag ? `${flag}: ${message}` : err.message);
}

/** The command line as cohort options; every value checked, one line naming the flag when it is wrong. */
function readOptions(values: CommandInput['values']): CohortOptionsInput {
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const out = text('out');
  if (out === undefined || out.trim() === '') throw new CliError(`--out DIR is required; usage: ${usage}`);
  const shortcut: NonNullable<CohortOptionsInput['shortcut']> = {};
  const lesion: NonNullable<CohortOptionsInput['lesion']> = {};
  const input: CohortOptionsInput = { out, shortcut, lesion };
  const set = <T>(name: string, read: (raw: string, flag: string) => T, apply: (value: T) => void): void => {
    const raw = text(name);
    if (raw !== undefined) apply(read(raw.trim(), `--${name}`));
  };
  set('n', integer, (v) => (input.n = v));
  set(
    'seed',
    (raw) => raw,
    (v) => (input.seed = v),
  );
  set('site', oneOf(siteNames), (v) => (input.site = v));
  set('size', integer, (v) => (input.size = v));
  set('format', oneOf(['dicom', 'png'] as const), (v) => (input.format = v));
  set('photometric', oneOf(['MONOCHROME2', 'MONOCHROME1'] as const), (v) => (input.photometric = v));
  set('findings', findingList, (v) => (input.findings = v));
  set('prevalence', prevalence, (v) => (input.prevalence = v));
  set('female-fraction', decimal, (v) => (input.femaleFraction = v));
  set('age-range', range(integer), (v) => (input.ageRange = v));
  set('annotate-fraction', decimal, (v) => (input.annotateFraction = v));
  set('annotators', integer, (v) => (input.annotators = v));
  set('shortcut-group', oneOf(shortcutGroups), (v) => (shortcut.group = v));
  set('shortcut-mode', oneOf(shortcutModes), (v) => (shortcut.mode = v));
  set('shortcut-other', oneOf(shortcutModes), (v) => (shortcut.otherMode = v));
  set('shortcut-strength', decimal, (v) => (shortcut.strength = v));
  set('marker-rate', decimal, (v) => (shortcut.markerRate = v));
  set('shortcut-finding', oneOf(findings), (v) => (shortcut.finding = v));
  set('age-threshold', integer, (v) => (shortcut.ageThreshold = v));
  set('nodule-amplitude', decimal, (v) => (lesion.noduleAmplitude = v));
  set('nodule-radius', range(decimal), (v) => (lesion.noduleRadius = v));
  set('effusion-amplitude', decimal, (v) => (lesion.effusionAmplitude = v));
  set('edema-amplitude', decimal, (v) => (lesion.edemaAmplitude = v));
  set('marker-size', decimal, (v) => (input.markerSize = v));
  set(
    'twins',
    (raw) => raw,
    (v) => (input.twinsDir = v),
  );
  set('first-index', integer, (v) => (input.firstIndex = v));
  if (values.ood === true) {
    if (shortcut.mode !== undefined || shortcut.otherMode !== undefined)
      throw new CliError('--ood sets --shortcut-mode none and --shortcut-other random; give either --ood or those');
    shortcut.mode = 'none';
    shortcut.otherMode = 'random';
  }
  return input;
}

function integer(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw)) throw new CliError(`${flag} must be a whole number; got '${raw}'`);
  return Number(raw);
}

function decimal(raw: string, flag: string): number {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(raw)) throw new CliError(`${flag} must be a number; got '${raw}'`);
  return Number(raw);
}

function oneOf<T extends string>(choices: readonly T[]): (raw: string, flag: string) => T {
  return (raw, flag) => {
    if (!(choices as readonly string[]).includes(raw))
      throw new CliError(`${flag} must be one of ${choices.join(', ')}; got '${raw}'`);
    return raw as T;
  };
}

function range(read: (raw: string, flag: string) => number): (raw: string, flag: string) => [number, number] {
  return (raw, flag) => {
    const parts = raw.split('-');
    if (parts.length !== 2) throw new CliError(`${flag} must be MIN-MAX (e.g. 20-90); got '${raw}'`);
    return [read(parts[0] ?? '', flag), read(parts[1] ?? '', flag)];
  };
}

function findingList(raw: string, flag: string): ('nodule' | 'effusion' | 'edema')[] {
  const names = raw.split(',').map((s) => s.trim());
  return names.map((name) => {
    const parsed = findingSchema.safeParse(name);
    if (!parsed.success) throw new CliError(`${flag}: '${name}' is not one of ${findings.join(', ')}`);
    return parsed.data;
  });
}

function prevalence(raw: string, flag: string): ReturnType<typeof parsePrevalence> {
  try {
    return parsePrevalence(raw);
  } catch (err) {
    throw new CliError(`${flag}: ${(err as Error).message.replace(/^prevalence: /, '')}`);
  }
}

/** The site the cohort will be drawn from (options validated as generation will). */
function siteOf(options: CohortOptionsInput): string {
  try {
    return parseCohortOptions(options).site;
  } catch (err) {
    throw err instanceof SimulatorOptionError ? asCliError(err) : err;
  }
}
