/**
 * Fig. 3: the fairness–performance trade-off across alignment levels. For one out-of-domain source, each
 * alignment level (no alignment, 25 %, 50 %, 75 %, 100 %; data ratio 100 %, no random ablation) is a point at
 * (AUC × 100, gap in the paper's unit) with mean ± std error bars both ways; one line per demographic attribute
 * joins the levels in increasing alignment, each point labelled with its level.
 */
import type { LineSeriesOption } from 'echarts';
import type { FairnessSummary } from '../../../api/fairness-schemas';
import {
  alignmentLevels,
  axisExtent,
  attributeLabel,
  attributesOf,
  conditionLabel,
  conditionsOf,
  errorBarSeries,
  findAttribute,
  findSource,
  frame,
  gapLabel,
  palette,
  paperValue,
  percent,
  tooltipLine,
  whisker,
  whiskerValues,
  type ChartBuild,
  type ChartSeriesInfo,
  type ErrorBarDatum,
  type GapMetric,
} from './common';

export interface TradeoffOptions {
  readonly preset?: string | null;
  readonly source: string;
  readonly gap: GapMetric;
}

export const tradeoffId = 'fig3';
const title = 'Fig. 3 · Fairness gap vs performance across alignment levels';

export function tradeoffChart(summary: FairnessSummary, options: TradeoffOptions): ChartBuild {
  const levels = alignmentLevels(conditionsOf(summary, options.preset)).filter((c) => findSource(c, options.source));
  if (levels.length < 2) {
    return {
      ok: false,
      id: tradeoffId,
      title,
      needs:
        `needs finished runs at two or more alignment levels tested on ${options.source} (e.g. 0 % and 100 %, ` +
        `data ratio 100 %, no random alignment); ` +
        (levels.length === 1 ? `only ${conditionLabel(levels[0]!)} has runs` : 'none has runs yet'),
    };
  }
  const lines: LineSeriesOption[] = [];
  const bars = [];
  const ends: ErrorBarDatum[] = [];
  const info: ChartSeriesInfo[] = [];
  const tooltips: string[][] = [];
  for (const [i, attribute] of attributesOf(levels, options.source).entries()) {
    const colour = palette[i % palette.length]!;
    const name = attributeLabel(attribute);
    const points: { value: [number, number]; level: number }[] = [];
    const whiskers: ErrorBarDatum[] = [];
    const tips: string[] = [];
    for (const c of levels) {
      const source = findSource(c, options.source);
      const auc = paperValue(source?.performance.auc);
      const gapSummary = findAttribute(c, options.source, attribute)?.gaps[options.gap];
      const gap = paperValue(gapSummary);
      if (!auc || !gap) continue;
      points.push({ value: [auc.mean, gap.mean], level: c.alignment });
      const [xLow, xHigh] = whisker(auc.mean, auc.std);
      const [yLow, yHigh] = whisker(gap.mean, gap.std);
      whiskers.push({ x: auc.mean, y: gap.mean, xLow, xHigh, yLow, yHigh });
      tips.push(
        [
          `${name} · ${conditionLabel(c)} (${c.runIds.length} run${c.runIds.length === 1 ? '' : 's'})`,
          tooltipLine('AUC (×100)', source?.performance.auc),
          tooltipLine(gapLabel(options.gap), gapSummary),
        ].join('\n'),
      );
    }
    if (points.length === 0) continue;
    lines.push({
      type: 'line',
      name,
      color: colour,
      symbol: 'circle',
      symbolSize: 8,
      lineStyle: { width: 1.5 },
      z: 4,
      label: { show: true, position: 'top', fontSize: 10, color: colour },
      data: points.map((p) => ({ value: p.value, label: { formatter: percent(p.level) } })),
    });
    bars.push(errorBarSeries(name, colour, whiskers));
    ends.push(...whiskers);
    info.push({ name, points: points.length });
    tooltips.push(tips);
  }
  if (info.length === 0) {
    return {
      ok: false,
      id: tradeoffId,
      title,
      needs: `needs runs whose ${options.source} results have an AUC and a ${gapLabel(options.gap, false)} (a subgroup with both classes)`,
    };
  }
  return {
    ok: true,
    id: tradeoffId,
    title,
    width: 640,
    height: 420,
    option: {
      ...frame(
        title,
        `${options.source} · ${gapLabel(options.gap)} by attribute · mean ± std over seeds`,
        info.map((s) => s.name),
      ),
      grid: { left: 64, right: 32, top: 72, bottom: 72 },
      xAxis: {
        type: 'value',
        name: 'AUC (×100)',
        nameLocation: 'middle',
        nameGap: 28,
        ...axisExtent(whiskerValues(ends, 'x')),
        splitLine: { lineStyle: { color: '#eeeeee' } },
      },
      yAxis: {
        type: 'value',
        name: gapLabel(options.gap),
        nameLocation: 'middle',
        nameGap: 44,
        ...axisExtent(whiskerValues(ends, 'y'), true),
        splitLine: { lineStyle: { color: '#eeeeee' } },
      },
      series: [...lines, ...bars],
    },
    series: info,
    tooltips,
  };
}
