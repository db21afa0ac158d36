import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  fairnessReportWith,
  metricNames,
  parallelBootstrap,
  parsePredictionsCsv,
  type GroupMetrics,
} from '../../core/evaluation';
import { builtEntry } from '../../core/runtime-paths';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { numberOption } from '../number-option';

const usage =
  'aligner metrics --predictions FILE.csv [--group COL]... [--age-column COL] [--age-threshold 60] [--threshold 0.5] ' +
  '[--bootstrap 1000] [--seed 0] [--threads N] [--json]';

const percent = (v: number | null): string => (v === null ? '—' : (v * 100).toFixed(1).padStart(5));

function row(name: string, m: GroupMetrics): string {
  return [
    name.padEnd(16),
    String(m.n).padStart(9),
    String(m.positives).padStart(9),
    ...metricNames.map((k) => percent(m[k]).padStart(11)),
  ].join(' ');
}

export const metricsCommand: Command = {
  path: ['metrics'],
  summary:
    'AUC, accuracy, F1, sensitivity, specificity per subgroup, fairness gaps and bootstrap intervals of a predictions CSV (no workspace needed)',
  usage,
  options: {
    predictions: { type: 'string' },
    group: { type: 'string', multiple: true },
    'age-column': { type: 'string' },
    'age-threshold': { type: 'string' },
    threshold: { type: 'string' },
    bootstrap: { type: 'string' },
    seed: { type: 'string' },
    threads: { type: 'string' },
  },
  run: async ({ values, positionals, log }) => {
    if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}'; usage: ${usage}`);
    const file = values.predictions;
    if (typeof file !== 'string' || file === '')
      throw new CliError(`--predictions FILE.csv is required; usage: ${usage}`);
    const threshold = numberOption(values, 'threshold', 0.5);
    const ageThreshold = numberOption(values, 'age-threshold', 60);
    const bootstrap = numberOption(values, 'bootstrap', 1000, { min: 0 });
    const seed = numberOption(values, 'seed', 0, { min: -(2 ** 31) });
    // Worker threads of the bootstrap; the intervals do not depend on how many.
    const threads = values.threads === undefined ? 'auto' : numberOption(values, 'threads', 1, { min: 1 });
    const groupColumns = (Array.isArray(values.group) ? values.group : []).map(String);
    const ageColumn = typeof values['age-column'] === 'string' ? values['age-column'] : undefined;
    const seen = new Set<string>();
    for (const name of [...groupColumns, ...(ageColumn === undefined ? [] : [ageColumn])]) {
      if (seen.has(name)) throw new CliError(`column '${name}' is given twice (--group / --age-column)`);
      seen.add(name);
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliError(
        `cannot read --predictions ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    const started = performance.now();
    const predictions = parsePredictionsCsv(text, { file, groupColumns, ageColumn, ageThreshold });
    log(`metrics: ${predictions.scores.length} predictions read in ${Math.round(performance.now() - started)} ms`);
    let used = 1;
    const runner = parallelBootstrap({
      workerPath: builtEntry('metrics-bootstrap-worker.js'),
      threads,
      cores: availableParallelism(),
      onThreads: (n) => (used = n),
    });
    const report = await fairnessReportWith(runner, predictions.scores, predictions.labels, predictions.attributes, {
      threshold,
      bootstrap,
      seed,
    });
    log(
      `metrics: done in ${Math.round(performance.now() - started)} ms${bootstrap > 0 ? ` (${bootstrap} bootstrap resamples, ${used} thread${used === 1 ? '' : 's'})` : ''}`,
    );

    const header = [
      'group'.padEnd(16),
      'n'.padStart(9),
      'positives'.padStart(9),
      ...metricNames.map((k) => `${k} %`.padStart(11)),
    ].join(' ');
    const lines = [
      `${file}: ${predictions.scores.length} predictions, threshold ${threshold} (score >= threshold is positive)`,
      header,
      row('overall', report.overall),
    ];
    for (const [column, groups] of Object.entries(report.groups)) {
      for (const [value, m] of Object.entries(groups)) lines.push(row(`${column}=${value}`, m));
      const gap = report.gaps[column];
      if (gap)
        lines.push(
          `  gap ${column}: ${metricNames.map((k) => `${k} ${percent(gap[k]).trim()}`).join(', ')} (points); worst-group AUC ${percent(gap.worstGroupAuc).trim()}` +
            `${report.excluded[column] ? `; ${report.excluded[column]} rows without a value left out` : ''}`,
        );
    }
    if (groupColumns.length === 0 && ageColumn === undefined)
      lines.push(`no --group or --age-column given; columns: ${predictions.header.join(', ')}`);
    return { json: { predictions: file, rows: predictions.scores.length, ...report }, text: lines.join('\n') };
  },
};
