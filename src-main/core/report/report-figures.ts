/**
 * The report's figures: Table 2 and the Fairness view's figures (Fig. 3, alignment across levels, Figs. 4–6),
 * built by the same pure builders the view uses and drawn by ECharts' server-side SVG renderer, each also as a
 * PNG at twice its size. A figure whose conditions the study lacks is not drawn; its `note` says what it needs.
 */
import type { FairnessSummary } from '../../api/fairness-schemas';
import { conditionsOf, sourcesOf } from '../evaluation/charts/common';
import { fairnessFigures } from '../evaluation/charts/index';
import { renderChartSvg } from '../evaluation/charts/render-svg';
import { table2Csv, table2Rows } from '../evaluation/charts/table2';
import { svgToPng } from './svg-png';
import { table2Svg } from './table2-svg';

export interface RenderedFigure {
  /** The file stem: 'table2', or the builder's id and the source, e.g. 'fig3-summit'. */
  readonly id: string;
  readonly title: string;
  /** The out-of-domain source drawn (null for Table 2, which has every source). */
  readonly source: string | null;
  /** null when the figure could not be drawn. */
  readonly drawing: {
    readonly svg: string;
    readonly png: Buffer;
    readonly width: number;
    readonly height: number;
  } | null;
  /** What a missing figure needs, or the builder's remark on a drawn one. */
  readonly note: string | null;
}

export interface ReportFigures {
  /** Table 2 as the builder's CSV (header only when the study has no baseline or aligned level). */
  readonly table2Csv: string;
  /** Table 2 first, then for each out-of-domain source the figures in the view's order. */
  readonly figures: readonly RenderedFigure[];
}

export const table2Id = 'table2';

/** Figures of the summary's first preset (a study trains one), for each of its out-of-domain sources. */
export async function renderReportFigures(summary: FairnessSummary): Promise<ReportFigures> {
  const rows = table2Rows(summary);
  const table = table2Svg(rows, `${summary.finding ?? ''} · mean ± std over seeds · ΔAUC ×100, others %`);
  const figures: RenderedFigure[] = [
    {
      id: table2Id,
      title: 'Table 2 · Fairness gaps and hit rate',
      source: null,
      drawing: table ? { ...table, png: await svgToPng(table.svg) } : null,
      note: table ? null : 'needs finished runs without alignment or at a human-aligned level (data ratio 100 %)',
    },
  ];
  const slugs = new Set<string>();
  for (const source of sourcesOf(conditionsOf(summary))) {
    const slug = uniqueSlug(source, slugs);
    for (const build of fairnessFigures(summary, { source })) {
      const id = `${build.id}-${slug}`;
      const title = `${build.title} · ${source}`;
      if (!build.ok) {
        figures.push({ id, title, source, drawing: null, note: build.needs });
        continue;
      }
      const svg = renderChartSvg(build.option, build.width, build.height);
      figures.push({
        id,
        title,
        source,
        drawing: { svg, png: await svgToPng(svg), width: build.width, height: build.height },
        note: build.note ?? null,
      });
    }
  }
  return { table2Csv: table2Csv(rows), figures };
}

/** A file-name part of a source name ('Summit CXR' → 'summit-cxr'), made unique among `taken`. */
function uniqueSlug(name: string, taken: Set<string>): string {
  const base =
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'source';
  let slug = base;
  for (let k = 2; taken.has(slug); k++) slug = `${base}-${k}`;
  taken.add(slug);
  return slug;
}
