/**
 * Labels CSVs of public chest X-ray datasets (and of our simulator), read into one row shape, and matched to
 * imported image files.
 *
 * Layouts recognised from the header (column names compared without case or surrounding spaces):
 * - `nih`: NIH ChestX-ray14 `Data_Entry_2017.csv` (Image Index, Finding Labels, Patient ID, Patient Age,
 *   Patient Gender, View Position, …). Finding Labels is a `|`-separated list (`Effusion|Mass`, `No Finding`);
 *   nodule = Nodule or Mass, effusion = Effusion, edema = Edema; a finding absent from the list is 0.
 * - `chexpert`: CheXpert `train.csv` / `valid.csv` (Path, Sex, Age, Frontal/Lateral, AP/PA, the 14
 *   observations). nodule = Lung Lesion, effusion = Pleural Effusion, edema = Edema. Patient id from the
 *   path's `patientNNNNN` folder.
 * - `mimic`: MIMIC-CXR-JPG `mimic-cxr-2.0.0-chexpert.csv` (subject_id, study_id, the 14 observations). One
 *   row per *study*: every image of the study gets its labels. No sex or age (they live in MIMIC-IV).
 * - `aligner`: our simulator's `file, patient_id, sex, age, site, nodule, effusion, edema` (site optional).
 *
 * Label cells of CheXpert, MIMIC, `aligner` and custom column mappings: `1`/`1.0` positive, `0`/`0.0`
 * negative, `-1`/`-1.0` uncertain, blank = not mentioned. See {@link LabelsCsvOptions} for what uncertain and
 * blank become; by default neither is guessed.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { parseDicomAge, parseSex, maxPlausibleAgeYears, type Sex } from './demographics';
import { findingSchema, findings, type Finding } from './findings';

export type LabelLayout = 'nih' | 'chexpert' | 'mimic' | 'aligner' | 'custom';

export interface LabelRow {
  /**
   * What image files are matched by ({@link createLabelIndex}): a file name or relative path with `/`
   * separators, or for `mimic` the study_id digits.
   */
  readonly key: string;
  /** The dataset's patient id as written (pseudonymize before storing); null when the CSV has none. */
  readonly patientId: string | null;
  readonly sex: Sex;
  /** Years; null when missing or unreadable. */
  readonly age: number | null;
  readonly site: string | null;
  /** View position (PA, AP, Lateral, …) as written; null when the CSV has none. */
  readonly view: string | null;
  /** Findings with a known value; a finding left out is unlabelled. */
  readonly labels: Partial<Record<Finding, 0 | 1>>;
  /** Findings whose source value was uncertain (-1), whatever the uncertain policy made of them. */
  readonly uncertain: Finding[];
  /** Line of the row in the CSV, 1-based (the header is line 1). */
  readonly line: number;
}

/** A row or cell that was skipped or read as unknown; the rest of the file was still read. */
export interface LabelProblem {
  readonly line: number;
  readonly message: string;
}

export interface LabelsCsvResult {
  readonly layout: LabelLayout;
  readonly headers: string[];
  readonly rows: LabelRow[];
  readonly problems: LabelProblem[];
}

const columnName = z.string().trim().min(1, 'a column name must not be empty');

/**
 * Which columns hold what, for a CSV in none of the known layouts (`layout: 'custom'`). Column names are
 * compared without case or surrounding spaces; every named column must be in the header.
 */
export const columnMappingSchema = z
  .object({
    /** The image's file name or relative path. */
    file: columnName,
    patientId: columnName.optional(),
    sex: columnName.optional(),
    /** Years (`45`, `45.5`) or a DICOM age (`045Y`). */
    age: columnName.optional(),
    site: columnName.optional(),
    view: columnName.optional(),
    /**
     * Per finding, the 1/0/-1/blank columns it is read from (`{ nodule: ['Nodule', 'Mass'] }`); several are
     * combined as positive > uncertain > negative > blank. With `labelList`, the names in that list instead.
     */
    findings: z.partialRecord(findingSchema, z.array(columnName).min(1)),
    /** A single column holding a list of the positive findings' names (NIH style); absent names are 0. */
    labelList: z
      .object({ column: columnName, separator: z.string().min(1).default('|') })
      .strict()
      .optional(),
  })
  .strict()
  .refine((m) => Object.keys(m.findings).length > 0, { message: 'map at least one finding', path: ['findings'] });
