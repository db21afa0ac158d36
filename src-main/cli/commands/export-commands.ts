import { exportModel } from '../../core/export/model-export';
import { exportPredictions } from '../../core/export/predictions-export';
import { findings, isFinding } from '../../core/library/findings';
import { CliError } from '../cli-error';
import type { Command, CommandInput } from '../command';
import { parseRunId } from './run-id';

const modelUsage = 'aligner export model --run ID --out DIR [--db PATH] [--json]';
const predictionsUsage = 'aligner export predictions --run ID --out FILE.csv [--finding F] [--db PATH] [--json]';

/** `--run ID` and `--out PATH`, both required; no positionals. */
function runAndOut(
  { values, positionals }: CommandInput,
  words: string,
  usage: string,
): { runId: number; out: string } {
  if (positionals.length > 0) throw new CliError(`${words} takes no positional arguments; got '${positionals[0]}'`);
  if (values.run === undefined) throw new CliError(`--run ID is required; usage: ${usage}`);
  const out = typeof values.out === 'string' ? values.out.trim() : '';
  if (out === '') throw new CliError(`--out is required; usage: ${usage}`);
  return { runId: parseRunId(values.run, '--run'), out };
}

export const exportModelCommand: Command = {
  path: ['export', 'model'],
  summary: "write a finished run's best model as a TensorFlow.js folder (model.json, weights.bin, metadata.json)",
  usage: modelUsage,
  options: { run: { type: 'string' }, out: { type: 'string' } },
  run: async (input) => {
    const { runId, out } = runAndOut(input, 'export model', modelUsage);
    const summary = await exportModel(input.workspace(), { runId, outDir: out });
    const lines = [
      `exported run ${summary.runId} (epoch ${summary.bestEpoch ?? '—'}, ${summary.parameters} parameters) to ${summary.outDir}`,
      ...summary.files.map((f) => `  ${f.name}  ${f.bytes} bytes`),
    ];
    return { json: summary, text: lines.join('\n') };
  },
};

export const exportPredictionsCommand: Command = {
  path: ['export', 'predictions'],
  summary: "write a finished run's test predictions for one finding as a CSV for `aligner metrics` (de-identified)",
  usage: predictionsUsage,
  options: { run: { type: 'string' }, out: { type: 'string' }, finding: { type: 'string' } },
  run: (input) => {
    const { runId, out } = runAndOut(input, 'export predictions', predictionsUsage);
    const raw = input.values.finding;
    const finding = typeof raw === 'string' ? raw.trim() : undefined;
    if (finding !== undefined && !isFinding(finding))
      throw new CliError(`--finding must be one of ${findings.join(', ')}; got '${finding}'`);
    const summary = exportPredictions(input.workspace().db, {
      runId,
      out,
      ...(finding === undefined ? {} : { finding }),
    });
    const text =
      `exported ${summary.rows} predictions of run ${summary.runId} for ${summary.finding} ` +
      `(${summary.positives} positive, ${summary.negatives} negative) to ${summary.path}` +
      (summary.unlabelled > 0 ? `; left out ${summary.unlabelled} images without a label` : '');
    return { json: summary, text };
  },
};

/** The `aligner export …` commands (annotations are exported by `aligner annotations export`). */
export const exportCommands: readonly Command[] = [exportModelCommand, exportPredictionsCommand];
