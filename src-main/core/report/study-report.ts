/**
 * `aligner study report ID --out DIR` and the `studyReport` call (issue 8): a study's results as a folder —
 * summary.json, CSV tables, Table 2 and the figures as SVG and PNG, an attention gallery and a self-contained
 * report.html. Everything comes from the workspace: the study row, its runs, and the same evaluation and
 * aggregation the Fairness view shows (fairnessSummary). De-identified: pseudonyms only.
 */
import type Database from 'better-sqlite3';
import {
  studyReportSummarySchema,
  type StudyReportInput,
  type StudyReportResult,
  type StudyReportSummary,
} from '../../api/report-schemas';
import type { TrainConfig } from '../../api/training-schemas';
import { appVersion } from '../app-version';
import { fairnessSummary } from '../evaluation/fairness-summary';
import { InputError } from '../input-error';
import { productName } from '../workspace/default-paths';
import { renderGallery, type GalleryRun } from './gallery-panels';
import { methodsHtml } from './methods';
import { aggregatedCsv, runMetricsCsv, runsCsv } from './report-csv';
import { renderReportFigures, type RenderedFigure } from './report-figures';
import { ReportFolder } from './report-folder';
import { reportHtml } from './report-html';
import { reportPredictionsCsv } from './report-predictions';
import { runReports } from './run-reports';
import { readStudyRecord, readStudyRuns } from './study-record';

export interface StudyReportOptions extends StudyReportInput {
  /** Gallery panels per run (default 6). */
  readonly galleryPerRun?: number;
  /** Progress lines (the CLI prints them on stderr). */
  readonly progress?: (line: string) => void;
}

/** What each of the folder's tables holds (listed in report.html). */
const tableFiles: readonly { readonly name: string; readonly about: string }[] = [
  {
    name: 'summary.json',
    about: 'config, app version, backends, devices, seeds, per-run metrics, aggregates (fractions)',
  },
  {
    name: 'runs.csv',
    about: 'one row per run: condition, seed, status, backend, device, val/test AUC, best epoch, seconds',
  },
  { name: 'run-metrics.csv', about: 'run × source × attribute × group: metrics, hit rate; gap rows per attribute' },
  { name: 'aggregated.csv', about: 'condition × source × quantity: mean, std, n over seeds (fractions)' },
  { name: 'table2.csv', about: "Table 2 (the Fairness view's CSV, paper units)" },
  {
    name: 'predictions.csv',
    about: "every evaluated run's labelled test predictions, de-identified, with a run column",
  },
];

/**
 * Writes the report of study `studyId` into `outDir`.
 *
 * @throws InputError (field `studyId`) for an unknown study or one without an evaluated finished run,
 *   (`outDir`) for an output path that is a file
 */
