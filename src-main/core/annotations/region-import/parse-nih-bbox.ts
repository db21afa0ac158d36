/**
 * NIH ChestX-ray14 `BBox_List_2017.csv`: one box per row, `Image Index,Finding Label,Bbox [x,y,w,h],,,` —
 * the four numbers are spread over the `Bbox` column and the three unnamed ones after it (re-saved copies
 * that name them `x,y,w,h` are read too). Coordinates are pixels of the 1024×1024 PNGs, (x, y) the top-left
 * corner.
 */
import { cell, coordinate, readCsvTable, requireColumn, type CsvTable } from './csv-rows';
import { findingForName } from './finding-names';
import { RegionFileError } from './region-file-error';
import type { ParsedRegionFile, RegionRecord } from './region-record';

/**
 * @param text the file's contents
 * @param file names the file in error messages
 * @throws RegionFileError naming the line of the first malformed row
 */
export function parseNihBboxCsv(text: string, file: string): ParsedRegionFile {
  const table = readCsvTable(text, file);
  const imageColumn = requireColumn(table, 'image index', file);
  const findingColumn = requireColumn(table, 'finding label', file);
  const box = boxColumns(table, file);
  const records: RegionRecord[] = [];
  const skippedFindings: Record<string, number> = {};
  for (const row of table.rows) {
    const imageKey = cell(row, imageColumn);
    const findingName = cell(row, findingColumn);
    if (imageKey === '') throw new RegionFileError(file, `${file} line ${row.line}: the Image Index is empty`);
    if (findingName === '') throw new RegionFileError(file, `${file} line ${row.line}: the Finding Label is empty`);
    const finding = findingForName('nih-bbox', findingName);
    if (finding === null) {
      skippedFindings[findingName] = (skippedFindings[findingName] ?? 0) + 1;
      continue;
    }
    const [x, y, w, h] = box.map((index, k) => coordinate(row, index, 'xywh'[k] ?? '', file)) as [
      number,
      number,
      number,
      number,
    ];
    if (w < 0 || h < 0)
      throw new RegionFileError(file, `${file} line ${row.line}: box width and height must not be negative`);
    records.push({
      imageKey,
      finding,
      findingName,
      region: { kind: 'box', x0: x, y0: y, x1: x + w, y1: y + h },
      reader: null,
      imageSize: null,
      where: `line ${row.line}`,
    });
  }
  return { format: 'nih-bbox', records, skippedFindings };
}

/** The columns of x, y, w and h: `Bbox [x,y,w,h]` and the three after it, or columns named x, y, w, h. */
function boxColumns(table: CsvTable, file: string): [number, number, number, number] {
  const bbox = table.header.findIndex((name) => name.startsWith('bbox'));
  if (bbox >= 0) return [bbox, bbox + 1, bbox + 2, bbox + 3];
  const named = ['x', 'y', 'w', 'h'].map((name) => table.header.indexOf(name));
  if (named.every((index) => index >= 0)) return named as [number, number, number, number];
  throw new RegionFileError(
    file,
    `${file} line 1: no 'Bbox [x,y,w,h]' column (nor x, y, w, h columns); is this NIH's BBox_List_2017.csv?`,
  );
}
