/**
 * `report.html`: the study report as one self-contained page that opens offline — inline CSS, every figure and
 * gallery panel embedded as a data URL (no external URL, no script) — with the config, the methods, Table 2, the
 * figures, the aggregates and per-run tables, and the attention gallery. Numbers are shown in the paper's units
 * (AUC × 100, the others in %); summary.json holds the same numbers as fractions.
 */
import type { FairnessSummary, SeedSummary } from '../../api/fairness-schemas';
import type { RunReport, StudyReportSummary } from '../../api/report-schemas';
import { conditionLabel, formatMeanStd, formatPaper } from '../evaluation/charts/common';
import type { GalleryRun } from './gallery-panels';
import { dataUrl, escapeMarkup as e } from './markup';
import type { RenderedFigure } from './report-figures';

export interface ReportPage {
  readonly summary: StudyReportSummary;
  readonly methods: string;
  readonly figures: readonly RenderedFigure[];
  readonly gallery: readonly GalleryRun[];
  /** The files of the folder with what each holds. */
  readonly files: readonly { readonly name: string; readonly about: string }[];
}

const style = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;color:#1d1d1f;line-height:1.45;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px}
table{border-collapse:collapse;font-size:12.5px;margin:8px 0}th,td{border-bottom:1px solid #e4e4e4;padding:3px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}.muted{color:#666}.note{background:#fff7e0;border-left:3px solid #e6a700;padding:6px 10px}
figure{margin:16px 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:12.5px;color:#555}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:10px}.gallery img{width:100%}
.eq{font-family:"Cambria Math",Cambria,serif;font-size:15px;margin-left:16px}code{font-size:12px}`;

/** A fraction in paper units with one decimal ('—' for none). */
const paper = (v: number | null): string => formatPaper(v);
const num = (v: number | null, digits: number): string => (v === null ? '—' : v.toFixed(digits));

export function reportHtml(page: ReportPage): string {
  const { summary } = page;
  const title = `Study report · ${summary.study.name}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${style}</style></head><body>
<h1>${e(title)}</h1>
<p class="muted">Study ${summary.study.id} · finding <strong>${e(summary.finding)}</strong> · ${summary.runs.length} runs ·
created ${e(summary.study.createdAt)} · report generated ${e(summary.generatedAt)} by ${e(summary.app.name)} ${e(summary.app.version)}.
De-identified: images are named by patient pseudonym only.</p>
<h2>Configuration</h2>
${configTable(summary)}
<h2>Methods</h2>
${page.methods}
<h2>Table 2 and figures</h2>
${figuresHtml(page.figures)}
<h2>Aggregates over seeds</h2>
${aggregatesTable(summary.aggregates)}
<h2>Runs</h2>
${runsTable(summary.runs)}
<h2>Attention gallery</h2>
${galleryHtml(page.gallery)}
<h2>Files</h2>
<table><tbody>${page.files.map((f) => `<tr><td><code>${e(f.name)}</code></td><td>${e(f.about)}</td></tr>`).join('')}</tbody></table>
</body></html>
`;
}

function configTable(summary: StudyReportSummary): string {
  const config = summary.study.config;
  const entries: [string, string][] =
    typeof config === 'object' && config !== null && !Array.isArray(config)
      ? Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])
      : [['config', config === null ? 'not readable (not JSON)' : JSON.stringify(config)]];
  entries.push(
    ['backends of the runs', summary.backends.join(', ') || '—'],
    ['devices of the runs', summary.devices.join(', ') || '—'],
    ['seeds', summary.seeds.join(', ') || '—'],
    ['decision threshold', String(summary.threshold)],
    ['age threshold (years)', String(summary.ageThreshold)],
  );
  return `<table><tbody>${entries.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</tbody></table>`;
}

/** Table 2, then each out-of-domain source's figures under its name. */
function figuresHtml(figures: readonly RenderedFigure[]): string {
  const sources = [...new Set(figures.map((f) => f.source))];
  return sources
    .map((source) => {
      const own = figures.filter((f) => f.source === source).map(figureHtml);
      return `${source === null ? '' : `<h3>Out-of-domain source ${e(source)}</h3>`}${own.join('\n')}`;
    })
    .join('\n');
}

function figureHtml(figure: RenderedFigure): string {
  if (!figure.drawing) {
    return `<figure data-figure="${e(figure.id)}"><figcaption><strong>${e(figure.title)}</strong></figcaption>
<p class="note">Not drawn: this study ${e(figure.note ?? 'lacks the runs it needs')}.</p></figure>`;
  }
  const { svg, width } = figure.drawing;
  return `<figure data-figure="${e(figure.id)}"><img src="${dataUrl('image/svg+xml', svg)}" width="${width}" alt="${e(figure.title)}">
<figcaption>${e(figure.title)} — <code>figures/${e(figure.id)}.svg</code>, <code>figures/${e(figure.id)}.png</code>${
    figure.note ? ` · ${e(figure.note)}` : ''
  }</figcaption></figure>`;
}

const aggregateColumns: readonly [
  string,
  (s: FairnessSummary['conditions'][number]['sources'][number]) => SeedSummary,
][] = [
  ['AUC ×100', (s) => s.performance.auc],
  ['Accuracy %', (s) => s.performance.accuracy],
  ['F1 %', (s) => s.performance.f1],
  ['Sensitivity %', (s) => s.performance.sensitivity],
  ['Specificity %', (s) => s.performance.specificity],
  ['Hit rate %', (s) => s.hitRate],
  ['mIoU %', (s) => s.miou],
];

function aggregatesTable(aggregates: FairnessSummary): string {
  if (aggregates.conditions.length === 0) return '<p class="note">No finished run of this study was evaluated.</p>';
  const head = [
    'Condition',
    'Source',
    'Runs',
    ...aggregateColumns.map(([name]) => name),
    'Gaps (ΔAUC ×100 · ΔHit rate %)',
  ];
  const rows = aggregates.conditions.flatMap((c) =>
    c.sources.map(
      (s) =>
        `<tr data-condition="${e(c.key)}" data-source="${e(s.source)}"><td>${e(conditionLabel(c))}</td><td>${e(s.source)}</td>` +
        `<td class="n">${c.runIds.length}</td>${aggregateColumns.map(([, pick]) => `<td class="n">${e(formatMeanStd(pick(s)))}</td>`).join('')}` +
        `<td>${s.attributes.map((a) => `${e(a.attribute)}: ${e(formatMeanStd(a.gaps.auc))} · ${e(formatMeanStd(a.hitRateGap))}`).join('<br>')}</td></tr>`,
    ),
  );
  return `<p class="muted">Mean ± sample std over the seeds of each condition (aggregated.csv has every quantity, as fractions).</p>
<table><thead><tr>${head.map((h, i) => `<th${i >= 2 && i < head.length - 1 ? ' class="n"' : ''}>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function runsTable(runs: readonly RunReport[]): string {
  const head = [
    'Run',
    'Condition',
    'Seed',
    'Status',
    'Backend',
    'Device',
    'Val AUC ×100',
    'Test AUC ×100',
    'Best epoch',
    'Seconds',
    'Per source: AUC ×100 · hit rate % · ΔAUC ×100 by attribute',
  ];
  const rows = runs.map((r) => {
    const sources = r.sources
      .map(
        (s) =>
          `${e(s.source)}: ${e(paper(s.performance.auc))} · ${e(paper(s.hitRate))}` +
          (s.attributes.length > 0
            ? ` · ${s.attributes.map((a) => `${e(a.attribute)} ${e(paper(a.gaps.auc))}`).join(', ')}`
            : ''),
      )
      .join('<br>');
    return (
      `<tr data-run="${r.runId}"><td class="n">${r.runId}</td><td>${e(r.condition?.label ?? 'config not readable')}</td>` +
      `<td class="n">${r.seed}</td><td>${e(r.status)}</td><td>${e(r.backend ?? '—')}</td><td>${e(r.device ?? '—')}</td>` +
      `<td class="n" data-field="valAuc">${e(paper(r.valAuc))}</td><td class="n" data-field="testAuc">${e(paper(r.testAuc))}</td>` +
      `<td class="n">${r.bestEpoch === null ? '—' : r.bestEpoch + 1}</td><td class="n">${e(num(r.seconds, 1))}</td><td>${sources || '—'}</td></tr>`
    );
  });
  return `<p class="muted">Best epoch counted from 1. Test AUC: the best checkpoint on all of the run's test images; per-source values below it.</p>
<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function galleryHtml(gallery: readonly GalleryRun[]): string {
  if (gallery.length === 0) {
    return '<p class="note">No gallery: the study has no finished baseline or human-aligned run with test predictions.</p>';
  }
  return gallery
    .map((run) => {
      const panels = run.panels.map(
        (p) =>
          `<img src="${dataUrl('image/svg+xml', p.svg)}" alt="${e(`${p.item.pseudonym}, ${p.item.hit === 1 ? 'hit' : 'miss'}`)}">`,
      );
      return `<h3>${e(run.label)}</h3>${
        panels.length > 0
          ? `<p class="muted">Left: the image with the human region (yellow). Right: the model's attention (jet) with its peak, green = inside the region (hit), red = outside (miss).</p><div class="gallery">${panels.join('')}</div>`
          : '<p class="note">No positive test image with a human region to show.</p>'
      }`;
    })
    .join('\n');
}
