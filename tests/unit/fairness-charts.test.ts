import { describe, expect, it } from 'vitest';
import type { CustomSeriesOption, LineSeriesOption, BarSeriesOption, RadarSeriesOption } from 'echarts';
import {
  fairnessSummarySchema,
  type ConditionSummary,
  type FairnessSummary,
  type SeedSummary,
} from '../../src-main/api/fairness-schemas';
import {
  alignmentChart,
  axisExtent,
  csvField,
  dataRatioChart,
  fairnessFigures,
  formatMeanStd,
  galleryRuns,
  heatPixels,
  jet,
  radarChart,
  randomChart,
  regionOutline,
  table2Columns,
  table2Csv,
  table2CsvHeader,
  table2Rows,
  toCsv,
  tradeoffChart,
  type ChartBuild,
  type ChartReady,
} from '../../src-main/core/evaluation/charts';
import { renderChartSvg, withHiddenSeries } from '../../src-main/core/evaluation/charts/render-svg';

// ---------------------------------------------------------------- a hand-built summary

const seed = (mean: number | null, std: number | null = 0.01, n = 2): SeedSummary => ({ mean, std, n });

interface Spec {
  alignment: number;
  dataRatio?: number;
  random?: boolean;
  /** AUC overall; the gaps and hit rate below are fractions. */
  auc: number;
  aucGap: { sex: number; age: number };
  accuracyGap?: number | null;
  hitRate: number | null;
  runIds: number[];
}

function condition(spec: Spec): ConditionSummary {
  const ratio = spec.dataRatio ?? 1;
  const random = spec.random ?? false;
  const perf = (auc: number) => ({
    auc: seed(auc),
    accuracy: seed(auc - 0.05),
    f1: seed(auc - 0.1),
    sensitivity: seed(auc - 0.02),
    specificity: seed(auc - 0.08),
  });
  const attribute = (name: 'sex' | 'age', values: [string, string]) => ({
    attribute: name,
    gaps: {
      auc: seed(spec.aucGap[name], 0.02),
      accuracy: seed(spec.accuracyGap === undefined ? 0.05 : spec.accuracyGap, spec.accuracyGap === null ? null : 0.01),
      f1: seed(0.04),
      sensitivity: seed(0.06),
      specificity: seed(0.03),
      worstGroupAuc: seed(spec.auc - spec.aucGap[name]),
    },
    hitRateGap: seed(spec.hitRate === null ? null : 0.1),
    groups: values.map((value) => ({
      value,
      n: 10,
      positives: 5,
      performance: perf(spec.auc),
      hitRate: seed(spec.hitRate),
    })),
  });
  const source = (name: string) => ({
    source: name,
    n: 20,
    positives: 10,
    performance: perf(spec.auc),
    hitRate: seed(spec.hitRate, 0.05),
    miou: seed(spec.hitRate === null ? null : spec.hitRate / 2, 0.02),
    attributes: [attribute('sex', ['F', 'M']), attribute('age', ['<60', '>=60'])],
  });
  return {
    key: `micro|a=${spec.alignment}|r=${ratio}|random=${random ? 1 : 0}`,
    preset: 'micro',
    alignment: spec.alignment,
    dataRatio: ratio,
    randomAlignment: random,
    runIds: spec.runIds,
    seeds: spec.runIds.map((_, i) => i),
    sources: [source('summit'), source('lake, side')],
  };
}

function summary(conditions: ConditionSummary[]): FairnessSummary {
  return fairnessSummarySchema.parse({
    finding: 'nodule',
    findings: ['nodule'],
    studyId: null,
    ageThreshold: 60,
    threshold: 0.5,
    conditions,
    skipped: [],
  });
}

const baseline = condition({ alignment: 0, auc: 0.8, aucGap: { sex: 0.1, age: 0.08 }, hitRate: 0.3, runIds: [1, 2] });
const half = condition({ alignment: 0.5, auc: 0.82, aucGap: { sex: 0.06, age: 0.08 }, hitRate: 0.5, runIds: [3, 4] });
const full = condition({ alignment: 1, auc: 0.84, aucGap: { sex: 0.04, age: 0.09 }, hitRate: 0.7, runIds: [5, 6] });
const random = condition({
  alignment: 1,
  random: true,
  auc: 0.79,
  aucGap: { sex: 0.12, age: 0.1 },
  hitRate: 0.2,
  runIds: [7],
});
const reducedNone = condition({
  alignment: 0,
  dataRatio: 0.5,
  auc: 0.7,
  aucGap: { sex: 0.15, age: 0.12 },
  hitRate: 0.25,
  runIds: [8, 9],
});
const reducedFull = condition({
  alignment: 1,
  dataRatio: 0.5,
  auc: 0.74,
  aucGap: { sex: 0.09, age: 0.11 },
  hitRate: 0.6,
  runIds: [10, 11],
});
const everything = summary([baseline, half, full, random, reducedNone, reducedFull]);

