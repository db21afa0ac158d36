/**
 * Reads a predictions CSV (header row; columns `score`, `label` and any attribute columns) into typed
 * arrays and grouping attributes. Written for a million rows: one pass over the text, quoted fields
 * (RFC 4180) handled, no per-row objects kept. Every refusal names the file, the line and the column.
 */
import { InputError } from '../input-error';
import type { GroupingAttribute } from './fairness-report';

export interface PredictionsCsvOptions {
  /** Categorical attribute columns, one group per distinct non-empty value. */
  readonly groupColumns?: readonly string[];
  /** A numeric age column, binarised into `<T` and `>=T`. */
  readonly ageColumn?: string;
  /** The age threshold T. Default 60. */
  readonly ageThreshold?: number;
  /** The file's name for messages. Default 'predictions'. */
  readonly file?: string;
}

export interface Predictions {
  readonly scores: Float64Array;
  readonly labels: Uint8Array;
  /** Categorical attributes in the order given, then the age attribute. */
  readonly attributes: readonly GroupingAttribute[];
  readonly header: readonly string[];
}

const numberPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value of a decimal number string, or null when it is not one (hex, Infinity, NaN, blanks are not). */
export function parseDecimal(text: string): number | null {
  if (!numberPattern.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

export function parsePredictionsCsv(text: string, options: PredictionsCsvOptions = {}): Predictions {
  const file = options.file ?? 'predictions';
  const ageThreshold = options.ageThreshold ?? 60;
  const fail = (line: number, message: string, field?: string): never => {
    throw new InputError(`${file}: line ${line}: ${message}`, field);
  };
  const records = csvRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, fail);
  const first = records.next();
  if (first.done === true) fail(1, 'the file is empty; expected a header with score,label');
  const header = (first.value as CsvRecord).fields.map((f) => f.trim());
  const column = (name: string, what: string): number => {
    const index = header.indexOf(name);
    if (index < 0) fail(1, `no column '${name}' (${what}); the header has ${header.map((h) => `'${h}'`).join(', ')}`);
    if (header.indexOf(name, index + 1) >= 0) fail(1, `column '${name}' appears twice in the header`);
    return index;
  };
  const scoreAt = column('score', 'needed');
  const labelAt = column('label', 'needed');
  const groupColumns = options.groupColumns ?? [];
  const groupAt = groupColumns.map((name) => column(name, 'given with --group'));
  const ageAt = options.ageColumn === undefined ? -1 : column(options.ageColumn, 'given with --age-column');

  let capacity = 1024;
  let scores = new Float64Array(capacity);
  let labels = new Uint8Array(capacity);
  let groupCodes = groupAt.map(() => new Int32Array(capacity));
  let ageCodes = new Int32Array(capacity);
  const groupValues = groupAt.map(() => new Map<string, number>());
  let n = 0;
  for (const { fields, line } of records) {
    if (fields.length === 1 && (fields[0] as string).trim() === '') continue;
    if (fields.length !== header.length) fail(line, `${fields.length} fields, but the header has ${header.length}`);
    if (n === capacity) {
      capacity *= 2;
      scores = grow(scores, capacity);
      labels = grow(labels, capacity);
      groupCodes = groupCodes.map((codes) => grow(codes, capacity));
      ageCodes = grow(ageCodes, capacity);
    }
    const scoreText = (fields[scoreAt] as string).trim();
    const score = parseDecimal(scoreText);
    if (score === null) fail(line, `column 'score': '${scoreText}' is not a finite number`, 'score');
    scores[n] = score as number;
    const labelText = (fields[labelAt] as string).trim();
    const label = parseDecimal(labelText);
    if (label !== 0 && label !== 1) fail(line, `column 'label': '${labelText}' is not 0 or 1`, 'label');
    labels[n] = label as number;
    for (let a = 0; a < groupAt.length; a++) {
      const value = (fields[groupAt[a] as number] as string).trim();
      const values = groupValues[a] as Map<string, number>;
      let code = -1;
      if (value !== '') {
        code = values.get(value) ?? values.size;
        if (code === values.size) values.set(value, code);
      }
      (groupCodes[a] as Int32Array)[n] = code;
    }
    if (ageAt >= 0) {
      const ageText = (fields[ageAt] as string).trim();
      let code = -1;
      if (ageText !== '') {
        const age = parseDecimal(ageText);
        if (age === null)
          fail(line, `column '${options.ageColumn}': '${ageText}' is not a number (an age)`, options.ageColumn);
        code = (age as number) < ageThreshold ? 0 : 1;
      }
      ageCodes[n] = code;
    }
    n++;
  }
  if (n === 0) fail(2, 'no prediction rows after the header');
  const attributes: GroupingAttribute[] = groupColumns.map((name, a) => ({
    name,
    codes: (groupCodes[a] as Int32Array).slice(0, n),
    values: [...(groupValues[a] as Map<string, number>).keys()],
  }));
  if (options.ageColumn !== undefined)
    attributes.push({
      name: options.ageColumn,
      codes: ageCodes.slice(0, n),
      values: [`<${ageThreshold}`, `>=${ageThreshold}`],
    });
  return { scores: scores.slice(0, n), labels: labels.slice(0, n), attributes, header };
}

function grow<T extends Float64Array | Uint8Array | Int32Array>(array: T, capacity: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(capacity);
  bigger.set(array);
  return bigger;
}

interface CsvRecord {
  readonly fields: string[];
  /** Line (1-based) where the record starts. */
  readonly line: number;
}

/**
 * The records of CSV text: comma-separated, `"` quoting with `""` for a quote, CRLF or LF line ends.
 * A line without quotes is split with indexOf (the fast path); a quoted one character by character.
 */
function* csvRecords(text: string, fail: (line: number, message: string) => never): Generator<CsvRecord> {
  let pos = 0;
  let line = 1;
  const length = text.length;
  let quote = -1;
  while (pos < length) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = length;
    // The next quote at or after pos, looked up again only once passed (a file without quotes is scanned once).
    if (quote !== Infinity && quote < pos) {
      quote = text.indexOf('"', pos);
      if (quote < 0) quote = Infinity;
    }
    const start = line;
    const fields: string[] = [];
    if (quote > lineEnd) {
      const end = lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
      let from = pos;
      for (;;) {
        const comma = text.indexOf(',', from);
        if (comma < 0 || comma >= end) {
          fields.push(text.slice(from, end));
          break;
        }
        fields.push(text.slice(from, comma));
        from = comma + 1;
      }
      pos = lineEnd + 1;
      line++;
    } else {
      let field = '';
      let quoted = false;
      for (;;) {
        if (pos >= length) {
          if (quoted) fail(start, 'a quoted field is not closed');
          fields.push(field);
          break;
        }
        const c = text[pos] as string;
        if (quoted) {
          if (c === '"') {
            if (text[pos + 1] === '"') {
              field += '"';
              pos += 2;
            } else {
              quoted = false;
              pos++;
            }
          } else {
            if (c === '\n') line++;
            field += c;
            pos++;
          }
        } else if (c === '"' && field.trim() === '') {
          quoted = true;
          field = '';
          pos++;
        } else if (c === ',') {
          fields.push(field);
          field = '';
          pos++;
        } else if (c === '\n' || (c === '\r' && text[pos + 1] === '\n')) {
          fields.push(field);
          pos += c === '\n' ? 1 : 2;
          line++;
          break;
        } else {
          field += c;
          pos++;
        }
      }
    }
    yield { fields, line: start };
  }
}