export type ColumnMapping = z.input<typeof columnMappingSchema>;

export const labelsCsvOptionsSchema = z
  .object({
    /** Names the CSV in error messages (e.g. its path). Default `'labels CSV'`. */
    source: z.string().min(1).default('labels CSV'),
    /** Columns to read; default: detect the layout from the header. */
    mapping: columnMappingSchema.optional(),
    /**
     * What an uncertain (-1) cell becomes. `'exclude'` (default): unlabelled, so the image is not used for
     * that finding; `'positive'` (U-Ones) or `'negative'` (U-Zeros). Listed in `uncertain` in every case.
     */
    uncertain: z.enum(['exclude', 'positive', 'negative']).default('exclude'),
    /**
     * What a blank label cell (observation not mentioned) becomes. `'unlabelled'` (default) or
     * `'negative'`, as many CheXpert papers do. NIH label lists have no blanks: absent means 0.
     */
    blank: z.enum(['unlabelled', 'negative']).default('unlabelled'),
    /** Field separator. Default `','`. */
    delimiter: z.enum([',', ';', '\t']).default(','),
    /** Problems listed before the rest are only counted. Default 1000. */
    maxProblems: z.number().int().positive().default(1000),
  })
  .strict();
export type LabelsCsvOptions = z.input<typeof labelsCsvOptionsSchema>;
type ParsedOptions = z.output<typeof labelsCsvOptionsSchema>;

export type LabelsCsvErrorCode = 'invalid_options' | 'empty' | 'malformed' | 'unknown_layout' | 'missing_column';

/** A labels CSV that cannot be read at all. The message is one line and names the CSV. */
export class LabelsCsvError extends Error {
  constructor(
    readonly code: LabelsCsvErrorCode,
    readonly source: string,
    message: string,
  ) {
    super(message);
    this.name = 'LabelsCsvError';
  }
}

/** The columns one layout reads; view lists fallbacks, the first non-blank wins. */
interface ColumnPlan {
  readonly file: string;
  readonly patientId?: string;
  readonly sex?: string;
  readonly age?: string;
  readonly site?: string;
  readonly view?: readonly string[];
  readonly findings: Partial<Record<Finding, readonly string[]>>;
  readonly labelList?: { readonly column: string; readonly separator: string };
}

interface LayoutSpec {
  readonly layout: LabelLayout;
  readonly title: string;
  /** Columns that must all be present to recognise the layout. */
  readonly signature: readonly string[];
  readonly plan: ColumnPlan;
  readonly keyBy: 'path' | 'study';
  readonly patientIdFromKey?: (key: string) => string | null;
  /** For label lists: every name the dataset uses, to report typos. */
  readonly listVocabulary?: readonly string[];
}

const chexpertFindings = { nodule: ['Lung Lesion'], effusion: ['Pleural Effusion'], edema: ['Edema'] } as const;

const layouts: readonly LayoutSpec[] = [
  {
    layout: 'aligner',
    title: 'Aligner simulator',
    signature: ['file', 'patient_id', 'sex', 'age', 'nodule', 'effusion', 'edema'],
    plan: {
      file: 'file',
      patientId: 'patient_id',
      sex: 'sex',
      age: 'age',
      site: 'site',
      view: ['view'],
      findings: { nodule: ['nodule'], effusion: ['effusion'], edema: ['edema'] },
    },
    keyBy: 'path',
  },
  {
    layout: 'nih',
    title: 'NIH ChestX-ray14',
    signature: ['Image Index', 'Finding Labels', 'Patient ID', 'Patient Age', 'Patient Gender'],
    plan: {
      file: 'Image Index',
      patientId: 'Patient ID',
      sex: 'Patient Gender',
      age: 'Patient Age',
      view: ['View Position'],
      findings: { nodule: ['Nodule', 'Mass'], effusion: ['Effusion'], edema: ['Edema'] },
      labelList: { column: 'Finding Labels', separator: '|' },
    },
    keyBy: 'path',
    listVocabulary: (
      'No Finding|Atelectasis|Cardiomegaly|Consolidation|Edema|Effusion|Emphysema|Fibrosis|Hernia|Infiltration|' +
      'Mass|Nodule|Pleural_Thickening|Pneumonia|Pneumothorax'
    ).split('|'),
  },
  {
    layout: 'chexpert',
    title: 'CheXpert',
    signature: ['Path', 'Sex', 'Age', 'Lung Lesion', 'Pleural Effusion', 'Edema'],
    plan: { file: 'Path', sex: 'Sex', age: 'Age', view: ['AP/PA', 'Frontal/Lateral'], findings: chexpertFindings },
    keyBy: 'path',
    patientIdFromKey: (key) => /(?:^|\/)(patient\d+)(?:\/|$)/i.exec(key)?.[1] ?? null,
  },
  {
    layout: 'mimic',
    title: 'MIMIC-CXR-JPG',
    signature: ['subject_id', 'study_id', 'Lung Lesion', 'Pleural Effusion', 'Edema'],
    plan: { file: 'study_id', patientId: 'subject_id', findings: chexpertFindings },
    keyBy: 'study',
  },
];

