/**
 * CSV reading shared by the CSV region formats: csv-parse with the line of each row, header names normalised
 * for lookup, and a strict number reader that names the line and column it refuses.
 */
import { parse } from 'csv-parse/sync';
import { RegionFileError } from './region-file-error';

export interface CsvRow {
  readonly cells: readonly string[];
  /** 1-based line of the row in the file (the header is line 1 unless blank lines precede it). */
  readonly line: number;
}

export interface CsvTable {
  /** Header cells, trimmed, lower case. */
  readonly header: readonly string[];
  readonly rows: readonly CsvRow[];
}

interface ParsedWithInfo {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * Splits a CSV file into its header and rows. Rows may have more or fewer cells than the header (NIH's file
 * has trailing empty columns); blank lines are skipped; a byte-order mark is ignored.
 *
 * @throws RegionFileError when the text is not CSV (an unclosed quote) or has no header
 */
export function readCsvTable(text: string, file: string): CsvTable {
  let parsed: ParsedWithInfo[];
  try {
    // With `info: true` every record comes as { record, info }; csv-parse's types do not say so.
    parsed = parse(text, {
      info: true,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as ParsedWithInfo[];
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    const message = (err as Error).message.split('\n')[0] ?? 'unreadable';
    throw new RegionFileError(
      file,
      `${file}${typeof line === 'number' ? ` line ${line}` : ''}: not valid CSV: ${message}`,
    );
  }
  const [head, ...body] = parsed;
  if (!head) throw new RegionFileError(file, `${file}: the file is empty; expected a header line`);
  return {
    header: head.record.map((cell) => cell.trim().toLowerCase()),
    rows: body.map((r) => ({ cells: r.record, line: r.info.lines })),
  };
}

/** The index of a named column (lower case), or a RegionFileError naming the file and what it has. */
export function requireColumn(table: CsvTable, name: string, file: string): number {
  const index = table.header.indexOf(name);
  if (index < 0) {
    throw new RegionFileError(
      file,
      `${file} line 1: no '${name}' column; the header has ${table.header.filter((h) => h !== '').join(', ') || 'no names'}`,
    );
  }
  return index;
}

/** A row's cell, trimmed ('' when the row is short). */
export function cell(row: CsvRow, index: number): string {
  return (row.cells[index] ?? '').trim();
}

/**
 * A coordinate cell as a finite number (`12`, `12.5`, `-3`, `1e2`).
 *
 * @throws RegionFileError naming the file, line and column when the cell is empty or not a finite number
 */
export function coordinate(row: CsvRow, index: number, column: string, file: string): number {
  const raw = cell(row, index);
  const value = raw === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) {
    throw new RegionFileError(
      file,
      `${file} line ${row.line}: ${column} must be a finite number; got ${raw === '' ? 'an empty cell' : `'${raw}'`}`,
    );
  }
  return value;
}
