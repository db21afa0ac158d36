/**
 * Human–AI alignment across alignment levels (the quantity the paper's method optimises, next to Fig. 3): for one
 * out-of-domain source, the pointing-game hit rate and the mean IoU of the thresholded attention with the human
 * region (both %), against the alignment level (data ratio 100 %, no random ablation), mean ± std over seeds.
 */
import type { LineSeriesOption } from 'echarts';
import type { FairnessSummary, SeedSummary, SourceSummary } from '../../../api/fairness-schemas';
import {
  alignmentLevels,
  axisExtent,
  conditionLabel,
  conditionsOf,
  errorBarSeries,
  findSource,
  frame,
  palette,
  paperValue,
  tooltipLine,
  whisker,
  whiskerValues,
  type ChartBuild,
  type ChartSeriesInfo,
  type ErrorBarDatum,
} from './common';

export interface AlignmentOptions {
  readonly preset?: string | null;
  readonly source: string;
}

export const alignmentId = 'alignment';
const title = 'Attention alignment across alignment levels';

const measures: readonly { name: string; pick: (s: SourceSummary) => SeedSummary }[] = [
  { name: 'Hit rate (%)', pick: (s) => s.hitRate },
  { name: 'mIoU (%)', pick: (s) => s.miou },
];

export function alignmentChart(summary: FairnessSummary, options: AlignmentOptions): ChartBuild {
  const levels = alignmentLevels(conditionsOf(summary, options.preset)).filter((c) => findSource(c, options.source));
  if (levels.length < 2) {
    return {
      ok: false,
      id: alignmentId,
      title,
      needs:
        `needs finished runs at two or more alignment levels tested on ${options.source} (data ratio 100 %, no ` +
        `random alignment), on a source with annotated positive images`,
    };
  }
  const lines: LineSeriesOption[] = [];
  const whiskers = [];
  const allEnds: ErrorBarDatum[] = [];
  const info: ChartSeriesInfo[] = [];
  const tooltips: string[][] = [];
  for (const [i, measure] of measures.entries()) {
    const colour = palette[i === 0 ? 2 : 3]!;
    const data: [number, number][] = [];
    const ends: ErrorBarDatum[] = [];
    const tips: string[] = [];
    for (const c of levels) {
      const summaryValue = measure.pick(findSource(c, options.source)!);
      const value = paperValue(summaryValue);
      if (!value) continue;
      const x = c.alignment * 100;
      data.push([x, value.mean]);
      const [yLow, yHigh] = whisker(value.mean, value.std);
      ends.push({ x, y: value.mean, xLow: x, xHigh: x, yLow, yHigh });
      tips.push([`${conditionLabel(c)} (${c.runIds.length} runs)`, tooltipLine(measure.name, summaryValue)].join('\n'));
    }
    if (data.length === 0) continue;
    lines.push({ type: 'line', name: measure.name, color: colour, symbol: 'circle', symbolSize: 8, z: 4, data });
    whiskers.push(errorBarSeries(measure.name, colour, ends));
    allEnds.push(...ends);
    info.push({ name: measure.name, points: data.length });
    tooltips.push(tips);
  }
  if (info.length === 0) {
    return {
      ok: false,
      id: alignmentId,
      title,
      needs: `needs annotated positive images in ${options.source} (the hit rate and mIoU are scored against human regions)`,
    };
  }
  return {
    ok: true,
    id: alignmentId,
    title,
    width: 640,
    height: 420,
    option: {
      ...frame(
        title,
        `${options.source} · mean ± std over seeds`,
        info.map((s) => s.name),
      ),
      grid: { left: 64, right: 32, top: 72, bottom: 72 },
      xAxis: {
        type: 'value',
        name: 'Alignment level (% of positives aligned)',
        nameLocation: 'middle',
        nameGap: 28,
        min: 0,
        max: 100,
        interval: 25,
        axisLabel: { formatter: '{value} %' },
        splitLine: { lineStyle: { color: '#eeeeee' } },
      },
      yAxis: {
        type: 'value',
        name: '%',
        nameLocation: 'middle',
        nameGap: 44,
        ...axisExtent(whiskerValues(allEnds, 'y'), true),
        splitLine: { lineStyle: { color: '#eeeeee' } },
      },
      series: [...lines, ...whiskers],
    },
    series: info,
    tooltips,
  };
}