/**
 * Reads a labels CSV: UTF-8 or UTF-16 with or without a BOM, quoted fields, any line ending.
 *
 * A row with a bad value is still read, with that value unknown or unlabelled, and the problem listed; a row
 * without a file key or repeating an earlier key is skipped (the first one counts) and listed.
 *
 * @param input the file's bytes or text.
 * @throws LabelsCsvError for invalid options, an empty file, a header that matches no known layout when no
 *   mapping is given (naming the headers seen and the layouts tried), or mapped columns not in the header.
 */
export function parseLabelsCsv(input: string | Uint8Array, options: LabelsCsvOptions = {}): LabelsCsvResult {
  const parsedOptions = labelsCsvOptionsSchema.safeParse(options);
  if (!parsedOptions.success) {
    const issues = parsedOptions.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
    const source = typeof options.source === 'string' && options.source !== '' ? options.source : 'labels CSV';
    throw new LabelsCsvError('invalid_options', source, `${source}: invalid options (${issues.join('; ')})`);
  }
  const opts = parsedOptions.data;
  const problems = new ProblemList(opts.maxProblems);
  const records = readRecords(input, opts, problems);
  const header = records.shift();
  if (!header) {
    const unreadable = problems.first();
    if (unreadable) throw new LabelsCsvError('malformed', opts.source, `${opts.source}: ${unreadable.message}`);
    throw new LabelsCsvError('empty', opts.source, `${opts.source} is empty: expected a header line`);
  }
  const headers = header.record.map((h) => h.trim());
  const columns = new Map<string, number>();
  headers.forEach((h, i) => {
    if (!columns.has(h.toLowerCase())) columns.set(h.toLowerCase(), i);
  });

  const spec = opts.mapping
    ? customSpec(opts.mapping, columns, headers, opts.source)
    : detectLayout(columns, headers, opts.source);
  const reader = new RowReader(spec, columns, opts, problems);
  const rows: LabelRow[] = [];
  for (const { record, line } of records) {
    const row = reader.read(record, line);
    if (row) rows.push(row);
  }
  return { layout: spec.layout, headers, rows, problems: problems.finish() };
}

interface NumberedRecord {
  readonly record: string[];
  readonly line: number;
}

function readRecords(input: string | Uint8Array, opts: ParsedOptions, problems: ProblemList): NumberedRecord[] {
  const skipped: { code: string | undefined; lines: number; message: string }[] = [];
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(input, {
      bom: true,
      delimiter: opts.delimiter,
      info: true,
      // A stray quote inside a field is kept as written (and reported by the row reader) instead of
      // derailing the parser for the rest of the file.
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        skipped.push({
          code: err?.code,
          lines: typeof err?.lines === 'number' ? err.lines : 0,
          message: err?.message ?? 'unknown error',
        });
        return undefined;
      },
    }) as unknown as typeof parsed;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new LabelsCsvError('malformed', opts.source, `${opts.source} is not a readable CSV: ${detail}`);
  }
  for (const skip of skipped) {
    if (skip.code === 'CSV_QUOTE_NOT_CLOSED') {
      // It swallowed everything after the last record read before it.
      const start = 1 + (parsed.findLast((r) => r.info.lines < skip.lines)?.info.lines ?? 0);
      problems.add(start, `a quote is never closed: lines ${start}–${skip.lines} are one unreadable record, skipped`);
    } else problems.add(skip.lines, `unreadable CSV record (${skip.message}); skipped`);
  }
  // info.lines is the line a record ends on; quoted fields may span lines.
  return parsed.map(({ record, info }) => {
    let inner = 0;
    for (const field of record) if (field.includes('\n')) inner += field.split('\n').length - 1;
    return { record, line: info.lines - inner };
  });
}

