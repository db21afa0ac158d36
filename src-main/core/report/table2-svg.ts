/**
 * Table 2 drawn as an SVG document (the Fairness view shows it as an HTML table; a report needs it as a figure
 * too): the rows of the chart builders' `table2Rows`, one block per source × attribute, best values in bold.
 */
import { attributeLabel } from '../evaluation/charts/common';
import { table2Columns, type Table2Row } from '../evaluation/charts/table2';
import { escapeMarkup } from './markup';

const rowHeight = 22;
const headerHeight = 30;
const titleHeight = 40;
const padding = 12;
const lead: readonly { label: string; width: number; text: (row: Table2Row) => string }[] = [
  { label: 'Source', width: 120, text: (row) => row.source },
  { label: 'Attribute', width: 80, text: (row) => attributeLabel(row.attribute) },
  { label: 'Condition', width: 200, text: (row) => `${row.condition} (n = ${row.runIds.length})` },
];
const metricWidth = 118;

export interface Table2Svg {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
}

/** The table as SVG, or null when it has no rows. */
export function table2Svg(rows: readonly Table2Row[], subtitle: string): Table2Svg | null {
  if (rows.length === 0) return null;
  const width = 2 * padding + lead.reduce((sum, c) => sum + c.width, 0) + table2Columns.length * metricWidth;
  const height = 2 * padding + titleHeight + headerHeight + rows.length * rowHeight;
  const parts: string[] = [];
  const text = (x: number, y: number, value: string, attrs = ''): void => {
    parts.push(`<text x="${x}" y="${y}"${attrs}>${escapeMarkup(value)}</text>`);
  };
  text(width / 2, padding + 16, 'Table 2 · Fairness gaps and hit rate, baseline vs human-aligned', ' class="t"');
  text(width / 2, padding + 32, subtitle, ' class="s"');
  const top = padding + titleHeight;
  let x = padding;
  const starts: number[] = [];
  for (const column of lead) {
    starts.push(x);
    text(x + 4, top + 19, column.label, ' class="h"');
    x += column.width;
  }
  for (const column of table2Columns) {
    starts.push(x);
    text(x + metricWidth - 6, top + 19, column.label, ' class="h" text-anchor="end"');
    x += metricWidth;
  }
  parts.push(line(padding, top + headerHeight, width - padding, '#333333'));
  rows.forEach((row, i) => {
    const y = top + headerHeight + i * rowHeight;
    const newBlock = i > 0 && (rows[i - 1]!.source !== row.source || rows[i - 1]!.attribute !== row.attribute);
    if (newBlock) parts.push(line(padding, y, width - padding, '#999999'));
    if (row.baseline)
      parts.push(`<rect x="${padding}" y="${y}" width="${width - 2 * padding}" height="${rowHeight}" fill="#f3f3f3"/>`);
    lead.forEach((column, k) => text(starts[k]! + 4, y + 15, column.text(row)));
    row.cells.forEach((cell, k) => {
      const right = starts[lead.length + k]! + metricWidth - 6;
      text(right, y + 15, cell.text, cell.best ? ' text-anchor="end" font-weight="bold"' : ' text-anchor="end"');
    });
  });
  parts.push(line(padding, top + headerHeight + rows.length * rowHeight, width - padding, '#333333'));
  const style =
    'text{font-family:sans-serif;font-size:12px;fill:#222222}.t{font-size:14px;font-weight:bold;text-anchor:middle}' +
    '.s{font-size:11px;fill:#555555;text-anchor:middle}.h{font-weight:bold}';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<style>${style}</style><rect width="${width}" height="${height}" fill="#ffffff"/>${parts.join('')}</svg>`;
  return { svg, width, height };
}

function line(x1: number, y: number, x2: number, colour: string): string {
  return `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${colour}" stroke-width="1"/>`;
}