function ready(build: ChartBuild): ChartReady {
  if (!build.ok) throw new Error(`expected a chart, got: ${build.needs}`);
  return build;
}

function seriesOf(build: ChartReady): unknown[] {
  const series = build.option.series;
  return Array.isArray(series) ? series : [series];
}

/** Distinct data indices per data series, read back from the rendered SVG (what the e2e test counts). */
function renderedPoints(svg: string, seriesCount: number): number[] {
  const counts = Array.from({ length: seriesCount }, () => new Set<string>());
  for (const m of svg.matchAll(
    /<[^>]*ecmeta_series_index="(\d+)" ecmeta_data_index="(\d+)" ecmeta_ssr_type="chart"/g,
  )) {
    const s = Number(m[1]);
    if (s < seriesCount) counts[s]!.add(m[2]!);
  }
  return counts.map((set) => set.size);
}

// ---------------------------------------------------------------- Table 2 and CSV

describe('Table 2 rows', () => {
  it('has, per source and attribute, the baseline then each human-aligned level, mean ± std in paper units', () => {
    const rows = table2Rows(everything);
    // 2 sources × 2 attributes × (baseline, 50 %, 100 %): random and reduced-data conditions are not in Table 2.
    expect(rows).toHaveLength(12);
    expect(rows.slice(0, 3).map((r) => [r.source, r.attribute, r.condition])).toEqual([
      ['summit', 'sex', 'No alignment'],
      ['summit', 'sex', 'Human alignment 50 %'],
      ['summit', 'sex', 'Human alignment 100 %'],
    ]);
    expect(rows[3]).toMatchObject({ source: 'summit', attribute: 'age', baseline: true });
    const auc = rows[0]!.cells.find((c) => c.column === 'aucGap')!;
    expect(auc).toMatchObject({ text: '10.0 ± 2.0', n: 2 });
    expect(auc.mean).toBeCloseTo(10);
    expect(rows[0]!.cells.find((c) => c.column === 'hitRate')!.text).toBe('30.0 ± 5.0');
    expect(rows[0]!.runIds).toEqual([1, 2]);
  });

  it('flags the lowest gap and the highest hit rate of each block, ties as shown all flagged', () => {
    const rows = table2Rows(everything).filter((r) => r.source === 'summit');
    const best = (attribute: string, column: string) =>
      rows
        .filter((r) => r.attribute === attribute)
        .filter((r) => r.cells.find((c) => c.column === column)!.best)
        .map((r) => r.alignment);
    expect(best('sex', 'aucGap')).toEqual([1]);
    // Age: 8.0 (none), 8.0 (50 %), 9.0 (100 %): the two equal values are both best.
    expect(best('age', 'aucGap')).toEqual([0, 0.5]);
    expect(best('sex', 'hitRate')).toEqual([1]);
    // Every accuracy gap is 5.0: all tie.
    expect(best('sex', 'accuracyGap')).toEqual([0, 0.5, 1]);
  });

  it('shows — for a missing mean, the mean alone for one seed, and flags nothing without two values', () => {
    const lone = condition({
      alignment: 0,
      auc: 0.8,
      aucGap: { sex: 0.1, age: 0.1 },
      accuracyGap: null,
      hitRate: null,
      runIds: [1],
    });
    const rows = table2Rows(summary([lone]));
    expect(rows).toHaveLength(4);
    const cell = (column: string) => rows[0]!.cells.find((c) => c.column === column)!;
    expect(cell('hitRate')).toMatchObject({ text: '—', mean: null, best: false });
    expect(cell('aucGap').best).toBe(false);
    expect(formatMeanStd({ mean: 0.123, std: null, n: 1 })).toBe('12.3');
    expect(formatMeanStd({ mean: -0.0001, std: 0.0001, n: 2 })).toBe('0.0 ± 0.0');
  });

  it('serialises to CSV with the paper units, quoting where needed', () => {
    const rows = table2Rows(everything);
    const csv = table2Csv(rows);
    const lines = csv.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(table2CsvHeader.join(','));
    expect(table2CsvHeader).toEqual([
      'source',
      'attribute',
      'condition',
      'alignment_pct',
      'data_ratio_pct',
      'random_alignment',
      'runs',
      'seeds',
      ...table2Columns.flatMap((c) => [`${c.csv}_mean`, `${c.csv}_std`]),
      'best',
    ]);
    expect(lines).toHaveLength(rows.length + 2);
    const first = lines[1]!.split(',');
    expect(first.slice(0, 8)).toEqual(['summit', 'sex', 'No alignment', '0', '100', '0', '2', '0 1']);
    const aucMean = table2CsvHeader.indexOf('delta_auc_mean');
    expect(first[aucMean]).toBe('10');
    expect(first[aucMean + 1]).toBe('2');
    // The 100 % row of summit × sex is best in ΔAUC, hit rate (and ties on the rest).
    expect(lines[3]!.split(',').at(-1)).toBe(
      'delta_accuracy delta_auc delta_sensitivity delta_f1 hit_rate delta_hit_rate',
    );
    // A source with a comma is quoted.
    expect(lines.find((l) => l.startsWith('"lake, side",sex,No alignment'))).toBeTruthy();
  });

  it('quotes commas, quotes and line breaks and leaves other fields bare', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(1.5)).toBe('1.5');
    expect(toCsv(['a', 'b'], [[1, 'x']])).toBe('a,b\r\n1,x\r\n');
  });
});

