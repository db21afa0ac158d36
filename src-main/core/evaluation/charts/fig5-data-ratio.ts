/**
 * Fig. 5: fairness across training-data ratios. For one out-of-domain source and attribute, a gap (paper units)
 * against the share of the training data used (%), one line per alignment level that has runs below a data
 * ratio of 100 % (no alignment vs aligned), each point mean ± std over seeds. The 100 % point of a level comes from
 * its full-data runs when there are any. Random-alignment runs are left out.
 */
import type { LineSeriesOption } from 'echarts';
import type { ConditionSummary, FairnessSummary } from '../../../api/fairness-schemas';
import {
  attributeLabel,
  axisExtent,
  baselineColour,
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

export interface DataRatioOptions {
  readonly preset?: string | null;
  readonly source: string;
  readonly attribute: string;
  readonly gap: GapMetric;
}

export const dataRatioId = 'fig5';
const title = 'Fig. 5 · Fairness gap across training-data ratios';

export function dataRatioChart(summary: FairnessSummary, options: DataRatioOptions): ChartBuild {
  const conditions = conditionsOf(summary, options.preset).filter(
    (c) => !c.randomAlignment && findSource(c, options.source),
  );
  const reduced = conditions.filter((c) => c.dataRatio < 1);
  if (reduced.length === 0) {
    return {
      ok: false,
      id: dataRatioId,
      title,
      needs:
        `needs runs at a data ratio below 100 % (e.g. 50 %) tested on ${options.source}, with alignment 0 % and ` +
        `with alignment (no random alignment)`,
    };
  }
  const levels = [...new Set(reduced.map((c) => c.alignment))].sort((a, b) => a - b);
  const lines: LineSeriesOption[] = [];
  const whiskers = [];
  const allEnds: ErrorBarDatum[] = [];
  const info: ChartSeriesInfo[] = [];
  const tooltips: string[][] = [];
  let aligned = 0;
  for (const level of levels) {
    const name = level === 0 ? 'No alignment' : `Human alignment ${percent(level)}`;
    const colour = level === 0 ? baselineColour : palette[aligned++ % palette.length]!;
    const byRatio: ConditionSummary[] = conditions
      .filter((c) => c.alignment === level)
      .sort((a, b) => a.dataRatio - b.dataRatio);
    const data: [number, number][] = [];
    const ends: ErrorBarDatum[] = [];
    const tips: string[] = [];
    for (const c of byRatio) {
      const gapSummary = findAttribute(c, options.source, options.attribute)?.gaps[options.gap];
      const gap = paperValue(gapSummary);
      if (!gap) continue;
      const x = c.dataRatio * 100;
      data.push([x, gap.mean]);
      const [yLow, yHigh] = whisker(gap.mean, gap.std);
      ends.push({ x, y: gap.mean, xLow: x, xHigh: x, yLow, yHigh });
      tips.push(
        [
          `${conditionLabel(c)} (${c.runIds.length} run${c.runIds.length === 1 ? '' : 's'})`,
          tooltipLine(`${gapLabel(options.gap)} by ${options.attribute}`, gapSummary),
        ].join('\n'),
      );
    }
    if (data.length === 0) continue;
    lines.push({ type: 'line', name, color: colour, symbol: 'circle', symbolSize: 8, z: 4, data });
    whiskers.push(errorBarSeries(name, colour, ends));
    allEnds.push(...ends);
    info.push({ name, points: data.length });
    tooltips.push(tips);
  }
  if (info.length === 0) {
    return {
      ok: false,
      id: dataRatioId,
      title,
      needs: `needs reduced-data runs whose ${options.source} results have a ${gapLabel(options.gap, false)} by ${options.attribute}`,
    };
  }
  const missingSide = levels.every((l) => l > 0)
    ? 'add runs without alignment at a reduced data ratio to compare'
    : levels.every((l) => l === 0)
      ? 'add aligned runs at a reduced data ratio to compare'
      : undefined;
  return {
    ok: true,
    id: dataRatioId,
    title,
    width: 640,
    height: 420,
    ...(missingSide ? { note: missingSide } : {}),
    option: {
      ...frame(
        title,
        `${options.source} · ${gapLabel(options.gap)} by ${attributeLabel(options.attribute).toLowerCase()} · mean ± std over seeds`,
        info.map((s) => s.name),
      ),
      grid: { left: 64, right: 32, top: 72, bottom: 72 },
      xAxis: {
        type: 'value',
        name: 'Training data (%)',
        nameLocation: 'middle',
        nameGap: 28,
        min: 0,
        max: 100,
        interval: 25,
        splitLine: { lineStyle: { color: '#eeeeee' } },
      },
      yAxis: {
        type: 'value',
        name: gapLabel(options.gap),
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
