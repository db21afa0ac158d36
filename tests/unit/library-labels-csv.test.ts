import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createLabelIndex,
  LabelsCsvError,
  parseLabelsCsv,
  type LabelsCsvOptions,
  type LabelsCsvResult,
} from '../../src-main/core/library/labels-csv';
import { repoRoot } from '../helpers/paths';

const fixtures = join(repoRoot, 'tests', 'fixtures', 'csv');
const fixture = (name: string): Buffer => readFileSync(join(fixtures, name));
const parseFixture = (name: string, options: LabelsCsvOptions = {}): LabelsCsvResult =>
  parseLabelsCsv(fixture(name), { source: name, ...options });

function row(result: LabelsCsvResult, key: string) {
  const found = result.rows.find((r) => r.key === key);
  if (!found) throw new Error(`no row ${key}`);
  return found;
}

describe('NIH ChestX-ray14 Data_Entry_2017.csv', () => {
  const result = parseFixture('nih-data-entry-2017.csv');

  it('is recognised despite the unquoted brackets and trailing comma of its header', () => {
    expect(result.layout).toBe('nih');
    expect(result.headers.slice(0, 3)).toEqual(['Image Index', 'Finding Labels', 'Follow-up #']);
  });

  it('reads the label list: Mass counts as nodule, an absent finding is 0', () => {
    expect(row(result, '00000003_000.png')).toEqual({
      key: '00000003_000.png',
      patientId: '3',
      sex: 'F',
      age: 81,
      site: null,
      view: 'PA',
      labels: { nodule: 1, effusion: 1, edema: 0 },
      uncertain: [],
      line: 4,
    });
    expect(row(result, '00000004_000.png').labels).toEqual({ nodule: 0, effusion: 0, edema: 0 });
    expect(row(result, '00000001_000.png').labels).toEqual({ nodule: 0, effusion: 0, edema: 0 });
    expect(row(result, '00000005_000.png').labels).toEqual({ nodule: 1, effusion: 0, edema: 1 });
  });

  it('reads the old 082Y ages and leaves impossible ones unknown', () => {
    expect(row(result, '00000004_000.png').age).toBe(82);
    expect(row(result, '00000004_000.png').view).toBe('AP');
    expect(row(result, '00000005_000.png').age).toBeNull();
  });

  it('lists bad values, unknown labels and repeated images without stopping', () => {
    expect(result.rows.map((r) => r.key)).toEqual([
      '00000001_000.png',
      '00000001_001.png',
      '00000003_000.png',
      '00000004_000.png',
      '00000005_000.png',
      '00000006_000.png',
      '00000007_000.png',
    ]);
    expect(result.problems).toEqual([
      { line: 6, message: expect.stringMatching(/^Patient Age "414" is not an age/) },
      { line: 7, message: 'Finding Labels has unknown label(s) "efusion"; ignored' },
      { line: 8, message: 'Image Index "00000003_000.png" repeats line 4; row skipped' },
      { line: 9, message: expect.stringMatching(/^Patient Gender "X" is not a sex/) },
      { line: 9, message: 'Finding Labels is blank; findings left unlabelled' },
    ]);
    expect(row(result, '00000007_000.png')).toMatchObject({ sex: 'unknown', labels: {} });
  });
});

