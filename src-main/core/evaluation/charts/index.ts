/**
 * The Fairness view's figures and Table 2 as pure builders (summary → ECharts options, rows, CSV), shared by the
 * renderer and a report exporter in Node. `renderChartSvg` (render-svg.ts) draws an option to SVG in either.
 */
import type { FairnessSummary } from '../../../api/fairness-schemas';
import { alignmentChart } from './alignment-levels';
import { attributesOf, conditionsOf, sourcesOf, type ChartBuild, type GapMetric } from './common';
import { tradeoffChart } from './fig3-tradeoff';
import { randomChart } from './fig4-random';
import { dataRatioChart } from './fig5-data-ratio';
import { radarChart } from './fig6-radar';

export * from './common';
export { toCsv, csvField, type CsvValue } from './csv';
export { table2Columns, table2Csv, table2CsvHeader, table2Rows, type Table2Cell, type Table2Row } from './table2';
export { tradeoffChart, tradeoffId, type TradeoffOptions } from './fig3-tradeoff';
export { randomChart, randomId, type RandomOptions } from './fig4-random';
export { dataRatioChart, dataRatioId, type DataRatioOptions } from './fig5-data-ratio';
export { radarChart, radarId, radarMetrics, type RadarOptions } from './fig6-radar';
export { alignmentChart, alignmentId, type AlignmentOptions } from './alignment-levels';
export { galleryRuns, groupsText, heatPixels, jet, peakRadius, regionOutline } from './gallery';
export type { GalleryRunChoice, RegionOutline } from './gallery';

export interface FigureChoice {
  /** Default: the summary's first preset. */
  readonly preset?: string | null;
  /** Default: the first out-of-domain source. */
  readonly source?: string | null;
  /** Default: the source's first attribute (sex when there is one). */
  readonly attribute?: string | null;
  /** Default: AUC. */
  readonly gap?: GapMetric;
}

/** The figures in the view's (and a report's) order: Fig. 3, alignment, Fig. 4, Fig. 5, Fig. 6. */
export function fairnessFigures(summary: FairnessSummary, choice: FigureChoice = {}): ChartBuild[] {
  const conditions = conditionsOf(summary, choice.preset);
  const sources = sourcesOf(conditions);
  const source = choice.source && sources.includes(choice.source) ? choice.source : (sources[0] ?? '');
  const attributes = attributesOf(conditions, source);
  const attribute =
    choice.attribute && attributes.includes(choice.attribute)
      ? choice.attribute
      : attributes.includes('sex')
        ? 'sex'
        : (attributes[0] ?? 'sex');
  const gap = choice.gap ?? 'auc';
  const preset = choice.preset ?? null;
  return [
    tradeoffChart(summary, { preset, source, gap }),
    alignmentChart(summary, { preset, source }),
    randomChart(summary, { preset, source, attribute }),
    dataRatioChart(summary, { preset, source, attribute, gap }),
    radarChart(summary, { preset, source }),
  ];
}