export async function exportStudyReport(
  db: Database.Database,
  options: StudyReportOptions,
): Promise<StudyReportResult> {
  const started = performance.now();
  const progress = options.progress ?? (() => {});
  const study = readStudyRecord(db, options.studyId);
  const runs = readStudyRuns(db, study.id);
  const folder = new ReportFolder(options.outDir);
  const evaluation = { ageThreshold: options.ageThreshold, threshold: options.threshold };

  const aggregates = await fairnessSummary(db, {
    studyId: study.id,
    ...(study.finding === null ? {} : { finding: study.finding }),
    ...evaluation,
  });
  const finding = aggregates.finding;
  if (finding === null || aggregates.conditions.length === 0) {
    throw new InputError(
      `study ${study.id} has no finished run with labelled test predictions${finding ? ` for ${finding}` : ''} yet; nothing to report`,
      'studyId',
    );
  }
  progress(`study ${study.id} (${study.name}): ${runs.length} runs, ${aggregates.conditions.length} conditions`);
  const perRun = await runReports(db, runs, finding, evaluation, progress);
  progress('drawing Table 2 and the figures');
  const { table2Csv, figures } = await renderReportFigures(aggregates);
  progress('composing the attention gallery');
  const gallery = await renderGallery(db, aggregates, {
    finding,
    ageThreshold: options.ageThreshold,
    ...(options.galleryPerRun === undefined ? {} : { perRun: options.galleryPerRun }),
  });

  const configs = runs.map((r) => r.record?.config).filter((c): c is TrainConfig => c !== undefined);
  const summary: StudyReportSummary = studyReportSummarySchema.parse({
    format: 'aligner-study-report',
    formatVersion: 1,
    generatedAt: new Date().toISOString(),
    app: { name: productName, version: appVersion },
    study: { id: study.id, name: study.name, createdAt: study.createdAt, config: study.config },
    finding,
    ageThreshold: options.ageThreshold,
    threshold: options.threshold,
    backends: distinct(runs.map((r) => r.backend)),
    devices: distinct(runs.map((r) => r.device)),
    seeds: [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b),
    runs: perRun,
    aggregates,
    figures: figures.map((f) => ({
      id: f.id,
      title: f.title,
      source: f.source,
      files: f.drawing ? [`figures/${f.id}.svg`, `figures/${f.id}.png`] : [],
      note: f.note,
    })),
    gallery: gallery.map((g) => ({
      runId: g.runId,
      label: g.label,
      panels: g.panels.map((p, i) => ({
        ...panelNames(g.runId, i),
        pseudonym: p.item.pseudonym,
        source: p.item.source,
        hit: p.item.hit,
      })),
    })),
    deidentified: true,
  });

  progress(`writing ${folder.path}`);
  folder.write('summary.json', `${JSON.stringify(summary, null, 2)}\n`);
  folder.write('runs.csv', runsCsv(perRun));
  folder.write('run-metrics.csv', runMetricsCsv(perRun));
  folder.write('aggregated.csv', aggregatedCsv(aggregates));
  folder.write('table2.csv', table2Csv);
  const evaluated = perRun.filter((r) => r.sources.length > 0).map((r) => r.runId);
  folder.write('predictions.csv', reportPredictionsCsv(db, evaluated, finding));
  writeFigures(folder, figures);
  writeGallery(folder, gallery);
  const html = reportHtml({
    summary,
    methods: methodsHtml({ configs, finding, ...evaluation }),
    figures,
    gallery,
    files: [
      { name: 'report.html', about: 'this page (self-contained; opens offline)' },
      ...tableFiles,
      ...figures
        .filter((f) => f.drawing)
        .map((f) => ({ name: `figures/${f.id}.svg, .png`, about: `${f.title} (PNG at 2×)` })),
      ...(gallery.length > 0
        ? [{ name: 'gallery/run-RUN-K.svg, .png', about: 'attention gallery panels (pseudonyms only)' }]
        : []),
    ],
  });
  folder.write('report.html', html);
  folder.removeStale();

  const files = [...folder.written];
  return {
    studyId: study.id,
    outDir: folder.path,
    finding,
    runs: runs.length,
    evaluatedRuns: evaluated.length,
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    notes: figures.filter((f) => !f.drawing).map((f) => `${f.title}: ${f.note ?? 'not drawn'}`),
    seconds: (performance.now() - started) / 1000,
  };
}

function panelNames(runId: number, index: number): { svg: string; png: string } {
  const stem = `gallery/run-${runId}-${index + 1}`;
  return { svg: `${stem}.svg`, png: `${stem}.png` };
}

function writeFigures(folder: ReportFolder, figures: readonly RenderedFigure[]): void {
  for (const f of figures) {
    if (!f.drawing) continue;
    folder.write(`figures/${f.id}.svg`, f.drawing.svg);
    folder.write(`figures/${f.id}.png`, f.drawing.png);
  }
}

function writeGallery(folder: ReportFolder, gallery: readonly GalleryRun[]): void {
  for (const run of gallery) {
    run.panels.forEach((panel, i) => {
      const names = panelNames(run.runId, i);
      folder.write(names.svg, panel.svg);
      folder.write(names.png, panel.png);
    });
  }
}

function distinct(values: readonly (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null && v !== ''))];
}