describe('CheXpert train.csv', () => {
  it('takes the patient from the path and reads 1.0 / 0.0 / blank', () => {
    const result = parseFixture('chexpert-train.csv');
    expect(result.layout).toBe('chexpert');
    expect(row(result, 'CheXpert-v1.0-small/train/patient00003/study1/view1_frontal.jpg')).toEqual({
      key: 'CheXpert-v1.0-small/train/patient00003/study1/view1_frontal.jpg',
      patientId: 'patient00003',
      sex: 'M',
      age: 41,
      site: null,
      view: 'PA',
      labels: { nodule: 0, effusion: 1, edema: 0 },
      uncertain: [],
      line: 6,
    });
    // Blank = not mentioned = unlabelled by default.
    expect(row(result, 'CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg').labels).toEqual({});
    expect(row(result, 'CheXpert-v1.0-small/train/patient00002/study1/view2_lateral.jpg')).toMatchObject({
      view: 'Lateral',
      labels: { effusion: 0, edema: 1 },
    });
  });

  it('leaves uncertain findings unlabelled by default and lists them', () => {
    const result = parseFixture('chexpert-train.csv');
    expect(row(result, 'CheXpert-v1.0-small/train/patient00002/study2/view1_frontal.jpg')).toMatchObject({
      labels: { nodule: 1 },
      uncertain: ['effusion', 'edema'],
    });
  });

  it('maps uncertain to positive or negative and blank to negative on request', () => {
    const key = 'CheXpert-v1.0-small/train/patient00002/study2/view1_frontal.jpg';
    const ones = row(parseFixture('chexpert-train.csv', { uncertain: 'positive' }), key);
    expect(ones).toMatchObject({ labels: { nodule: 1, effusion: 1, edema: 1 }, uncertain: ['effusion', 'edema'] });
    const zeros = row(parseFixture('chexpert-train.csv', { uncertain: 'negative' }), key);
    expect(zeros.labels).toEqual({ nodule: 1, effusion: 0, edema: 0 });
    const blanks = parseFixture('chexpert-train.csv', { blank: 'negative' });
    expect(row(blanks, 'CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg').labels).toEqual({
      nodule: 0,
      effusion: 0,
      edema: 0,
    });
  });

  it('reads Unknown sex and a blank age as unknown, and lists a bad label cell', () => {
    const result = parseFixture('chexpert-train.csv');
    expect(row(result, 'CheXpert-v1.0-small/train/patient00004/study1/view1_frontal.jpg')).toMatchObject({
      sex: 'unknown',
      age: null,
      labels: { effusion: 1 },
    });
    expect(result.problems).toEqual([
      { line: 7, message: 'Lung Lesion "yes" is not 1, 0, -1 or blank; read as blank' },
    ]);
  });
});

describe('MIMIC-CXR-JPG mimic-cxr-2.0.0-chexpert.csv', () => {
  const result = parseFixture('mimic-cxr-2.0.0-chexpert.csv');

  it('keys rows by study and has no demographics', () => {
    expect(result.layout).toBe('mimic');
    expect(row(result, '53189527')).toEqual({
      key: '53189527',
      patientId: '10000032',
      sex: 'unknown',
      age: null,
      site: null,
      view: null,
      labels: { edema: 1 },
      uncertain: ['effusion'],
      line: 3,
    });
    expect(row(result, '50771383').labels).toEqual({ nodule: 1, effusion: 0, edema: 0 });
    expect(result.problems).toEqual([{ line: 5, message: 'no study_id; row skipped' }]);
  });

  it('matches every image of a study by its sNNNNNNNN folder', () => {
    const index = createLabelIndex(result);
    expect(index.lookup('/data/mimic-cxr-jpg/2.0.0/files/p10/p10000032/s53189527/2a2277a9-b0ded155.jpg')?.key).toBe(
      '53189527',
    );
    expect(index.lookup('files\\p10\\p10000032\\s50414267\\02aa804e.jpg')?.patientId).toBe('10000032');
    expect(index.lookup('files/p10/p10000032/s99999999/x.jpg')).toBeUndefined();
    expect(index.lookup('files/p10/p10000032/x.jpg')).toBeUndefined();
  });
});

describe('Aligner simulator labels', () => {
  it('is recognised with a BOM, CRLF and quoted fields', () => {
    const result = parseFixture('aligner-labels.csv');
    expect(result.layout).toBe('aligner');
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([
      {
        key: 'images/site-a/sim 0001.dcm',
        patientId: 'SIM-0001',
        sex: 'F',
        age: 63,
        site: 'site-a',
        view: null,
        labels: { nodule: 1, effusion: 0, edema: 0 },
        uncertain: [],
        line: 2,
      },
      {
        key: 'images/site-a/with, comma.dcm',
        patientId: 'SIM-0002',
        sex: 'M',
        age: 41.5,
        site: 'site-a',
        view: null,
        labels: { nodule: 0, effusion: 1 },
        uncertain: [],
        line: 3,
      },
      {
        key: 'images/site-b/sim-0003.dcm',
        patientId: 'SIM-0003',
        sex: 'F',
        age: null,
        site: 'site-b',
        view: null,
        labels: { nodule: 0, effusion: 0, edema: 1 },
        uncertain: [],
        line: 4,
      },
    ]);
  });

  it('accepts text as well as bytes, and a header-only file', () => {
    const text = 'file,patient_id,sex,age,nodule,effusion,edema\n';
    expect(parseLabelsCsv(text)).toEqual({
      layout: 'aligner',
      headers: text.trim().split(','),
      rows: [],
      problems: [],
    });
  });
});

