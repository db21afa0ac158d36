import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, parseDicom } from '../../src-main/core/dicom';
import { openWorkspace } from '../../src-main/core/db/open-workspace';
import { importPaths } from '../../src-main/core/library/import/import-job';
import { parseLabelsCsv } from '../../src-main/core/library/labels-csv';
import { decodeRasterImage } from '../../src-main/core/library/raster-image';
import {
  decodeRle,
  generateCohort,
  rasterizePolygon,
  type AnnotationsFile,
  type CohortOptionsInput,
  type CohortSummary,
} from '../../src-main/core/simulator';
import { referencePython, requireTool } from '../helpers/dicom-corpus';
import { tempDir } from '../helpers/paths';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir('aligner-sim-');
});
afterAll(() => dir.remove());

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const readAnnotations = (out: string): AnnotationsFile =>
  JSON.parse(readFileSync(join(out, 'annotations.json'), 'utf8')) as AnnotationsFile;
const imageFiles = (out: string): string[] =>
  readdirSync(out)
    .filter((f) => /\.(dcm|png)$/.test(f))
    .sort();

/** 4-sigma half-width of a binomial proportion p from n draws. */
const sigma4 = (p: number, n: number): number => 4 * Math.sqrt((p * (1 - p)) / n);

async function cohort(name: string, options: Omit<CohortOptionsInput, 'out'>): Promise<CohortSummary> {
  return generateCohort({ ...options, out: join(dir.path, name) });
}

describe('determinism', () => {
  it('gives byte-identical files (images, twins, labels.csv, annotations.json) for the same seed and options', async () => {
    const options = { n: 10, size: 256, seed: 'same', annotateFraction: 1, annotators: 2, prevalence: 0.5 } as const;
    const a = await generateCohort({
      ...options,
      out: join(dir.path, 'det-a'),
      twinsDir: join(dir.path, 'det-a-twins'),
    });
    const b = await generateCohort({
      ...options,
      out: join(dir.path, 'det-b'),
      twinsDir: join(dir.path, 'det-b-twins'),
    });
    const names = readdirSync(a.out).sort();
    expect(names).toEqual(readdirSync(b.out).sort());
    expect(names).toEqual(expect.arrayContaining(['labels.csv', 'annotations.json', 'riverside-00001.dcm']));
    expect(names).toHaveLength(12);
    for (const name of names) expect(sha256(join(a.out, name)), name).toBe(sha256(join(b.out, name)));
    for (const name of readdirSync(a.twinsDir ?? '')) {
      expect(sha256(join(a.twinsDir ?? '', name)), name).toBe(sha256(join(b.twinsDir ?? '', name)));
    }
    const other = await cohort('det-other', { ...options, seed: 'other' });
    for (const name of imageFiles(a.out)) expect(sha256(join(other.out, name))).not.toBe(sha256(join(a.out, name)));
  });

  it('gives byte-identical PNG cohorts too', async () => {
    const a = await cohort('png-a', { n: 4, size: 128, format: 'png', seed: 'png' });
    const b = await cohort('png-b', { n: 4, size: 128, format: 'png', seed: 'png' });
    for (const name of readdirSync(a.out)) expect(sha256(join(a.out, name)), name).toBe(sha256(join(b.out, name)));
  });

  it('refuses a folder that is not empty and a twins folder inside the output', async () => {
    await expect(cohort('det-a', { n: 1 })).rejects.toThrow(/is not empty/);
    await expect(
      generateCohort({ n: 1, out: join(dir.path, 'nest'), twinsDir: join(dir.path, 'nest', 'twins') }),
    ).rejects.toThrow(/twins folder/);
  });
});

/** Our reader's header must agree with the labels CSV and annotations.json. */
interface ValidityCase {
  readonly name: string;
  readonly options: Omit<CohortOptionsInput, 'out'>;
  readonly modality: 'DX' | 'CR';
  readonly photometric: 'MONOCHROME1' | 'MONOCHROME2';
}

const validityCases: ValidityCase[] = [
  { name: 'valid-dx', options: { n: 10, size: 256, site: 'riverside' }, modality: 'DX', photometric: 'MONOCHROME2' },
  {
    name: 'valid-cr-mono1',
    options: { n: 10, size: 192, site: 'lakeside', photometric: 'MONOCHROME1', findings: ['effusion'] },
    modality: 'CR',
    photometric: 'MONOCHROME1',
  },
];

