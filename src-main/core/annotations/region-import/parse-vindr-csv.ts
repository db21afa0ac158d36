/**
 * VinDr-CXR `annotations_train.csv` / `annotations_test.csv`: one box per row,
 * `image_id,rad_id,class_name,x_min,y_min,x_max,y_max` (columns found by name, in any order, others such as
 * `class_id` ignored; `rad_id` optional). Coordinates are pixels of the original DICOM. Rows of "No finding"
 * have empty coordinates; rows of findings we do not annotate are counted by name without reading theirs.
 */
import { cell, coordinate, readCsvTable, requireColumn } from './csv-rows';
import { findingForName } from './finding-names';
import { RegionFileError } from './region-file-error';
import type { ParsedRegionFile, RegionRecord } from './region-record';

/**
 * @param text the file's contents
 * @param file names the file in error messages
 * @throws RegionFileError naming the line of the first malformed row
 */
export function parseVindrCsv(text: string, file: string): ParsedRegionFile {
  const table = readCsvTable(text, file);
  const imageColumn = requireColumn(table, 'image_id', file);
  const classColumn = requireColumn(table, 'class_name', file);
  const corners = (['x_min', 'y_min', 'x_max', 'y_max'] as const).map((name) => ({
    name,
    index: requireColumn(table, name, file),
  }));
  const readerColumn = table.header.indexOf('rad_id');
  const records: RegionRecord[] = [];
  const skippedFindings: Record<string, number> = {};
  for (const row of table.rows) {
    const imageKey = cell(row, imageColumn);
    const findingName = cell(row, classColumn);
    if (imageKey === '') throw new RegionFileError(file, `${file} line ${row.line}: image_id is empty`);
    if (findingName === '') throw new RegionFileError(file, `${file} line ${row.line}: class_name is empty`);
    const finding = findingForName('vindr-csv', findingName);
    if (finding === null) {
      skippedFindings[findingName] = (skippedFindings[findingName] ?? 0) + 1;
      continue;
    }
    const [x0, y0, x1, y1] = corners.map((c) => coordinate(row, c.index, c.name, file)) as [
      number,
      number,
      number,
      number,
    ];
    if (x1 < x0 || y1 < y0)
      throw new RegionFileError(
        file,
        `${file} line ${row.line}: x_max and y_max must not be less than x_min and y_min`,
      );
    const reader = readerColumn >= 0 ? cell(row, readerColumn) : '';
    records.push({
      imageKey,
      finding,
      findingName,
      region: { kind: 'box', x0, y0, x1, y1 },
      reader: reader === '' ? null : reader,
      imageSize: null,
      where: `line ${row.line}`,
    });
  }
  return { format: 'vindr-csv', records, skippedFindings };
}
