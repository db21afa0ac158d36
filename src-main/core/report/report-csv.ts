/**
 * The report's tables as CSV (RFC 4180, CRLF, header first): `runs.csv` (one row per run), `run-metrics.csv`
 * (run × source × attribute × group) and `aggregated.csv` (condition × source × quantity over the seeds).
 * Numbers are fractions as in summary.json (not the paper's × 100), written with full precision, empty for none.
 */
import type { FairnessSummary, PerformanceSummary, SeedSummary } from '../../api/fairness-schemas';
import type { RunReport } from '../../api/report-schemas';
import { toCsv, type CsvValue } from '../evaluation/charts/csv';
import { conditionLabel } from '../evaluation/charts/common';

const performanceKeys = ['auc', 'accuracy', 'f1', 'sensitivity', 'specificity'] as const;

/** A condition (alignment level × data ratio × ablation × preset) as columns. */
const conditionColumns = ['condition_key', 'condition', 'preset', 'alignment', 'data_ratio', 'random_alignment'];

function conditionCells(c: RunReport['condition']): CsvValue[] {
  return c
    ? [c.key, c.label, c.preset, c.alignment, c.dataRatio, Number(c.randomAlignment)]
    : conditionColumns.map(() => null);
}

export const runsCsvHeader: readonly string[] = [
  'run',
  ...conditionColumns,
  'seed',
  'status',
  'backend',
  'device',
  'val_auc',
  'test_auc',
  'best_epoch',
  'last_epoch',
  'seconds',
  'started_at',
  'finished_at',
  'test_sources',
];

export function runsCsv(runs: readonly RunReport[]): string {
  return toCsv(
    runsCsvHeader,
    runs.map((r): CsvValue[] => [
      r.runId,
      ...conditionCells(r.condition),
      r.seed,
      r.status,
      r.backend,
      r.device,
      r.valAuc,
      r.testAuc,
      r.bestEpoch,
      r.lastEpoch,
      r.seconds,
      r.startedAt,
      r.finishedAt,
      r.sources.map((s) => s.source).join(' '),
    ]),
  );
}

export const runMetricsCsvHeader: readonly string[] = [
  'run',
  'condition_key',
  'seed',
  'source',
  /** 'overall' (the source's images), 'group' (one subgroup) or 'gap' (best − worst subgroup of the attribute). */
  'kind',
  'attribute',
  'group',
  'n',
  'positives',
  ...performanceKeys,
  /** Worst subgroup's AUC (gap rows only). */
  'worst_group_auc',
  /** Hit rate (overall, group rows) or hit-rate gap (gap rows). */
  'hit_rate',
  'hit_images',
  /** Overall rows only. */
  'miou',
];

interface MetricCells {
  readonly kind: 'overall' | 'group' | 'gap';
  readonly attribute?: string;
  readonly group?: string;
  readonly n?: number;
  readonly positives?: number;
  readonly performance: Readonly<Record<(typeof performanceKeys)[number], number | null>>;
  readonly worstGroupAuc?: number | null;
  readonly hitRate: number | null;
  readonly hitImages?: number;
  readonly miou?: number | null;
}

function metricCells(m: MetricCells): CsvValue[] {
  return [
    m.kind,
    m.attribute ?? '',
    m.group ?? '',
    m.n,
    m.positives,
    ...performanceKeys.map((k) => m.performance[k]),
    m.worstGroupAuc,
    m.hitRate,
    m.hitImages,
    m.miou,
  ];
}

/** One row per run × source (overall), then per attribute its groups and its gap row. */
export function runMetricsCsv(runs: readonly RunReport[]): string {
  const rows: CsvValue[][] = [];
  for (const run of runs) {
    for (const s of run.sources) {
      const row = (cells: MetricCells): number =>
        rows.push([run.runId, run.condition?.key, run.seed, s.source, ...metricCells(cells)]);
      row({
        kind: 'overall',
        n: s.n,
        positives: s.positives,
        performance: s.performance,
        hitRate: s.hitRate,
        hitImages: s.hitImages,
        miou: s.miou,
      });
      for (const a of s.attributes) {
        for (const g of a.groups) {
          row({
            kind: 'group',
            attribute: a.attribute,
            group: g.value,
            n: g.n,
            positives: g.positives,
            performance: g.performance,
            hitRate: g.hitRate,
            hitImages: g.hitImages,
          });
        }
        row({
          kind: 'gap',
          attribute: a.attribute,
          performance: a.gaps,
          worstGroupAuc: a.gaps.worstGroupAuc,
          hitRate: a.hitRateGap,
        });
      }
    }
  }
  return toCsv(runMetricsCsvHeader, rows);
}

export const aggregatedCsvHeader: readonly string[] = [
  ...conditionColumns,
  'runs',
  'source',
  'attribute',
  'group',
  'quantity',
  'mean',
  'std',
  'n',
];

/** One quantity of the aggregated table: where it is and its summary over the seeds. */
export interface AggregatedRow {
  readonly conditionKey: string;
  readonly source: string;
  /** '' for a source-wide quantity. */
  readonly attribute: string;
  /** '' for a source-wide or attribute-wide quantity (a gap). */
  readonly group: string;
  /**
   * Source-wide and per group: `auc`, `accuracy`, `f1`, `sensitivity`, `specificity`, `hit_rate` (and `miou`
   * source-wide); per attribute: `gap_auc` … `gap_specificity`, `worst_group_auc`, `gap_hit_rate`.
   */
  readonly quantity: string;
  readonly value: SeedSummary;
}

function performanceRows(p: PerformanceSummary, prefix = ''): [string, SeedSummary][] {
  return performanceKeys.map((k) => [`${prefix}${k}`, p[k]]);
}

/** Every quantity of the Fairness summary, condition by condition, source by source. */
export function aggregatedRows(summary: FairnessSummary): AggregatedRow[] {
  const rows: AggregatedRow[] = [];
  for (const c of summary.conditions) {
    for (const s of c.sources) {
      const at = (attribute: string, group: string, entries: [string, SeedSummary][]): void => {
        for (const [quantity, value] of entries)
          rows.push({ conditionKey: c.key, source: s.source, attribute, group, quantity, value });
      };
      at('', '', [...performanceRows(s.performance), ['hit_rate', s.hitRate], ['miou', s.miou]]);
      for (const a of s.attributes) {
        at(a.attribute, '', [
          ...performanceRows(a.gaps, 'gap_'),
          ['worst_group_auc', a.gaps.worstGroupAuc],
          ['gap_hit_rate', a.hitRateGap],
        ]);
        for (const g of a.groups)
          at(a.attribute, g.value, [...performanceRows(g.performance), ['hit_rate', g.hitRate]]);
      }
    }
  }
  return rows;
}

export function aggregatedCsv(summary: FairnessSummary): string {
  const conditions = new Map(summary.conditions.map((c) => [c.key, c]));
  return toCsv(
    aggregatedCsvHeader,
    aggregatedRows(summary).map((row): CsvValue[] => {
      const c = conditions.get(row.conditionKey)!;
      return [
        ...conditionCells({ ...c, label: conditionLabel(c) }),
        c.runIds.length,
        row.source,
        row.attribute,
        row.group,
        row.quantity,
        row.value.mean,
        row.value.std,
        row.value.n,
      ];
    }),
  );
}
