/**
 * Reads a predictions CSV (header row; columns `score`, `label` and any attribute columns) into typed
 * arrays and grouping attributes. Written for a million rows: one pass over the text, a line without quotes
 * scanned in place (no string per field), quoted fields (RFC 4180) handled, no per-row objects kept. Every
 * refusal names the file, the line and the column.
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
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) fail(1, 'the file is empty; expected a header with score,label');
  const first = quotedRecord(body, 0, 1, fail);
  const header = first.fields.map((f) => f.trim());
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
  const ageColumn = options.ageColumn;
  const ageAt = ageColumn === undefined ? -1 : column(ageColumn, 'given with --age-column');

  // What each column is: 0 ignored, 1 score, 2 label, 3 + a group column a, -1 age.
  const role = new Int32Array(header.length);
  role[scoreAt] = 1;
  role[labelAt] = 2;
  groupAt.forEach((at, a) => (role[at] = 3 + a));
  if (ageAt >= 0) role[ageAt] = -1;

  let capacity = 1024;
  let scores = new Float64Array(capacity);
  let labels = new Uint8Array(capacity);
  let groupCodes = groupAt.map(() => new Int32Array(capacity));
  let ageCodes = new Int32Array(capacity);
  const groupValues = groupAt.map(() => new Map<string, number>());
  const groupValueList: string[][] = groupAt.map(() => []);
  let n = 0;

  /** A group column's code of a trimmed value, a new one for a value not seen before. */
  const codeOf = (a: number, value: string): number => {
    if (value === '') return -1;
    const values = groupValues[a] as Map<string, number>;
    let code = values.get(value);
    if (code === undefined) {
      code = values.size;
      values.set(value, code);
      (groupValueList[a] as string[]).push(value);
    }
    return code;
  };
  const badScore = (line: number, value: string): never =>
    fail(line, `column 'score': '${value}' is not a finite number`, 'score');
  const badLabel = (line: number, value: string): never =>
    fail(line, `column 'label': '${value}' is not 0 or 1`, 'label');
  const badAge = (line: number, value: string): never =>
    fail(line, `column '${ageColumn}': '${value}' is not a number (an age)`, ageColumn);

  /** A record read as strings (quoted fields, or a line the fast path does not take). */
  const addFields = (fields: readonly string[], line: number): void => {
    if (fields.length === 1 && (fields[0] as string).trim() === '') return;
    if (fields.length !== header.length) fail(line, `${fields.length} fields, but the header has ${header.length}`);
    const scoreText = (fields[scoreAt] as string).trim();
    const score = parseDecimal(scoreText);
    if (score === null) badScore(line, scoreText);
    const labelText = (fields[labelAt] as string).trim();
    const label = parseDecimal(labelText);
    if (label !== 0 && label !== 1) badLabel(line, labelText);
    let age = -1;
    if (ageAt >= 0) {
      const ageText = (fields[ageAt] as string).trim();
      if (ageText !== '') {
        const value = parseDecimal(ageText);
        if (value === null) badAge(line, ageText);
        age = (value as number) < ageThreshold ? 0 : 1;
      }
    }
    ensure();
    scores[n] = score as number;
    labels[n] = label as number;
    for (let a = 0; a < groupAt.length; a++)
      (groupCodes[a] as Int32Array)[n] = codeOf(a, (fields[groupAt[a] as number] as string).trim());
    ageCodes[n] = age;
    n++;
  };
  const ensure = (): void => {
    if (n < capacity) return;
    capacity *= 2;
    scores = grow(scores, capacity);
    labels = grow(labels, capacity);
    groupCodes = groupCodes.map((codes) => grow(codes, capacity));
    ageCodes = grow(ageCodes, capacity);
  };

  // The rows: a line without quotes is scanned in place (no string per field, except a group value not seen
  // before); a line with a quote is read as a record of strings, which may span lines.
  const length = body.length;
  const starts = new Int32Array(header.length + 1);
  let pos = first.next;
  let line = first.nextLine;
  while (pos < length) {
    // One scan of the line: its commas (field c is [starts[c], starts[c + 1] - 1)), its end, any quote.
    let fields = 1;
    let quoted = false;
    let lineEnd = pos;
    starts[0] = pos;
    for (; lineEnd < length; lineEnd++) {
      const c = body.charCodeAt(lineEnd);
      if (c === 10) break;
      if (c === 44) {
        if (fields < header.length) starts[fields] = lineEnd + 1;
        fields++;
      } else if (c === 34) quoted = true;
    }
    if (quoted) {
      const record = quotedRecord(body, pos, line, fail);
      addFields(record.fields, line);
      pos = record.next;
      line = record.nextLine;
      continue;
    }
    const end = lineEnd > pos && body.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
    if (fields !== header.length) {
      addFields(body.slice(pos, end).split(','), line);
    } else {
      starts[header.length] = end + 1;
      ensure();
      let ok = true;
      for (let c = 0; c < header.length && ok; c++) {
        const r = role[c] as number;
        if (r === 0) continue;
        const a = starts[c] as number;
        const b = (starts[c + 1] as number) - 1;
        if (r === 1) {
          const score = plainDecimal(body, a, b);
          if (Number.isNaN(score)) ok = false;
          else scores[n] = score;
        } else if (r === 2) {
          const ch = b === a + 1 ? body.charCodeAt(a) : 0;
          if (ch === 48 || ch === 49) labels[n] = ch - 48;
          else ok = false;
        } else if (r === -1) {
          if (a === b) ageCodes[n] = -1;
          else {
            const age = plainDecimal(body, a, b);
            if (Number.isNaN(age)) ok = false;
            else ageCodes[n] = age < ageThreshold ? 0 : 1;
          }
        } else {
          const g = r - 3;
          const code = plainValueCode(body, a, b, groupValueList[g] as string[]);
          (groupCodes[g] as Int32Array)[n] = code === -2 ? codeOf(g, body.slice(a, b).trim()) : code;
        }
      }
      if (ok) n++;
      // Anything the scan does not take as it stands (signs, exponents, blanks, other labels): the string path,
      // which also words the refusals.
      else addFields(body.slice(pos, end).split(','), line);
    }
    pos = lineEnd + 1;
    line++;
  }
  if (n === 0) fail(2, 'no prediction rows after the header');
  const attributes: GroupingAttribute[] = groupColumns.map((name, a) => ({
    name,
    codes: (groupCodes[a] as Int32Array).slice(0, n),
    values: [...(groupValueList[a] as string[])],
  }));
  if (ageColumn !== undefined)
    attributes.push({
      name: ageColumn,
      codes: ageCodes.slice(0, n),
      values: [`<${ageThreshold}`, `>=${ageThreshold}`],
    });
  return { scores: scores.slice(0, n), labels: labels.slice(0, n), attributes, header };
}