/** Checks every element's value against its VR with pydicom (RAISE) and prints the pixel data's SHA-256. */
const pydicomCheck = `
import sys, hashlib, pydicom
from pydicom import config
from pydicom.multival import MultiValue
from pydicom.valuerep import validate_value
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path)
    problems = []
    for el in list(ds.file_meta) + list(ds.iterall()):
        if el.VR in ('SQ', 'OB', 'OW', 'UN'):
            continue
        values = el.value if isinstance(el.value, (list, MultiValue)) else [el.value]
        for v in values:
            try:
                validate_value(el.VR, v, config.RAISE)
            except Exception as e:
                problems.append(f'{el.tag} {el.VR}: {e}')
    pixels = ds.pixel_array.astype('<u2').tobytes()
    print(path, hashlib.sha256(pixels).hexdigest(), '|'.join(problems) or 'ok')
`;

describe('validity', () => {
  it.each(validityCases)('$name: dcmdump and pydicom read every file cleanly; our reader agrees', async (c) => {
    requireTool('dcmdump');
    const summary = await cohort(c.name, c.options);
    const files = imageFiles(summary.out).map((f) => join(summary.out, f));
    expect(files).toHaveLength(c.options.n ?? 0);
    for (const file of files) {
      const run = spawnSync('dcmdump', [file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(run.status, file).toBe(0);
      expect(run.stderr, file).toBe('');
    }
    const python = spawnSync(referencePython, ['-c', pydicomCheck, ...files], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(python.status, python.stderr).toBe(0);
    // One line per file: path, SHA-256 of the pixel data as pydicom decodes it, 'ok' or the problems.
    const pydicom = new Map(
      python.stdout
        .trim()
        .split('\n')
        .map((line) => {
          const [path, hash, problems] = line.split(' ');
          return [path, { hash, problems }] as const;
        }),
    );
    expect(pydicom.size).toBe(files.length);
    const labels = parseLabelsCsv(readFileSync(join(summary.out, 'labels.csv')));
    expect(labels.layout).toBe('aligner');
    const annotations = readAnnotations(summary.out);
    for (const file of files) {
      const parsed = parseDicom(new Uint8Array(readFileSync(file)));
      const stored = await decodeFrame(parsed);
      const ours = createHash('sha256')
        .update(Buffer.from(Uint16Array.from(stored.values).buffer))
        .digest('hex');
      expect(pydicom.get(file)).toEqual({ hash: ours, problems: 'ok' });
      const name = file.slice(summary.out.length + 1);
      const row = labels.rows.find((r) => r.key === name);
      const entry = annotations.images.find((i) => i.file === name);
      expect(parsed.meta).toMatchObject({
        patientId: row?.patientId,
        patientSex: row?.sex,
        patientAge: `${String(row?.age).padStart(3, '0')}Y`,
        modality: c.modality,
        photometricInterpretation: c.photometric,
        rows: entry?.height,
        columns: entry?.width,
        bitsAllocated: 16,
        bitsStored: 12,
        viewPosition: 'PA',
        institutionName: annotations.site.institutionName,
      });
      expect(parsed.meta.sopInstanceUid).toMatch(/^2\.25\.\d+$/);
    }
    const uids = new Set(files.map((f) => parseDicom(new Uint8Array(readFileSync(f))).meta.sopInstanceUid));
    expect(uids.size).toBe(files.length);
  });

  it('imports every DICOM and PNG file through the normal import path, with the labels CSV', async () => {
    const dicom = await cohort('import-dicom', { n: 12, size: 256, seed: 'imp', prevalence: 0.5 });
    const png = await cohort('import-png', { n: 6, size: 128, seed: 'imp', format: 'png', site: 'summit' });
    const ws = openWorkspace(join(dir.path, 'import.db'));
    try {
      for (const [summary, role] of [
        [dicom, 'train'],
        [png, 'ood-test'],
      ] as const) {
        const result = await importPaths(ws, [summary.out], {
          source: summary.site,
          role,
          labelsCsv: join(summary.out, 'labels.csv'),
        });
        expect(result).toMatchObject({ imported: summary.files.length, duplicates: 0, failed: [], labelProblems: [] });
        const rows = parseLabelsCsv(readFileSync(join(summary.out, 'labels.csv'))).rows;
        const stored = ws.db
          .prepare(
            `SELECT i.original_name AS file, i.sex, i.age_years AS age, l.finding, l.value
             FROM images i JOIN sources s ON s.id = i.source_id LEFT JOIN labels l ON l.image_id = i.id
             WHERE s.name = ?`,
          )
          .all(summary.site) as {
          file: string;
          sex: string;
          age: number;
          finding: string | null;
          value: number | null;
        }[];
        for (const row of rows) {
          const mine = stored.filter((s) => s.file === row.key);
          expect(mine.length, row.key).toBeGreaterThan(0);
          expect(mine[0]).toMatchObject({ sex: row.sex, age: row.age });
          for (const [finding, value] of Object.entries(row.labels)) {
            expect(mine.find((m) => m.finding === finding)?.value, `${row.key} ${finding}`).toBe(value);
          }
        }
      }
    } finally {
      ws.close();
    }
    // The PNGs are 16-bit and carry the 12-bit values scaled up.
    const first = await decodeRasterImage(new Uint8Array(readFileSync(join(png.out, png.files[0] ?? ''))));
    expect(first.bitDepth).toBe(16);
  });
});

describe('labels and annotations', () => {
  it('annotate only positives, with polygons inside the image that cover their true regions', async () => {
    const annotateFraction = 0.6;
    const summary = await cohort('consistency', {
      n: 160,
      size: 192,
      seed: 'consistent',
      annotateFraction,
      annotators: 2,
      prevalence: 0.4,
    });
    const file = readAnnotations(summary.out);
    const csv = parseLabelsCsv(readFileSync(join(summary.out, 'labels.csv')));
    expect(file.images.map((i) => i.file)).toEqual(csv.rows.map((r) => r.key));
    let positiveImages = 0;
    let annotatedImages = 0;
    for (const [k, image] of file.images.entries()) {
      const row = csv.rows[k];
      const positive = Object.values(image.findings).some((f) => f.label === 1);
      if (positive) positiveImages++;
      if (image.annotated) annotatedImages++;
      expect(image.annotated && !positive, image.file).toBe(false);
      for (const [finding, entry] of Object.entries(image.findings)) {
        expect(row?.labels[finding as 'nodule'], `${image.file} ${finding}`).toBe(entry.label);
        if (entry.label === 0) {
          expect(entry.truth).toBeNull();
          expect(entry.annotations).toEqual([]);
          continue;
        }
        const truth = decodeRle(entry.truth?.rle ?? { size: [0, 0], counts: [] });
        const area = truth.reduce((a, b) => a + b, 0);
        expect(area).toBe(entry.truth?.area);
        expect(area).toBeGreaterThan(0);
        if (!image.annotated) {
          expect(entry.annotations).toEqual([]);
          continue;
        }
        const readers = new Set(entry.annotations.map((a) => a.annotator));
        expect(readers.size).toBe(2);
        for (const reader of readers) {
          const covered = new Uint8Array(truth.length);
          for (const a of entry.annotations.filter((x) => x.annotator === reader)) {
            expect(a.polygon.length).toBeGreaterThanOrEqual(3);
            for (const [x, y] of a.polygon) {
              expect(x).toBeGreaterThanOrEqual(0);
              expect(y).toBeGreaterThanOrEqual(0);
              expect(x).toBeLessThanOrEqual(image.width);
              expect(y).toBeLessThanOrEqual(image.height);
            }
            const drawn = rasterizePolygon(a.polygon, image.width, image.height);
            let overlap = 0;
            for (let i = 0; i < drawn.length; i++) {
              overlap += (drawn[i] as number) & (truth[i] as number);
              covered[i] = (covered[i] as number) | (drawn[i] as number);
            }
            expect(overlap, `${image.file} ${finding} ${reader}`).toBeGreaterThan(0);
          }
          let inside = 0;
          for (let i = 0; i < truth.length; i++) inside += (covered[i] as number) & (truth[i] as number);
          // A reader's polygons, slightly larger than the regions, cover nearly all of them.
          expect(inside / area, `${image.file} ${finding} ${reader}`).toBeGreaterThan(0.8);
        }
      }
    }
    expect(positiveImages).toBeGreaterThan(40);
    expect(Math.abs(annotatedImages / positiveImages - annotateFraction)).toBeLessThan(
      sigma4(annotateFraction, positiveImages),
    );
    expect(summary).toMatchObject({ positiveImages, annotatedImages });
  });

  it('draws sex, age and each finding at the requested frequencies (binomial 4-sigma bounds)', async () => {
    const n = 600;
    const prevalence = { nodule: 0.4, effusion: 0.2, edema: 0.1 };
    const femaleFraction = 0.3;
    const summary = await cohort('frequencies', {
      n,
      size: 128,
      seed: 'freq',
      femaleFraction,
      ageRange: [30, 70],
      prevalence,
    });
    const rows = parseLabelsCsv(readFileSync(join(summary.out, 'labels.csv'))).rows;
    expect(rows).toHaveLength(n);
    const women = rows.filter((r) => r.sex === 'F').length;
    expect(women + rows.filter((r) => r.sex === 'M').length).toBe(n);
    expect(Math.abs(women / n - femaleFraction)).toBeLessThan(sigma4(femaleFraction, n));
    const ages = rows.map((r) => r.age ?? NaN);
    expect(ages.every((a) => Number.isInteger(a) && a >= 30 && a <= 70)).toBe(true);
    // Uniform on 30..70: mean 50, sd √((41² − 1) / 12).
    const meanAge = ages.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(meanAge - 50)).toBeLessThan((4 * Math.sqrt((41 ** 2 - 1) / 12)) / Math.sqrt(n));
    for (const [finding, p] of Object.entries(prevalence)) {
      const positives = rows.filter((r) => r.labels[finding as 'nodule'] === 1).length;
      expect(rows.every((r) => r.labels[finding as 'nodule'] !== undefined)).toBe(true);
      expect(Math.abs(positives / n - p), finding).toBeLessThan(sigma4(p, n));
      expect(summary.prevalence[finding as 'nodule']).toBeCloseTo(positives / n, 4);
    }
    expect(summary.sexCounts).toEqual({ F: women, M: n - women });
  });

  it('leaves the label cells of findings it does not simulate blank, which import reads as unlabelled', async () => {
    const summary = await cohort('one-finding', { n: 5, size: 128, findings: ['effusion'] });
    const text = readFileSync(join(summary.out, 'labels.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('file,patient_id,sex,age,site,nodule,effusion,edema');
    expect(text.split('\n')[1]).toMatch(/^riverside-00001\.dcm,[^,]+,[MF],\d+,riverside,,[01],$/);
    const parsed = parseLabelsCsv(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows.every((r) => Object.keys(r.labels).join() === 'effusion')).toBe(true);
  });
});

/**
 * The marker seen from the pixels alone: near-saturated pixels (≥ 90 % of full scale on the display scale) in
 * the upper-left window, minus those in the mirrored upper-right window, which no marker ever occupies. A
 * marker puts its whole glyph (17 of 5 × 7 cells) there; anatomy is never that bright.
 */
function markerFromPixels(display: ArrayLike<number>, size: number, glyphArea: number): boolean {
  const window = Math.round(0.2 * size);
  let left = 0;
  let right = 0;
  for (let y = 0; y < window; y++)
    for (let x = 0; x < window; x++) {
      if ((display[y * size + x] as number) >= 0.9 * 4095) left++;
      if ((display[y * size + size - 1 - x] as number) >= 0.9 * 4095) right++;
    }
  return left - right >= 0.5 * glyphArea;
}

interface Observed {
  readonly inGroup: boolean;
  readonly label: 0 | 1;
  readonly marker: boolean;
}

/** Decodes every image, detects the marker, and checks it against annotations.json. */
async function observeMarkers(summary: CohortSummary, markerSize = 0.055): Promise<Observed[]> {
  const file = readAnnotations(summary.out);
  const cell = Math.max(2, Math.round((markerSize * summary.size) / 7));
  const observed: Observed[] = [];
  for (const image of file.images) {
    const parsed = parseDicom(new Uint8Array(readFileSync(join(summary.out, image.file))));
    const stored = await decodeFrame(parsed);
    const display =
      stored.photometric === 'MONOCHROME1' ? Array.from(stored.values, (v) => 4095 - v) : Array.from(stored.values);
    const marker = markerFromPixels(display, image.width, 17 * cell * cell);
    expect(marker, image.file).toBe(image.shortcut.present);
    observed.push({ inGroup: image.shortcutSubgroup, label: image.findings.nodule?.label ?? 0, marker });
  }
  return observed;
}

/**
 * Checks P(marker | +) − P(marker | −) in one subgroup against what was asked: P(marker | +) = tpr and
 * P(marker | −) = fpr, within 4 sigma.
 */
function expectInformedness(observed: readonly Observed[], tpr: number, fpr: number, what: string): void {
  const positives = observed.filter((o) => o.label === 1);
  const negatives = observed.filter((o) => o.label === 0);
  expect(positives.length, what).toBeGreaterThan(20);
  expect(negatives.length, what).toBeGreaterThan(20);
  const seenTpr = positives.filter((o) => o.marker).length / positives.length;
  const seenFpr = negatives.filter((o) => o.marker).length / negatives.length;
  const bound = 4 * Math.sqrt((tpr * (1 - tpr)) / positives.length + (fpr * (1 - fpr)) / negatives.length) + 1e-9;
  expect(Math.abs(seenTpr - seenFpr - (tpr - fpr)), `${what}: observed ${seenTpr} − ${seenFpr}`).toBeLessThan(bound);
}

describe('the shortcut', () => {
  it('follows the label in women at the requested strength and is random in men at a training site', async () => {
    const k = 0.7;
    const q = 0.5;
    const summary = await cohort('shortcut-train', {
      n: 360,
      size: 192,
      seed: 'train',
      site: 'hillcrest',
      findings: ['nodule'],
      prevalence: 0.4,
      shortcut: { group: 'sex', mode: 'label', otherMode: 'random', strength: k, markerRate: q },
    });
    const observed = await observeMarkers(summary);
    expectInformedness(
      observed.filter((o) => o.inGroup),
      (1 + k) / 2,
      (1 - k) / 2,
      'women',
    );
    expectInformedness(
      observed.filter((o) => !o.inGroup),
      q,
      q,
      'men',
    );
  });

  it('carries no label information at an out-of-domain site: absent in women, random in men', async () => {
    const summary = await cohort('shortcut-ood', {
      n: 300,
      size: 192,
      seed: 'ood',
      site: 'summit',
      findings: ['nodule'],
      prevalence: 0.4,
      shortcut: { group: 'sex', mode: 'none', otherMode: 'random', markerRate: 0.5 },
    });
    const observed = await observeMarkers(summary);
    expect(observed.filter((o) => o.inGroup && o.marker)).toEqual([]);
    const men = observed.filter((o) => !o.inGroup);
    expectInformedness(men, 0.5, 0.5, 'men');
    expect(Math.abs(men.filter((o) => o.marker).length / men.length - 0.5)).toBeLessThan(sigma4(0.5, men.length));
  });

  it('is reversed by age on a MONOCHROME1 CR site when asked', async () => {
    const k = 0.8;
    const summary = await cohort('shortcut-age', {
      n: 300,
      size: 160,
      seed: 'age',
      site: 'lakeside',
      photometric: 'MONOCHROME1',
      findings: ['nodule'],
      prevalence: 0.5,
      shortcut: { group: 'age', ageThreshold: 55, mode: 'reversed', otherMode: 'none', strength: k },
    });
    const observed = await observeMarkers(summary);
    expectInformedness(
      observed.filter((o) => o.inGroup),
      (1 - k) / 2,
      (1 + k) / 2,
      'aged 55 and over',
    );
    expect(observed.filter((o) => !o.inGroup && o.marker)).toEqual([]);
    const inGroup = summary.shortcut.subgroups.find((g) => g.shortcutSubgroup);
    expect(inGroup?.name).toBe('age>=55');
  });
});
