import { backendPreferenceSchema } from '../../api/contract';
import { CliError } from '../cli-error';
import type { Command } from '../command';

export const backendCommand: Command = {
  path: ['backend'],
  summary: 'which compute backend training would use, and why better ones were skipped',
  usage: 'aligner backend [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu] [--json]',
  options: { backend: { type: 'string', default: 'auto' } },
  run: async ({ values, context }) => {
    const preference = backendPreferenceSchema.safeParse(values.backend);
    if (!preference.success) {
      throw new CliError(
        `--backend must be one of ${backendPreferenceSchema.options.join(', ')}; got '${String(values.backend)}'`,
      );
    }
    const report = await context().backend(preference.data);
    const lines = report.attempts.map((a) =>
      `${a.ok ? 'chosen ' : 'skipped'}  ${a.backend.padEnd(14)} ${a.ok ? '' : (a.reason ?? '')}`.trimEnd(),
    );
    if (report.chosen) {
      lines.push(
        `backend: ${report.chosen} on ${report.device ?? 'unknown device'} (tfjs ${report.tfjsVersion ?? '?'}, 256² matmul ${report.matmulGflops ?? '?'} GFLOP/s)`,
      );
    } else {
      lines.push(`no usable compute backend for '${report.requested}'`);
    }
    return { json: report, text: lines.join('\n'), exitCode: report.chosen ? 0 : 1 };
  },
};