describe('custom column mapping', () => {
  const mapping = {
    file: 'filename',
    patientId: 'pid',
    sex: 'Gender',
    age: 'age_years',
    findings: { nodule: ['nodule_flag', 'mass_flag'], effusion: ['effusion_flag'] },
  };

  it('reads the mapped columns, combining several per finding', () => {
    const result = parseFixture('custom-labels.csv', { mapping });
    expect(result.layout).toBe('custom');
    expect(result.rows.map((r) => [r.key, r.patientId, r.sex, r.age, r.labels, r.uncertain])).toEqual([
      ['scans/a.png', 'p1', 'F', 70, { nodule: 1, effusion: 0 }, []],
      ['scans/b.png', 'p2', 'M', 45, { nodule: 0 }, ['effusion']],
      ['scans/c.png', 'p3', 'unknown', 50, {}, []],
    ]);
  });

  it('reads a label-list column', () => {
    const text = 'img;labels\nx.png;Mass|Effusion\ny.png;No Finding\n';
    const result = parseLabelsCsv(text, {
      delimiter: ';',
      mapping: { file: 'img', labelList: { column: 'labels' }, findings: { nodule: ['Mass'], effusion: ['Effusion'] } },
    });
    expect(result.rows.map((r) => r.labels)).toEqual([
      { nodule: 1, effusion: 1 },
      { nodule: 0, effusion: 0 },
    ]);
  });

  it('refuses mapped columns the header lacks, naming them and the headers seen', () => {
    const bad = { ...mapping, age: 'AGE', findings: { edema: ['edema_flag'] } };
    expect(() => parseFixture('custom-labels.csv', { mapping: bad })).toThrow(
      'custom-labels.csv: mapped columns "AGE" (age), "edema_flag" (findings.edema) not in the header; headers seen: "filename", "pid", "gender", "age_years", "nodule_flag", "mass_flag", "effusion_flag"',
    );
  });

  it('refuses an invalid mapping or options', () => {
    expect(() => parseFixture('custom-labels.csv', { mapping: { file: 'filename', findings: {} } })).toThrow(
      /custom-labels\.csv: invalid options \(mapping\.findings: map at least one finding\)/,
    );
    expect(() => parseFixture('custom-labels.csv', { mapping: { file: '', findings: { nodule: ['x'] } } })).toThrow(
      /mapping\.file: a column name must not be empty/,
    );
    expect(() =>
      parseFixture('custom-labels.csv', { mapping: { file: 'f', findings: { cardiomegaly: ['x'] } } as never }),
    ).toThrow(expect.objectContaining({ code: 'invalid_options' }));
    expect(() => parseFixture('custom-labels.csv', { uncertain: 'maybe' as never })).toThrow(/uncertain/);
  });
});