// ---------------------------------------------------------------- figures

describe('Fig. 3: gap vs performance across alignment levels', () => {
  it('has one line per attribute through the levels at (AUC ×100, gap ×100), with error bars both ways', () => {
    const chart = ready(tradeoffChart(everything, { source: 'summit', gap: 'auc' }));
    expect(chart.series).toEqual([
      { name: 'Sex', points: 3 },
      { name: 'Age', points: 3 },
    ]);
    const [sex, age, sexBars] = seriesOf(chart) as [LineSeriesOption, LineSeriesOption, CustomSeriesOption];
    const values = (sex.data as { value: [number, number] }[]).map((d) => d.value);
    expect(values.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10])).toEqual([
      [80, 10],
      [82, 6],
      [84, 4],
    ]);
    expect((age.data as { label: { formatter: string } }[]).map((d) => d.label.formatter)).toEqual([
      '0 %',
      '50 %',
      '100 %',
    ]);
    expect(sexBars.type).toBe('custom');
    const [x, y, xLow, xHigh, yLow, yHigh] = (sexBars.data as number[][])[0]!;
    expect([x, y]).toEqual([values[0]![0], values[0]![1]]);
    expect(xHigh! - xLow!).toBeCloseTo(2);
    expect(yHigh! - yLow!).toBeCloseTo(4);
    expect(chart.tooltips[0]![1]).toMatch(/Human alignment 50 %[\s\S]*ΔAUC \(×100\) 6\.0 ± 2\.0 \(n = 2\)/);
  });

  it('keeps its axes within [0, 100], gaps from 0, and cuts whiskers at the bounds', () => {
    const wide = condition({ alignment: 1, auc: 0.97, aucGap: { sex: 0.01, age: 0.02 }, hitRate: 0.9, runIds: [5, 6] });
    (wide.sources[0]!.performance.auc as { std: number }).std = 0.08;
    const chart = ready(tradeoffChart(summary([baseline, wide]), { source: 'summit', gap: 'auc' }));
    // Baseline AUC 80 ± 1 reaches down to 79; 97 ± 8 is cut at 100.
    expect(chart.option.xAxis).toMatchObject({ min: 70, max: 100, interval: 10 });
    expect(chart.option.yAxis).toMatchObject({ min: 0, max: 15, interval: 5 });
    // Rendered: the sex whiskers (its colour's strokes) end at the plot's right edge (640 − 32 px), capless there.
    const svg = renderChartSvg(chart.option, 640, 420);
    const xs = [...svg.matchAll(/<path d="([^"]+)"[^>]*stroke="#0072B2"/g)].flatMap((m) =>
      [...m[1]!.matchAll(/[ML]([\d.]+) /g)].map((p) => Number(p[1])),
    );
    expect(xs.length).toBeGreaterThan(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(608.5);
    expect(axisExtent([-3, 12.5])).toEqual({ min: 0, max: 15, interval: 5 });
    expect(axisExtent([86, 107])).toEqual({ min: 85, max: 100, interval: 5 });
    expect(axisExtent([40, 65], true)).toEqual({ min: 0, max: 80, interval: 20 });
    expect(axisExtent([])).toEqual({ min: 0, max: 100, interval: 20 });
    expect(axisExtent([0, 0], true)).toEqual({ min: 0, max: 5, interval: 5 });
  });

  it('says which runs it needs with fewer than two levels', () => {
    const build = tradeoffChart(summary([baseline, random]), { source: 'summit', gap: 'auc' });
    expect(build.ok).toBe(false);
    expect(!build.ok && build.needs).toMatch(/two or more alignment levels.*only No alignment has runs/);
  });
});

