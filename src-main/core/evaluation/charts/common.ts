/**
 * Shared pieces of the Fairness view's figures and tables (issue 7): the paper's units, mean ± std text, which
 * condition plays which part (baseline, human-aligned level, random-alignment ablation, reduced data ratio), and
 * the ECharts pieces every figure uses (error bars, palette, frame).
 *
 * The builders under charts/ are pure: summary in, plain objects out; no DOM, no Node, no echarts runtime (only
 * its types), so that the renderer mounts these options and a report exporter in Node renders the very same ones
 * with render-svg.ts (the one file here that loads echarts).
 */
import type { CustomSeriesOption, CustomSeriesRenderItem, EChartsOption } from 'echarts';
import type {
  AttributeSummary,
  ConditionSummary,
  FairnessSummary,
  SeedSummary,
  SourceSummary,
} from '../../../api/fairness-schemas';

/** The performance metrics of the contract, in the order the paper lists them. */
export type PerformanceMetric = 'auc' | 'accuracy' | 'f1' | 'sensitivity' | 'specificity';
/** The four fairness gaps of Table 2 and Figs. 3–5. */
export type GapMetric = 'accuracy' | 'auc' | 'sensitivity' | 'f1';
export const gapMetrics: readonly GapMetric[] = ['accuracy', 'auc', 'sensitivity', 'f1'];

export const metricNames: Readonly<Record<PerformanceMetric, string>> = {
  auc: 'AUC',
  accuracy: 'Accuracy',
  f1: 'F1',
  sensitivity: 'Sensitivity',
  specificity: 'Specificity',
};

/** The paper's unit of each metric: AUC × 100, the others in %. A gap has its metric's unit. */
export const metricUnits: Readonly<Record<PerformanceMetric, string>> = {
  auc: '×100',
  accuracy: '%',
  f1: '%',
  sensitivity: '%',
  specificity: '%',
};

/** 'ΔAUC (×100)', 'ΔAccuracy (%)'. */
export function gapLabel(metric: GapMetric, withUnit = true): string {
  return `Δ${metricNames[metric]}${withUnit ? ` (${metricUnits[metric]})` : ''}`;
}

/** A fraction in the paper's unit (× 100: AUC × 100, accuracy/sensitivity/F1/specificity/hit rate in %). */
export function toPaperUnits(fraction: number): number;
export function toPaperUnits(fraction: number | null): number | null;
export function toPaperUnits(fraction: number | null): number | null {
  return fraction === null ? null : fraction * 100;
}

/** Decimals shown in tables, tooltips and labels (paper units). */
export const displayDigits = 1;

/** A number in paper units as shown: `12.3`; '—' for none. */
export function formatPaper(fraction: number | null, digits = displayDigits): string {
  return fraction === null ? '—' : fixed(fraction * 100, digits);
}

/** Mean ± sample std over seeds in paper units: `12.3 ± 4.5`; the mean alone below two seeds; '—' without a mean. */
export function formatMeanStd(summary: SeedSummary, digits = displayDigits): string {
  if (summary.mean === null) return '—';
  const mean = fixed(summary.mean * 100, digits);
  return summary.std === null ? mean : `${mean} ± ${fixed(summary.std * 100, digits)}`;
}