function detectLayout(columns: ReadonlyMap<string, number>, headers: string[], source: string): LayoutSpec {
  const tried: string[] = [];
  for (const spec of layouts) {
    const missing = spec.signature.filter((c) => !columns.has(c.toLowerCase()));
    if (missing.length === 0) return spec;
    tried.push(`${spec.title} (missing ${quoteList(missing)})`);
  }
  throw new LabelsCsvError(
    'unknown_layout',
    source,
    `${source}: header matches no known labels layout and no column mapping was given; headers seen: ${quoteList(headers, 30)}; tried ${tried.join(', ')}`,
  );
}

function customSpec(
  mapping: z.output<typeof columnMappingSchema>,
  columns: ReadonlyMap<string, number>,
  headers: string[],
  source: string,
): LayoutSpec {
  const { view, labelList, findings: findingColumns, ...single } = mapping;
  const named = Object.entries(single).flatMap(([field, column]): [string, string][] =>
    typeof column === 'string' ? [[column, field]] : [],
  );
  if (view) named.push([view, 'view']);
  if (labelList) named.push([labelList.column, 'labelList.column']);
  else for (const [f, cols] of Object.entries(findingColumns)) for (const c of cols) named.push([c, `findings.${f}`]);
  const missing = named.filter(([column]) => !columns.has(column.toLowerCase()));
  if (missing.length > 0) {
    throw new LabelsCsvError(
      'missing_column',
      source,
      `${source}: mapped column${missing.length > 1 ? 's' : ''} ${missing.map(([c, f]) => `"${c}" (${f})`).join(', ')} not in the header; headers seen: ${quoteList(headers, 30)}`,
    );
  }
  const plan: ColumnPlan = {
    ...single,
    findings: findingColumns,
    ...(view ? { view: [view] } : {}),
    ...(labelList ? { labelList } : {}),
  };
  return { layout: 'custom', title: 'custom mapping', signature: [], plan, keyBy: 'path' };
}

type Cell = 0 | 1 | 'uncertain' | 'blank';
const labelCellPattern = /^-?\d+(?:\.\d*)?$/;

/** Turns one CSV record into a row, reporting what it cannot read. */
class RowReader {
  private readonly seen = new Map<string, number>();
  /** Columns of the plan that are in the header. */
  private readonly used: string[];
  private readonly lastIndex: number;

  constructor(
    private readonly spec: LayoutSpec,
    private readonly columns: ReadonlyMap<string, number>,
    private readonly opts: ParsedOptions,
    private readonly problems: ProblemList,
  ) {
    const p = spec.plan;
    const named = [p.file, p.patientId, p.sex, p.age, p.site, ...(p.view ?? []), p.labelList?.column];
    if (!p.labelList) named.push(...Object.values(p.findings).flat());
    this.used = [...new Set(named)].filter((c): c is string => c !== undefined && this.index(c) !== undefined);
    this.lastIndex = Math.max(-1, ...this.used.map((c) => this.index(c) ?? -1));
  }

  read(record: string[], line: number): LabelRow | null {
    const p = this.spec.plan;
    const cell = (column: string | undefined): string => {
      const i = column === undefined ? undefined : this.index(column);
      return i === undefined ? '' : (record[i] ?? '').trim();
    };
    if (record.length <= this.lastIndex) {
      this.problems.add(line, `row has ${record.length} fields, fewer than the header; missing cells read as blank`);
    }
    const key = this.key(cell(p.file), line);
    if (key === null) return null;
    for (const column of this.used) {
      const raw = cell(column);
      if (raw.includes('"')) this.problems.add(line, `${column} "${raw}" has a stray quote; read as written`);
    }
    const patientId = cell(p.patientId) || (this.spec.patientIdFromKey?.(key) ?? null);
    const sex = this.sex(cell(p.sex), p.sex, line);
    const age = this.age(cell(p.age), p.age, line);
    const { labels, uncertain } = p.labelList
      ? this.labelsFromList(cell(p.labelList.column), line)
      : this.labelsFromColumns(cell, line);
    return {
      key,
      patientId,
      sex,
      age,
      site: cell(p.site) || null,
      view: p.view?.map(cell).find((v) => v !== '') ?? null,
      labels,
      uncertain,
      line,
    };
  }

