/**
 * Renders a figure's option to an SVG document with ECharts' server-side SVG renderer. The same function serves
 * the Fairness view (in the browser, so the figure on screen is exactly the SVG that is exported) and a report
 * exporter in Node: it needs neither a DOM nor Node. Only the chart types and components the figures use are
 * loaded (tree-shaken ECharts).
 */
import { BarChart, CustomChart, LineChart, RadarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, RadarComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsOption } from 'echarts';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  CustomChart,
  LineChart,
  RadarChart,
  GridComponent,
  LegendComponent,
  RadarComponent,
  TitleComponent,
  SVGRenderer,
]);

/**
 * The option drawn at width × height (CSS pixels) as an `<svg …>…</svg>` string. Every element that stands for a
 * data point carries `ecmeta_ssr_type="chart"`, `ecmeta_series_index` and `ecmeta_data_index` (legend entries
 * `ecmeta_ssr_type="legend"`), by which the view finds what the pointer is over.
 */
export function renderChartSvg(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The option with the legend's series shown or hidden (hidden names are greyed in the legend). */
export function withHiddenSeries(option: EChartsOption, hidden: ReadonlySet<string>): EChartsOption {
  if (hidden.size === 0) return option;
  const legend = Array.isArray(option.legend) ? option.legend[0] : option.legend;
  const selected = Object.fromEntries([...hidden].map((name) => [name, false]));
  return { ...option, legend: { ...legend, selected } };
}