describe('unreadable input', () => {
  it('refuses an unknown header, listing the headers seen and the layouts tried', () => {
    const attempt = (): unknown => parseFixture('unknown-layout.csv');
    expect(attempt).toThrow(LabelsCsvError);
    expect(attempt).toThrow(
      /^unknown-layout\.csv: header matches no known labels layout and no column mapping was given; headers seen: "image", "label", "gender"; tried Aligner simulator \(missing "file", .*\), NIH ChestX-ray14 \(missing "Image Index", .*\), CheXpert \(missing "Path", .*\), MIMIC-CXR-JPG \(missing "subject_id", .*\)$/,
    );
    expect(attempt).toThrow(expect.objectContaining({ code: 'unknown_layout', source: 'unknown-layout.csv' }));
  });

  it('refuses an empty file', () => {
    expect(() => parseLabelsCsv('', { source: 'empty.csv' })).toThrow('empty.csv is empty: expected a header line');
    expect(() => parseLabelsCsv('\uFEFF\n\n')).toThrow(expect.objectContaining({ code: 'empty' }));
    expect(() => parseLabelsCsv('"file,sex\na.png,F\n', { source: 'q.csv' })).toThrow(
      'q.csv: a quote is never closed: lines 1–2 are one unreadable record, skipped',
    );
  });

  it('keeps a stray quote as written, and skips only what an unclosed quote swallows', () => {
    const result = parseFixture('malformed-quote.csv');
    expect(result.rows.map((r) => [r.key, r.patientId])).toEqual([
      ['a.png', 'P1'],
      ['b.png', '"P2"x'],
      ['c.png', 'P3'],
    ]);
    expect(result.problems).toEqual([
      { line: 3, message: 'patient_id ""P2"x" has a stray quote; read as written' },
      { line: 5, message: 'a quote is never closed: lines 5–6 are one unreadable record, skipped' },
    ]);
  });

  it('reads missing trailing cells as blank and says so', () => {
    const result = parseLabelsCsv('file,patient_id,sex,age,nodule,effusion,edema\na.png,P1,F\n');
    expect(result.rows[0]).toMatchObject({ key: 'a.png', sex: 'F', age: null, labels: {} });
    expect(result.problems).toEqual([
      { line: 2, message: 'row has 3 fields, fewer than the header; missing cells read as blank' },
    ]);
  });

  it('caps the problem list and counts the rest', () => {
    const lines = ['file,patient_id,sex,age,nodule,effusion,edema'];
    for (let i = 0; i < 5; i++) lines.push(`${i}.png,P${i},Q,40,1,0,0`);
    const result = parseLabelsCsv(lines.join('\n'), { maxProblems: 2 });
    expect(result.rows).toHaveLength(5);
    expect(result.problems).toHaveLength(3);
    expect(result.problems[2]).toEqual({ line: 4, message: '3 more problems not listed' });
  });
});

describe('createLabelIndex', () => {
  it('matches NIH files by name in any folder, with either separator', () => {
    const index = createLabelIndex(parseFixture('nih-data-entry-2017.csv'));
    expect(index.size).toBe(7);
    expect(index.lookup('/data/nih/images_001/images/00000003_000.png')?.patientId).toBe('3');
    expect(index.lookup('C:\\NIH\\images\\00000004_000.png')?.key).toBe('00000004_000.png');
    expect(index.lookup('00000001_000.png')?.key).toBe('00000001_000.png');
    expect(index.lookup('/data/nih/00000001_000.jpg')).toBeUndefined();
    expect(index.lookup('/data/nih/x00000001_000.png')).toBeUndefined();
  });

  it('matches CheXpert files by path suffix, also under a renamed root, never by an ambiguous end', () => {
    const index = createLabelIndex(parseFixture('chexpert-train.csv'));
    const key = 'CheXpert-v1.0-small/train/patient00002/study1/view1_frontal.jpg';
    expect(index.lookup(`/mnt/datasets/${key}`)?.key).toBe(key);
    expect(index.lookup(key)?.key).toBe(key);
    expect(index.lookup('D:\\chexpert\\train\\patient00002\\study1\\view1_frontal.jpg')?.key).toBe(key);
    expect(index.lookup('./patient00002/study1/view1_frontal.jpg')?.key).toBe(key);
    // Several rows end with study1/view1_frontal.jpg: no guess.
    expect(index.lookup('/elsewhere/study1/view1_frontal.jpg')).toBeUndefined();
    expect(index.lookup('/elsewhere/view1_frontal.jpg')).toBeUndefined();
    expect(index.lookup('/mnt/patient00009/study1/view1_frontal.jpg')).toBeUndefined();
  });

  it('prefers a whole key over the end of a longer one', () => {
    const result = parseLabelsCsv('file,patient_id,sex,age,nodule,effusion,edema\nx.png,,,,1,,\na/x.png,,,,0,,\n');
    const index = createLabelIndex(result);
    expect(index.lookup('/data/x.png')?.labels).toEqual({ nodule: 1 });
    expect(index.lookup('/data/a/x.png')?.labels).toEqual({ nodule: 0 });
  });
});