/** toFixed without a '-0.0'. */
function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** '25 %'. */
export function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10} %`;
}

// ---------------------------------------------------------------- conditions

/** The model without alignment on all the training data: Table 2's and every figure's reference. */
export function isBaseline(c: ConditionSummary): boolean {
  return c.alignment === 0 && !c.randomAlignment && c.dataRatio === 1;
}

/** A human-aligned level (alignment > 0, no random ablation) on all the training data. */
export function isHumanAligned(c: ConditionSummary): boolean {
  return c.alignment > 0 && !c.randomAlignment && c.dataRatio === 1;
}

/** 'No alignment', 'Human alignment 50 %', 'Random alignment 100 %', with '· data 50 %' below a data ratio of 1. */
export function conditionLabel(c: Pick<ConditionSummary, 'alignment' | 'randomAlignment' | 'dataRatio'>): string {
  const base =
    c.alignment === 0 ? 'No alignment' : `${c.randomAlignment ? 'Random' : 'Human'} alignment ${percent(c.alignment)}`;
  return c.dataRatio === 1 ? base : `${base} · data ${percent(c.dataRatio)}`;
}

/** The presets that have conditions, in the summary's order. */
export function presetsOf(summary: FairnessSummary): string[] {
  return [...new Set(summary.conditions.map((c) => c.preset))];
}

/** The conditions of one preset (the first preset's when `preset` is not given or has none). */
export function conditionsOf(summary: FairnessSummary, preset?: string | null): ConditionSummary[] {
  const presets = presetsOf(summary);
  const chosen = preset && presets.includes(preset) ? preset : presets[0];
  return summary.conditions.filter((c) => c.preset === chosen);
}

/** The test sources of these conditions, in first-seen order. */
export function sourcesOf(conditions: readonly ConditionSummary[]): string[] {
  return [...new Set(conditions.flatMap((c) => c.sources.map((s) => s.source)))];
}

/** The grouping attributes of one source over these conditions, in first-seen order (sex, age, …). */
export function attributesOf(conditions: readonly ConditionSummary[], source: string): string[] {
  return [...new Set(conditions.flatMap((c) => findSource(c, source)?.attributes.map((a) => a.attribute) ?? []))];
}

export function findSource(c: ConditionSummary, source: string): SourceSummary | undefined {
  return c.sources.find((s) => s.source === source);
}

export function findAttribute(c: ConditionSummary, source: string, attribute: string): AttributeSummary | undefined {
  return findSource(c, source)?.attributes.find((a) => a.attribute === attribute);
}

/** 'sex' → 'Sex'. */
export function attributeLabel(attribute: string): string {
  return attribute.charAt(0).toUpperCase() + attribute.slice(1);
}

/** The baseline and the human-aligned levels of these conditions, by alignment. */
export function alignmentLevels(conditions: readonly ConditionSummary[]): ConditionSummary[] {
  return conditions.filter((c) => isBaseline(c) || isHumanAligned(c)).sort((a, b) => a.alignment - b.alignment);
}

// ---------------------------------------------------------------- figures

/** What the figure needs to be able to draw, said where it would be. */
export interface ChartMissing {
  readonly ok: false;
  readonly id: string;
  readonly title: string;
  /** Which runs to train for this figure. */
  readonly needs: string;
}

export interface ChartSeriesInfo {
  readonly name: string;
  /** Data points drawn (bars, markers, radar polygons' vertices). */
  readonly points: number;
}

export interface ChartReady {
  readonly ok: true;
  readonly id: string;
  readonly title: string;
  readonly option: EChartsOption;
  /**
   * The data series, in the option's series order (they come first; helper series such as error bars follow).
   * For a radar, each polygon is one entry.
   */
  readonly series: readonly ChartSeriesInfo[];
  /** Hover text of the data series by [series index][data index] (helper series have none). */
  readonly tooltips: readonly (readonly string[])[];
  /** A remark on what is drawn (e.g. a comparison that lacks one side). */
  readonly note?: string;
  /** The size the figure is meant for (a report renders it at this size). */
  readonly width: number;
  readonly height: number;
}

export type ChartBuild = ChartReady | ChartMissing;

/** Colours distinguishable in print and for the common colour-vision deficiencies (Okabe–Ito). */
export const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

/** The grey of 'No alignment' wherever it is compared with aligned models. */
export const baselineColour = '#7f7f7f';

/** The frame every figure shares: white paper, the title on top, the legend (these names) below, no animation. */
export function frame(title: string, subtitle: string, legend: readonly string[]): EChartsOption {
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'sans-serif' },
    title: {
      text: title,
      subtext: subtitle,
      left: 'center',
      top: 6,
      textStyle: { fontSize: 14, fontWeight: 'bold', color: '#222222' },
      subtextStyle: { fontSize: 11, color: '#555555' },
    },
    legend: {
      bottom: 4,
      icon: 'rect',
      itemGap: 24,
      itemWidth: 14,
      itemHeight: 10,
      textStyle: { color: '#333333' },
      data: [...legend],
    },
  };
}

/** One error bar: centre (x, y) and the ends of each whisker, in axis units; equal ends draw no whisker. */
export interface ErrorBarDatum {
  readonly x: number;
  readonly y: number;
  readonly xLow: number;
  readonly xHigh: number;
  readonly yLow: number;
  readonly yHigh: number;
}

/** The ends of mean ± std (the mean alone when std is null). */
export function whisker(mean: number, std: number | null): [number, number] {
  return std === null ? [mean, mean] : [mean - std, mean + std];
}

/**
 * Error bars as a custom series (ECharts has none built in): a vertical whisker from yLow to yHigh and a
 * horizontal one from xLow to xHigh, each with end caps, in the series' colour. Its name is its data series' name,
 * so the legend shows and hides both together. `bar` shifts each whisker onto its bar in a group of `count` bars
 * (category axis), using the same layout rule as the bar series (`barGap`, `barCategoryGap`). A whisker that would
 * leave the plot area (an axis bound, e.g. AUC 97 ± 8 past 100) stops at its edge without a cap there.
 */
export function errorBarSeries(
  name: string,
  colour: string,
  data: readonly ErrorBarDatum[],
  bar?: { readonly index: number; readonly count: number; readonly barGap: string; readonly barCategoryGap: string },
): CustomSeriesOption {
  const renderItem: CustomSeriesRenderItem = (params, api) => {
    const x = Number(api.value(0));
    const y = Number(api.value(1));
    const xLow = Number(api.value(2));
    const xHigh = Number(api.value(3));
    const yLow = Number(api.value(4));
    const yHigh = Number(api.value(5));
    let shift = 0;
    if (bar) {
      const layout = api.barLayout({ count: bar.count, barGap: bar.barGap, barCategoryGap: bar.barCategoryGap });
      shift = layout?.[bar.index]?.offsetCenter ?? 0;
    }
    // The plot area (cartesian2d gives its rectangle in pixels): a whisker that would leave it stops at its edge
    // and has no cap there, which marks it cut.
    const area = params.coordSys as unknown as { x: number; y: number; width: number; height: number };
    const clampX = (v: number): [number, boolean] => clampTo(v, area.x, area.x + area.width);
    const clampY = (v: number): [number, boolean] => clampTo(v, area.y, area.y + area.height);
    const cap = 4;
    const style = { stroke: colour, lineWidth: 1.5, fill: 'none' };
    const children: { type: 'line'; shape: { x1: number; y1: number; x2: number; y2: number }; style: object }[] = [];
    const segment = (x1: number, y1: number, x2: number, y2: number): void => {
      children.push({ type: 'line', shape: { x1, y1, x2, y2 }, style });
    };
    if (yLow !== yHigh) {
      const [px, pyLow] = api.coord([x, yLow]) as [number, number];
      const [, pyHigh] = api.coord([x, yHigh]) as [number, number];
      const cx = px + shift;
      const [ly, lowCut] = clampY(pyLow);
      const [hy, highCut] = clampY(pyHigh);
      segment(cx, ly, cx, hy);
      if (!lowCut) segment(cx - cap, ly, cx + cap, ly);
      if (!highCut) segment(cx - cap, hy, cx + cap, hy);
    }
    if (xLow !== xHigh) {
      const [pxLow, cy] = api.coord([xLow, y]) as [number, number];
      const [pxHigh] = api.coord([xHigh, y]) as [number, number];
      const [lx, lowCut] = clampX(pxLow);
      const [hx, highCut] = clampX(pxHigh);
      segment(lx, cy, hx, cy);
      if (!lowCut) segment(lx, cy - cap, lx, cy + cap);
      if (!highCut) segment(hx, cy - cap, hx, cy + cap);
    }
    return { type: 'group', children };
  };
  return {
    type: 'custom',
    name,
    color: colour,
    renderItem,
    // Every end counts for the axes' extent, so no whisker is cut off.
    encode: { x: [0, 2, 3], y: [1, 4, 5] },
    data: data.map((d) => [d.x, d.y, d.xLow, d.xHigh, d.yLow, d.yHigh]),
    z: 3,
    silent: true,
  };
}

/** `value` within [low, high] (pixels; either order), and whether it had to move. */
function clampTo(value: number, a: number, b: number): [number, boolean] {
  const low = Math.min(a, b) - 0.5;
  const high = Math.max(a, b) + 0.5;
  const clamped = Math.min(high, Math.max(low, value));
  return [clamped, clamped !== value];
}

/** Mean (and std) in paper units, or null when the summary has no mean. */
export function paperValue(summary: SeedSummary | undefined): { mean: number; std: number | null } | null {
  if (!summary || summary.mean === null) return null;
  return { mean: summary.mean * 100, std: summary.std === null ? null : summary.std * 100 };
}

/** 'ΔAUC 12.3 ± 4.5 (n = 3)'. */
export function tooltipLine(label: string, summary: SeedSummary | undefined): string {
  if (!summary) return `${label} —`;
  return `${label} ${formatMeanStd(summary)} (n = ${summary.n})`;
}

/**
 * A value axis in paper units that holds every value (whisker ends included), within [0, 100] — no metric, gap or
 * rate leaves it, so a whisker (mean ± std) that would is cut at the bound (see errorBarSeries) — with a
 * tick interval of 5, 10 or 20 and both ends on a tick. `fromZero` starts at 0 (gaps, bars).
 */
export function axisExtent(
  values: readonly number[],
  fromZero = false,
): { min: number; max: number; interval: number } {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { min: 0, max: 100, interval: 20 };
  const lo = fromZero ? 0 : Math.max(0, Math.min(...finite));
  const hi = Math.min(100, Math.max(...finite));
  const span = Math.max(hi - lo, 1);
  const interval = span <= 20 ? 5 : span <= 50 ? 10 : 20;
  const min = Math.floor(lo / interval) * interval;
  const max = Math.min(100, Math.max(min + interval, Math.ceil(hi / interval) * interval));
  return { min, max, interval };
}

/** Every whisker end and centre of these error bars, for `axisExtent`. */
export function whiskerValues(data: readonly ErrorBarDatum[], axis: 'x' | 'y'): number[] {
  return data.flatMap((d) => (axis === 'x' ? [d.x, d.xLow, d.xHigh] : [d.y, d.yLow, d.yHigh]));
}
