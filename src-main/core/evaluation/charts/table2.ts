/**
 * Table 2 of the paper: per out-of-domain source and demographic attribute, the fairness gaps (accuracy, AUC,
 * sensitivity, F1), the pointing-game hit rate and its gap, for the model without alignment and every
 * human-aligned level (data ratio 100 %, no random ablation), mean ± std over seeds in the paper's units. Within
 * one source × attribute block the best value of each column (lowest gap, highest hit rate) is flagged, ties
 * (equal as shown) all flagged.
 */
import type { AttributeSummary, FairnessSummary, SeedSummary, SourceSummary } from '../../../api/fairness-schemas';
import {
  alignmentLevels,
  attributesOf,
  conditionLabel,
  conditionsOf,
  displayDigits,
  findSource,
  formatMeanStd,
  gapLabel,
  isBaseline,
  sourcesOf,
} from './common';
import { toCsv, type CsvValue } from './csv';

export type Table2ColumnId = 'accuracyGap' | 'aucGap' | 'sensitivityGap' | 'f1Gap' | 'hitRate' | 'hitRateGap';

export interface Table2Column {
  readonly id: Table2ColumnId;
  /** Header text with the unit. */
  readonly label: string;
  /** The CSV column stem (`<stem>_mean`, `<stem>_std`). */
  readonly csv: string;
  readonly better: 'lower' | 'higher';
  readonly pick: (source: SourceSummary, attribute: AttributeSummary) => SeedSummary;
}

export const table2Columns: readonly Table2Column[] = [
  {
    id: 'accuracyGap',
    label: gapLabel('accuracy'),
    csv: 'delta_accuracy',
    better: 'lower',
    pick: (_s, a) => a.gaps.accuracy,
  },
  { id: 'aucGap', label: gapLabel('auc'), csv: 'delta_auc', better: 'lower', pick: (_s, a) => a.gaps.auc },
  {
    id: 'sensitivityGap',
    label: gapLabel('sensitivity'),
    csv: 'delta_sensitivity',
    better: 'lower',
    pick: (_s, a) => a.gaps.sensitivity,
  },
  { id: 'f1Gap', label: gapLabel('f1'), csv: 'delta_f1', better: 'lower', pick: (_s, a) => a.gaps.f1 },
  { id: 'hitRate', label: 'Hit rate (%)', csv: 'hit_rate', better: 'higher', pick: (s) => s.hitRate },
  { id: 'hitRateGap', label: 'ΔHit rate (%)', csv: 'delta_hit_rate', better: 'lower', pick: (_s, a) => a.hitRateGap },
];

export interface Table2Cell {
  readonly column: Table2ColumnId;
  /** `12.3 ± 4.5`, `12.3` (one seed), `—` (none). */
  readonly text: string;
  /** In paper units (× 100); null when there is none. */
  readonly mean: number | null;
  readonly std: number | null;
  /** Seeds that had the value. */
  readonly n: number;
  readonly best: boolean;
}

export interface Table2Row {
  readonly source: string;
  readonly attribute: string;
  readonly conditionKey: string;
  readonly condition: string;
  readonly alignment: number;
  readonly dataRatio: number;
  readonly randomAlignment: boolean;
  readonly baseline: boolean;
  readonly runIds: readonly number[];
  readonly seeds: readonly number[];
  readonly cells: readonly Table2Cell[];
}

/**
 * The rows of Table 2 for one preset (the first when not given): for each source, each attribute, the baseline
 * then the human-aligned levels in increasing alignment. A condition that was not tested on a source, or lacks the
 * attribute there, has no row in that block.
 */
export function table2Rows(summary: FairnessSummary, preset?: string | null): Table2Row[] {
  const levels = alignmentLevels(conditionsOf(summary, preset));
  const rows: Table2Row[] = [];
  for (const source of sourcesOf(levels)) {
    for (const attribute of attributesOf(levels, source)) {
      const block: Table2Row[] = [];
      for (const c of levels) {
        const s = findSource(c, source);
        const a = s?.attributes.find((x) => x.attribute === attribute);
        if (!s || !a) continue;
        block.push({
          source,
          attribute,
          conditionKey: c.key,
          condition: conditionLabel(c),
          alignment: c.alignment,
          dataRatio: c.dataRatio,
          randomAlignment: c.randomAlignment,
          baseline: isBaseline(c),
          runIds: c.runIds,
          seeds: c.seeds,
          cells: table2Columns.map((column) => {
            const value = column.pick(s, a);
            return {
              column: column.id,
              text: formatMeanStd(value),
              mean: value.mean === null ? null : value.mean * 100,
              std: value.std === null ? null : value.std * 100,
              n: value.n,
              best: false,
            };
          }),
        });
      }
      rows.push(...flagBest(block));
    }
  }
  return rows;
}

/**
 * Flags, per column, the rows whose value as shown is the best of the block (lowest gap, highest hit rate); none
 * when fewer than two rows have a value (nothing to compare).
 */
function flagBest(block: readonly Table2Row[]): Table2Row[] {
  const best = new Map<Table2ColumnId, number>();
  for (const column of table2Columns) {
    const shown = block
      .map((row) => row.cells.find((c) => c.column === column.id)?.mean ?? null)
      .filter((v): v is number => v !== null)
      .map(asShown);
    if (shown.length < 2) continue;
    best.set(column.id, column.better === 'lower' ? Math.min(...shown) : Math.max(...shown));
  }
  return block.map((row) => ({
    ...row,
    cells: row.cells.map((cell) => ({
      ...cell,
      best: cell.mean !== null && best.has(cell.column) && asShown(cell.mean) === best.get(cell.column),
    })),
  }));
}

/** The value as the table shows it (rounded to the displayed digits), so that equal-looking cells tie. */
function asShown(value: number): number {
  return Number(value.toFixed(displayDigits));
}

/** Up to 4 decimals, so that CSV numbers carry no binary noise (12.300000000000001). */
function csvNumber(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1e4) / 1e4;
}

export const table2CsvHeader: readonly string[] = [
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
];

/**
 * Table 2 as CSV: one line per row, means and sample stds in paper units (× 100; empty when none), alignment and
 * data ratio in %, seeds separated by spaces, and `best` naming the columns flagged best (space separated).
 */
export function table2Csv(rows: readonly Table2Row[]): string {
  return toCsv(
    table2CsvHeader,
    rows.map((row): CsvValue[] => [
      row.source,
      row.attribute,
      row.condition,
      csvNumber(row.alignment * 100),
      csvNumber(row.dataRatio * 100),
      row.randomAlignment ? 1 : 0,
      row.runIds.length,
      row.seeds.join(' '),
      ...row.cells.flatMap((cell) => [csvNumber(cell.mean), csvNumber(cell.std)]),
      row.cells
        .filter((cell) => cell.best)
        .map((cell) => table2Columns.find((c) => c.id === cell.column)?.csv)
        .join(' '),
    ]),
  );
}