  private index(column: string): number | undefined {
    return this.columns.get(column.toLowerCase());
  }

  private key(raw: string, line: number): string | null {
    const column = this.spec.plan.file;
    if (raw === '') {
      this.problems.add(line, `no ${column}; row skipped`);
      return null;
    }
    const key = this.spec.keyBy === 'study' ? (/^s?(\d+)$/i.exec(raw)?.[1] ?? null) : normalizePath(raw);
    if (key === null) {
      this.problems.add(line, `${column} "${raw}" is not a study id; row skipped`);
      return null;
    }
    const first = this.seen.get(key);
    if (first !== undefined) {
      this.problems.add(line, `${column} "${raw}" repeats line ${first}; row skipped`);
      return null;
    }
    this.seen.set(key, line);
    return key;
  }

  private sex(raw: string, column: string | undefined, line: number): Sex {
    const sex = parseSex(raw);
    if (sex !== null) return sex;
    this.problems.add(
      line,
      `${column} "${raw}" is not a sex (M, F, O, U, Male, Female, Other, Unknown); read as unknown`,
    );
    return 'unknown';
  }

  private age(raw: string, column: string | undefined, line: number): number | null {
    if (raw === '') return null;
    const years = /^\d+(?:\.\d+)?$/.test(raw) ? Number(raw) : parseDicomAge(raw);
    if (years !== null && years > 0 && years <= maxPlausibleAgeYears) return years;
    this.problems.add(
      line,
      `${column} "${raw}" is not an age in years (45) or a DICOM age (045Y) above 0 and up to ${maxPlausibleAgeYears}; read as unknown`,
    );
    return null;
  }

  private labelsFromColumns(cell: (column: string) => string, line: number): Pick<LabelRow, 'labels' | 'uncertain'> {
    const labels: Partial<Record<Finding, 0 | 1>> = {};
    const uncertain: Finding[] = [];
    for (const finding of findings) {
      const columns = this.spec.plan.findings[finding];
      if (!columns) continue;
      let combined: Cell = 'blank';
      for (const column of columns) combined = strongerCell(combined, this.labelCell(cell(column), column, line));
      if (combined === 'uncertain') {
        uncertain.push(finding);
        if (this.opts.uncertain !== 'exclude') labels[finding] = this.opts.uncertain === 'positive' ? 1 : 0;
      } else if (combined === 'blank') {
        if (this.opts.blank === 'negative') labels[finding] = 0;
      } else labels[finding] = combined;
    }
    return { labels, uncertain };
  }

  private labelCell(raw: string, column: string, line: number): Cell {
    if (raw === '') return 'blank';
    const value = labelCellPattern.test(raw) ? Number(raw) : NaN;
    if (value === 1 || value === 0) return value;
    if (value === -1) return 'uncertain';
    this.problems.add(line, `${column} "${raw}" is not 1, 0, -1 or blank; read as blank`);
    return 'blank';
  }

  private labelsFromList(raw: string, line: number): Pick<LabelRow, 'labels' | 'uncertain'> {
    const list = this.spec.plan.labelList;
    const labels: Partial<Record<Finding, 0 | 1>> = {};
    if (!list) return { labels, uncertain: [] };
    if (raw === '') {
      this.problems.add(line, `${list.column} is blank; findings left unlabelled`);
      return { labels, uncertain: [] };
    }
    const names = new Set(
      raw
        .split(list.separator)
        .map((n) => n.trim().toLowerCase())
        .filter((n) => n !== ''),
    );
    for (const finding of findings) {
      const wanted = this.spec.plan.findings[finding];
      if (wanted) labels[finding] = wanted.some((n) => names.has(n.toLowerCase())) ? 1 : 0;
    }
    const vocabulary = this.spec.listVocabulary?.map((n) => n.toLowerCase());
    const unknown = vocabulary ? [...names].filter((n) => !vocabulary.includes(n)) : [];
    if (unknown.length > 0)
      this.problems.add(line, `${list.column} has unknown label(s) ${quoteList(unknown)}; ignored`);
    return { labels, uncertain: [] };
  }
}

