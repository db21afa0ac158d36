/**
 * Fig. 6: out-of-domain performance as a radar. For one source, the mean over seeds of AUC × 100, accuracy, F1,
 * sensitivity and specificity (%), one polygon for the model without alignment and one per human-aligned level
 * (data ratio 100 %, no random ablation). The radial axes share one range, from the lowest value rounded down to
 * a multiple of 10 (at most 50) to 100, so that differences stay visible; stds are in the hover text.
 */
import type { RadarSeriesOption } from 'echarts';
import type { FairnessSummary } from '../../../api/fairness-schemas';
import {
  alignmentLevels,
  baselineColour,
  conditionLabel,
  conditionsOf,
  findSource,
  frame,
  isBaseline,
  metricNames,
  metricUnits,
  palette,
  paperValue,
  tooltipLine,
  type ChartBuild,
  type PerformanceMetric,
} from './common';

export interface RadarOptions {
  readonly preset?: string | null;
  readonly source: string;
}

export const radarId = 'fig6';
const title = 'Fig. 6 · Out-of-domain performance, aligned vs not';
export const radarMetrics: readonly PerformanceMetric[] = ['auc', 'accuracy', 'f1', 'sensitivity', 'specificity'];

export function radarChart(summary: FairnessSummary, options: RadarOptions): ChartBuild {
  const levels = alignmentLevels(conditionsOf(summary, options.preset)).filter((c) => findSource(c, options.source));
  const baseline = levels.find(isBaseline);
  const aligned = levels.filter((c) => !isBaseline(c));
  if (!baseline || aligned.length === 0) {
    const missing = [
      ...(baseline ? [] : ['runs without alignment (alignment 0 %, data ratio 100 %)']),
      ...(aligned.length > 0 ? [] : ['human-aligned runs (alignment > 0 %, data ratio 100 %, no random alignment)']),
    ];
    return { ok: false, id: radarId, title, needs: `needs ${missing.join(' and ')} tested on ${options.source}` };
  }
  const items: NonNullable<RadarSeriesOption['data']> = [];
  const tips: string[] = [];
  const names: string[] = [];
  const all: number[] = [];
  let colourIndex = 0;
  for (const c of [baseline, ...aligned]) {
    const performance = findSource(c, options.source)!.performance;
    const values = radarMetrics.map((m) => paperValue(performance[m])?.mean ?? null);
    all.push(...values.filter((v): v is number => v !== null));
    const name = conditionLabel(c);
    const colour = isBaseline(c) ? baselineColour : palette[colourIndex++ % palette.length]!;
    names.push(name);
    items.push({
      name,
      value: values.map((v) => (v === null ? '-' : v)),
      itemStyle: { color: colour },
      lineStyle: { color: colour, width: 2, ...(isBaseline(c) ? { type: 'dashed' as const } : {}) },
      areaStyle: { color: colour, opacity: 0.08 },
      symbol: 'circle',
      symbolSize: 5,
    });
    tips.push(
      [
        `${name} (${c.runIds.length} run${c.runIds.length === 1 ? '' : 's'})`,
        ...radarMetrics.map((m) => tooltipLine(`${metricNames[m]} (${metricUnits[m]})`, performance[m])),
      ].join('\n'),
    );
  }
  const low = Math.min(50, Math.floor((all.length > 0 ? Math.min(...all) : 0) / 10) * 10);
  return {
    ok: true,
    id: radarId,
    title,
    width: 560,
    height: 460,
    option: {
      ...frame(title, `${options.source} · mean over seeds (AUC ×100, others %) · radial axes ${low}–100`, names),
      radar: {
        center: ['50%', '55%'],
        radius: '58%',
        indicator: radarMetrics.map((m) => ({ name: metricNames[m], min: low, max: 100 })),
        axisName: { color: '#333333' },
        splitLine: { lineStyle: { color: '#dddddd' } },
        splitArea: { show: false },
      },
      series: [{ type: 'radar', name: 'OOD performance', data: items }],
    },
    series: names.map((name, i) => ({
      name,
      points: radarMetrics.filter((_, m) => (items[i] as { value: unknown[] }).value[m] !== '-').length,
    })),
    tooltips: [tips],
  };
}