/** 10^0 … 10^15, exact. */
const powersOfTen = Float64Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * The value of text[a, b) when it is digits with at most one point, at least one digit and at most 15 (so the
 * digits are an exact integer M and the value M / 10^f is one correctly rounded division, as `Number` gives);
 * else NaN (the caller then takes the string path).
 */
function plainDecimal(text: string, a: number, b: number): number {
  let mantissa = 0;
  let digits = 0;
  let point = -1;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
    } else if (c === 46 && point < 0) point = i;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const fraction = point < 0 ? 0 : b - point - 1;
  return fraction === 0 ? mantissa : mantissa / (powersOfTen[fraction] as number);
}

/**
 * The code of text[a, b) among the values seen so far, compared in place; -1 for an empty field; -2 where the
 * field is new, or may need trimming (its first or last character is not printable ASCII), or there are many
 * values: the caller then slices, trims and looks it up.
 */
function plainValueCode(text: string, a: number, b: number, values: readonly string[]): number {
  if (a === b) return -1;
  const firstChar = text.charCodeAt(a);
  const lastChar = text.charCodeAt(b - 1);
  if (firstChar <= 32 || firstChar >= 127 || lastChar <= 32 || lastChar >= 127 || values.length > 16) return -2;
  const length = b - a;
  for (let v = 0; v < values.length; v++) {
    const value = values[v] as string;
    if (value.length !== length) continue;
    let i = 0;
    while (i < length && value.charCodeAt(i) === text.charCodeAt(a + i)) i++;
    if (i === length) return v;
  }
  return -2;
}

function grow<T extends Float64Array | Uint8Array | Int32Array>(array: T, capacity: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(capacity);
  bigger.set(array);
  return bigger;
}

/**
 * One CSV record from `pos`, character by character: comma-separated, `"` quoting with `""` for a quote, CRLF or
 * LF line ends; a quoted field may span lines.
 *
 * @returns its fields, where the next record starts and that record's line (1-based)
 */
function quotedRecord(
  text: string,
  pos: number,
  line: number,
  fail: (line: number, message: string) => never,
): { fields: string[]; next: number; nextLine: number } {
  const start = line;
  const length = text.length;
  const fields: string[] = [];
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
  return { fields, next: pos, nextLine: line };
}