/** Combines the cells of several columns for one finding: positive > uncertain > negative > blank. */
function strongerCell(a: Cell, b: Cell): Cell {
  const rank = (c: Cell): number => (c === 1 ? 3 : c === 'uncertain' ? 2 : c === 0 ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

class ProblemList {
  private readonly list: LabelProblem[] = [];
  private omitted = 0;
  private firstOmittedLine = 0;

  constructor(private readonly max: number) {}

  add(line: number, message: string): void {
    if (this.list.length < this.max) this.list.push({ line, message });
    else if (this.omitted++ === 0) this.firstOmittedLine = line;
  }

  first(): LabelProblem | undefined {
    return this.list[0];
  }

  /** The problems in line order (the parser reports its own before the rows'), then the count left out. */
  finish(): LabelProblem[] {
    const sorted = [...this.list].sort((a, b) => a.line - b.line);
    if (this.omitted === 0) return sorted;
    return [...sorted, { line: this.firstOmittedLine, message: `${this.omitted} more problems not listed` }];
  }
}

/** `/`-separated, no `./` or `/` in front, no doubled separators. */
function normalizePath(path: string): string {
  return path
    .trim()
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/^(?:\.\/|\/)+/, '');
}

function quoteList(names: readonly string[], max = Infinity): string {
  const shown = names.slice(0, max).map((n) => `"${n}"`);
  if (names.length > max) shown.push(`… ${names.length - max} more`);
  return shown.join(', ');
}

export interface LabelIndex {
  readonly layout: LabelLayout;
  /** Rows indexed. */
  readonly size: number;
  /** The row an image file belongs to, or undefined when none (or more than one) matches. */
  lookup(filePath: string): LabelRow | undefined;
}

/**
 * Matches image files to the rows of a labels CSV.
 *
 * - `mimic`: by study: the file's last `sNNNNNNNN` folder (MIMIC-CXR's `files/p10/p10000032/s50414267/…jpg`)
 *   is the study_id.
 * - every other layout: by path suffix, compared by whole `/`- or `\`-separated segments, case-sensitive.
 *   The longest suffix of the file's path that is a row's key, or the end of exactly one row's key, wins: an
 *   NIH key `00000001_000.png` matches any folder; CheXpert's `CheXpert-v1.0/train/patient00001/study1/
 *   view1_frontal.jpg` matches that file under any root, also when the top folder was renamed
 *   (`train/patient00001/…` is unique), while `study1/view1_frontal.jpg` alone matches nothing, as thousands
 *   of rows end with it.
 */
export function createLabelIndex(result: Pick<LabelsCsvResult, 'layout' | 'rows'>): LabelIndex {
  const base = { layout: result.layout, size: result.rows.length };
  if (result.layout === 'mimic') {
    const byStudy = new Map(result.rows.map((row) => [row.key, row]));
    return {
      ...base,
      lookup: (filePath) => {
        const study = segments(filePath).findLast((s) => /^s\d+$/.test(s));
        return study === undefined ? undefined : byStudy.get(study.slice(1));
      },
    };
  }
  const exact = new Map<string, LabelRow>();
  /** null: the ends of several keys. */
  const partial = new Map<string, LabelRow | null>();
  let depth = 0;
  for (const row of result.rows) {
    const key = segments(row.key).join('/');
    exact.set(key, row);
    let depthOfRow = 1;
    for (let slash = key.indexOf('/'); slash !== -1; slash = key.indexOf('/', slash + 1)) {
      const suffix = key.slice(slash + 1);
      partial.set(suffix, partial.has(suffix) ? null : row);
      depthOfRow++;
    }
    depth = Math.max(depth, depthOfRow);
  }
  return {
    ...base,
    lookup: (filePath) => {
      const parts = segments(filePath);
      for (let i = Math.max(0, parts.length - depth); i < parts.length; i++) {
        const suffix = parts.slice(i).join('/');
        const hit = exact.get(suffix) ?? partial.get(suffix);
        if (hit !== undefined) return hit ?? undefined;
      }
      return undefined;
    },
  };
}

function segments(path: string): string[] {
  return normalizePath(path)
    .split('/')
    .filter((s) => s !== '' && s !== '.');
}
