import { exportStudyReport } from '../../core/report/study-report';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { numberOption } from '../number-option';

const usage =
  'aligner study report ID --out DIR [--age-threshold 60] [--threshold 0.5] [--gallery N] [--db PATH] [--json]';

/** `aligner study report ID --out DIR`: the study's report folder (summary.json, CSVs, figures, report.html). */
export const studyReportCommand: Command = {
  path: ['study', 'report'],
  summary:
    "write a study's report folder: summary.json, CSV tables, Table 2 and Figs. 3–6 (SVG, PNG), gallery, report.html (de-identified)",
  usage,
  options: {
    out: { type: 'string' },
    'age-threshold': { type: 'string' },
    threshold: { type: 'string' },
    gallery: { type: 'string' },
  },
  run: async ({ values, positionals, workspace, log }) => {
    if (positionals.length === 0) throw new CliError(`give the study id; usage: ${usage}`);
    if (positionals.length > 1) throw new CliError(`unexpected argument '${positionals[1]}'; usage: ${usage}`);
    const studyId = Number(positionals[0]);
    if (!Number.isInteger(studyId) || studyId <= 0)
      throw new CliError(`the study id must be a positive integer; got '${positionals[0]}'`);
    const out = typeof values.out === 'string' ? values.out.trim() : '';
    if (out === '') throw new CliError(`--out DIR is required; usage: ${usage}`);
    const ageThreshold = numberOption(values, 'age-threshold', 60, { min: 1 });
    if (ageThreshold > 120) throw new CliError(`--age-threshold must be at most 120; got '${ageThreshold}'`);
    const threshold = numberOption(values, 'threshold', 0.5);
    if (threshold < 0 || threshold > 1) throw new CliError(`--threshold must be from 0 to 1; got '${threshold}'`);
    const galleryPerRun = numberOption(values, 'gallery', 6, { min: 0 });
    if (galleryPerRun > 50) throw new CliError(`--gallery must be at most 50 panels per run; got '${galleryPerRun}'`);
    const result = await exportStudyReport(workspace().db, {
      studyId,
      outDir: out,
      ageThreshold,
      threshold,
      galleryPerRun,
      progress: (line) => log(`report: ${line}`),
    });
    const lines = [
      `wrote the report of study ${result.studyId} (${result.finding}, ${result.evaluatedRuns} of ${result.runs} runs evaluated) ` +
        `to ${result.outDir}: ${result.files.length} files, ${(result.bytes / 1e6).toFixed(1)} MB in ${result.seconds.toFixed(1)} s`,
      `  open ${result.outDir}/report.html`,
      ...result.notes.map((note) => `  not drawn: ${note}`),
    ];
    return { json: result, text: lines.join('\n') };
  },
};