describe('Fig. 4: random vs none vs human alignment', () => {
  it('has three bar series over four gaps and the hit rate, with error bars on each bar', () => {
    const chart = ready(randomChart(everything, { source: 'summit', attribute: 'sex' }));
    expect(chart.series.map((s) => s.name)).toEqual([
      'No alignment',
      'Random alignment 100 %',
      'Human alignment 100 %',
    ]);
    expect(chart.series.every((s) => s.points === 5)).toBe(true);
    const series = seriesOf(chart) as (BarSeriesOption | CustomSeriesOption)[];
    expect(series.map((s) => s.type)).toEqual(['bar', 'bar', 'bar', 'custom', 'custom', 'custom']);
    const bars = series[1]!.data as number[];
    // Random: accuracy 5, AUC 12 (sex), sensitivity 6, F1 4, hit rate 20.
    expect(bars.map((v) => Math.round(v * 10) / 10)).toEqual([5, 12, 6, 4, 20]);
    expect(chart.option.xAxis).toMatchObject({ data: ['ΔAccuracy', 'ΔAUC', 'ΔSensitivity', 'ΔF1', 'Hit rate'] });
  });

  it('names the missing runs: no random runs, or no human runs at their level', () => {
    const none = randomChart(summary([baseline, full]), { source: 'summit', attribute: 'sex' });
    expect(!none.ok && none.needs).toMatch(/random-alignment runs/);
    const noHuman = randomChart(summary([baseline, half, random]), { source: 'summit', attribute: 'sex' });
    expect(!noHuman.ok && noHuman.needs).toMatch(/human-aligned runs at the random runs' level \(100 %/);
    const noBaseline = randomChart(summary([full, random]), { source: 'summit', attribute: 'sex' });
    expect(!noBaseline.ok && noBaseline.needs).toMatch(/without alignment/);
  });
});

describe('Fig. 5: gaps across data ratios', () => {
  it('has a line for no alignment and one per aligned level over the data ratios', () => {
    const chart = ready(dataRatioChart(everything, { source: 'summit', attribute: 'sex', gap: 'auc' }));
    expect(chart.series).toEqual([
      { name: 'No alignment', points: 2 },
      { name: 'Human alignment 100 %', points: 2 },
    ]);
    const [none, aligned] = seriesOf(chart) as LineSeriesOption[];
    expect((none!.data as number[][]).map(([x, y]) => [x, Math.round(y! * 10) / 10])).toEqual([
      [50, 15],
      [100, 10],
    ]);
    expect((aligned!.data as number[][]).map(([x, y]) => [x, Math.round(y! * 10) / 10])).toEqual([
      [50, 9],
      [100, 4],
    ]);
    expect(chart.note).toBeUndefined();
  });

  it('notes a one-sided comparison and says what it needs without reduced-data runs', () => {
    const oneSided = ready(
      dataRatioChart(summary([baseline, full, reducedFull]), { source: 'summit', attribute: 'age', gap: 'f1' }),
    );
    expect(oneSided.series.map((s) => s.name)).toEqual(['Human alignment 100 %']);
    expect(oneSided.note).toMatch(/without alignment/);
    const none = dataRatioChart(summary([baseline, full]), { source: 'summit', attribute: 'sex', gap: 'auc' });
    expect(!none.ok && none.needs).toMatch(/data ratio below 100 %/);
  });
});

describe('Fig. 6: radar of OOD performance', () => {
  it('has one polygon for no alignment and one per aligned level over five metrics ×100', () => {
    const chart = ready(radarChart(everything, { source: 'summit' }));
    expect(chart.series.map((s) => s.name)).toEqual(['No alignment', 'Human alignment 50 %', 'Human alignment 100 %']);
    expect(chart.series.every((s) => s.points === 5)).toBe(true);
    const [radar] = seriesOf(chart) as RadarSeriesOption[];
    const first = (radar!.data as { value: number[] }[])[0]!.value.map((v) => Math.round(v * 10) / 10);
    expect(first).toEqual([80, 75, 70, 78, 72]);
    expect(chart.option.radar).toMatchObject({ indicator: [{ name: 'AUC', min: 50, max: 100 }, {}, {}, {}, {}] });
  });

  it('needs both the baseline and an aligned level', () => {
    const build = radarChart(summary([full]), { source: 'summit' });
    expect(!build.ok && build.needs).toMatch(/without alignment/);
  });
});

describe('alignment across levels', () => {
  it('draws hit rate and mIoU per level', () => {
    const chart = ready(alignmentChart(everything, { source: 'summit' }));
    expect(chart.series).toEqual([
      { name: 'Hit rate (%)', points: 3 },
      { name: 'mIoU (%)', points: 3 },
    ]);
    const [hit] = seriesOf(chart) as LineSeriesOption[];
    expect((hit!.data as number[][]).map(([x, y]) => [x, Math.round(y! * 10) / 10])).toEqual([
      [0, 30],
      [50, 50],
      [100, 70],
    ]);
  });
});

describe('rendering with ECharts server-side SVG (as a report exporter in Node would)', () => {
  it('draws every figure, each data point an element tagged with its series and index', () => {
    const figures = fairnessFigures(everything);
    expect(figures.map((f) => f.id)).toEqual(['fig3', 'alignment', 'fig4', 'fig5', 'fig6']);
    for (const figure of figures.map(ready)) {
      const svg = renderChartSvg(figure.option, figure.width, figure.height);
      expect(svg.startsWith('<svg'), figure.id).toBe(true);
      expect(svg).toContain(`width="${figure.width}"`);
      for (const s of figure.series) expect(svg, `${figure.id} legend`).toContain(`>${s.name}</text>`);
      if (figure.id === 'fig6') {
        // One radar series whose data items are the polygons.
        expect(renderedPoints(svg, 1)).toEqual([figure.series.length]);
      } else {
        expect(renderedPoints(svg, figure.series.length), figure.id).toEqual(figure.series.map((s) => s.points));
      }
    }
  });

  it('hides a series named in the legend selection', () => {
    const chart = ready(tradeoffChart(everything, { source: 'summit', gap: 'auc' }));
    const svg = renderChartSvg(withHiddenSeries(chart.option, new Set(['Sex'])), 640, 420);
    expect(renderedPoints(svg, 2)).toEqual([0, 3]);
  });
});

// ---------------------------------------------------------------- gallery

describe('attention gallery helpers', () => {
  it('labels each run by condition and seed', () => {
    const runs = galleryRuns(everything);
    expect(runs).toHaveLength(11);
    expect(runs[0]).toMatchObject({ runId: 1, seed: 0, label: 'No alignment · seed 0 · run 1' });
    expect(runs.find((r) => r.runId === 7)?.label).toBe('Random alignment 100 % · seed 0 · run 7');
    expect(runs.find((r) => r.runId === 11)?.label).toBe('Human alignment 100 % · data 50 % · seed 1 · run 11');
    expect(runs[0]!.sources).toEqual(['summit', 'lake, side']);
    expect(runs[0]!.groups).toEqual([
      { attribute: 'sex', values: ['F', 'M'] },
      { attribute: 'age', values: ['<60', '>=60'] },
    ]);
  });

  it('colours jet from blue through green to red and normalises a map', () => {
    expect(jet(0)).toEqual([0, 0, 128]);
    expect(jet(0.5)).toEqual([128, 255, 128]);
    expect(jet(1)).toEqual([128, 0, 0]);
    expect(jet(Number.NaN)).toEqual(jet(0));
    const pixels = heatPixels([2, 4, 6, 8], 2);
    expect([...pixels.slice(0, 4)]).toEqual([0, 0, 128, 255]);
    expect([...pixels.slice(12, 16)]).toEqual([128, 0, 0, 255]);
  });

  it('outlines each region kind as SVG path data in image coordinates', () => {
    expect(regionOutline({ kind: 'rect', x: 1, y: 2, width: 3, height: 4 }).d).toBe('M1 2 h3 v4 h-3 Z');
    expect(
      regionOutline({
        kind: 'polygon',
        points: [
          [0, 0],
          [4, 0],
          [0, 3],
        ],
      }).d,
    ).toBe('M0 0 L4 0 L0 3 Z');
    const ellipse = regionOutline({ kind: 'ellipse', cx: 10, cy: 10, rx: 4, ry: 2, rotation: 90 });
    expect(ellipse.d).toBe('M10 14 A4 2 90 1 1 10 6 A4 2 90 1 1 10 14 Z');
    const stroke = regionOutline({ kind: 'stroke', points: [[1, 1]], radius: 3, erase: true });
    expect(stroke).toEqual({ d: 'M1 1 l0 0', width: 6, erase: true });
  });
});
