/**
 * Fig. 4: the random-alignment ablation. For one out-of-domain source and attribute, the fairness gaps
 * (accuracy, AUC, sensitivity, F1) and the hit rate of three models as grouped bars with mean ± std error bars:
 * no alignment, random alignment (a random region per aligned image) and human alignment at the same level
 * (data ratio 100 %). When random runs exist at several levels, the highest level that also has human-aligned runs
 * is shown.
 */
import type { BarSeriesOption } from 'echarts';
import type { ConditionSummary, FairnessSummary, SeedSummary } from '../../../api/fairness-schemas';
import {
  attributeLabel,
  axisExtent,
  baselineColour,
  conditionsOf,
  errorBarSeries,
  findAttribute,
  findSource,
  frame,
  gapLabel,
  gapMetrics,
  isBaseline,
  isHumanAligned,
  paperValue,
  palette,
  percent,
  tooltipLine,
  whisker,
  whiskerValues,
  type ChartBuild,
  type ChartSeriesInfo,
  type ErrorBarDatum,
} from './common';

export interface RandomOptions {
  readonly preset?: string | null;
  readonly source: string;
  readonly attribute: string;
}

export const randomId = 'fig4';
const title = 'Fig. 4 · Random vs human alignment';
const barGap = '15%';
const barCategoryGap = '30%';

export function randomChart(summary: FairnessSummary, options: RandomOptions): ChartBuild {
  const conditions = conditionsOf(summary, options.preset).filter((c) => findSource(c, options.source));
  const random = conditions
    .filter((c) => c.randomAlignment && c.dataRatio === 1 && c.alignment > 0)
    .sort((a, b) => b.alignment - a.alignment);
  const baseline = conditions.find(isBaseline);
  const missing: string[] = [];
  if (random.length === 0) {
    missing.push('random-alignment runs (random alignment on, alignment > 0 %, data ratio 100 %)');
  }
  const pair = random
    .map((r) => ({ random: r, human: conditions.find((c) => isHumanAligned(c) && c.alignment === r.alignment) }))
    .find((p) => p.human);
  if (random.length > 0 && !pair) {
    missing.push(
      `human-aligned runs at the random runs' level (${random.map((r) => percent(r.alignment)).join(', ')}, data ratio 100 %)`,
    );
  }
  if (!baseline) missing.push('runs without alignment (alignment 0 %, data ratio 100 %)');
  if (missing.length > 0 || !pair?.human || !baseline) {
    return { ok: false, id: randomId, title, needs: `needs ${missing.join('; ')} tested on ${options.source}` };
  }
  const models: { condition: ConditionSummary; name: string; colour: string }[] = [
    { condition: baseline, name: 'No alignment', colour: baselineColour },
    { condition: pair.random, name: `Random alignment ${percent(pair.random.alignment)}`, colour: palette[4]! },
    { condition: pair.human, name: `Human alignment ${percent(pair.human.alignment)}`, colour: palette[0]! },
  ];
  const categories = [...gapMetrics.map((m) => gapLabel(m, false)), 'Hit rate'];
  const bars: BarSeriesOption[] = [];
  const whiskers = [];
  const allEnds: ErrorBarDatum[] = [];
  const info: ChartSeriesInfo[] = [];
  const tooltips: string[][] = [];
  for (const [index, model] of models.entries()) {
    const attribute = findAttribute(model.condition, options.source, options.attribute);
    const values: (SeedSummary | undefined)[] = [
      ...gapMetrics.map((m) => attribute?.gaps[m]),
      findSource(model.condition, options.source)?.hitRate,
    ];
    const data: (number | null)[] = [];
    const ends: ErrorBarDatum[] = [];
    const tips: string[] = [];
    values.forEach((summaryValue, i) => {
      const value = paperValue(summaryValue);
      data.push(value ? value.mean : null);
      tips.push(
        [
          `${model.name} (${model.condition.runIds.length} runs)`,
          tooltipLine(
            `${categories[i]} (${i < gapMetrics.length ? attributeLabel(options.attribute) : 'all'})`,
            summaryValue,
          ),
        ].join('\n'),
      );
      if (value) {
        const [yLow, yHigh] = whisker(value.mean, value.std);
        ends.push({ x: i, y: value.mean, xLow: i, xHigh: i, yLow, yHigh });
      }
    });
    bars.push({
      type: 'bar',
      name: model.name,
      color: model.colour,
      barGap,
      barCategoryGap,
      data: data.map((v) => (v === null ? '-' : v)),
    });
    allEnds.push(...ends);
    whiskers.push(
      errorBarSeries(model.name, model.colour, ends, { index, count: models.length, barGap, barCategoryGap }),
    );
    info.push({ name: model.name, points: data.filter((v) => v !== null).length });
    tooltips.push(tips);
  }
  return {
    ok: true,
    id: randomId,
    title,
    width: 640,
    height: 420,
    option: {
      ...frame(
        title,
        `${options.source} · gaps by ${options.attribute}, hit rate over all positives · mean ± std over seeds`,
        info.map((s) => s.name),
      ),
      grid: { left: 64, right: 24, top: 72, bottom: 72 },
      xAxis: {
        type: 'category',
        data: categories,
        axisTick: { alignWithLabel: true },
        axisLabel: { interval: 0, color: '#333333' },
      },
      yAxis: {
        type: 'value',
        name: '% (AUC ×100)',
        nameLocation: 'middle',
        nameGap: 44,
        ...axisExtent(whiskerValues(allEnds, 'y'), true),
        splitLine: { lineStyle: { color: '#eeeeee' } },
      },
      series: [...bars, ...whiskers],
    },
    series: info,
    tooltips,
  };
}
