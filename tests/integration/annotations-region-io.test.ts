import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { regionGeometrySchema, type RegionGeometry } from '../../src-main/api/annotation-schemas';
import { rasterizeRegions } from '../../src-main/core/annotations/rasterize';
import { exportRegions } from '../../src-main/core/annotations/region-export';
import { importRegionFile, RegionFileError } from '../../src-main/core/annotations/region-import';
import { openWorkspace, type WorkspaceDb } from '../../src-main/core/db/open-workspace';
import { InputError } from '../../src-main/core/input-error';
import { importPaths } from '../../src-main/core/library/import/import-job';
import { runCli, type CliRun } from '../helpers/cli';
import { makeDxFiles } from '../helpers/dx-files';
import { tempDir } from '../helpers/paths';
import { chexlocalizeJson, nihBboxCsv, vindrCsv } from '../helpers/region-files';
import { filledHoles } from '../helpers/filled-holes';

/** Stored images are 256 rows × 200 columns (not square, so axes cannot be swapped unnoticed). */
const rows = 256;
const cols = 200;
const imageSize = { columns: cols, rows };

let files: ReturnType<typeof tempDir>;
let dir: ReturnType<typeof tempDir>;
let ws: WorkspaceDb;
/** Image ids of site-a by file name, and dx00000's SOPInstanceUID. */
let ids: Record<string, number>;
let sopOfFirst: string;

beforeAll(() => {
  files = tempDir('aligner-regions-files-');
  makeDxFiles(join(files.path, 'site-a'), 3, rows, cols, 11);
  // Same file names in another source: a name alone is ambiguous across the workspace.
  makeDxFiles(join(files.path, 'site-b'), 2, 64, 64, 12);
});
afterAll(() => files.remove());

beforeEach(async () => {
  dir = tempDir();
  ws = openWorkspace(join(dir.path, 'w.db'));
  for (const site of ['site-a', 'site-b']) {
    const summary = await importPaths(ws, [join(files.path, site)], { source: site, role: 'train' });
    expect(summary.failed).toEqual([]);
  }
  const found = ws.db
    .prepare(
      `SELECT i.id, i.original_name AS name, i.sop_instance_uid AS uid FROM images i JOIN sources s ON s.id = i.source_id
       WHERE s.name = 'site-a' ORDER BY i.original_name`,
    )
    .all() as { id: number; name: string; uid: string }[];
  expect(found.map((f) => f.name)).toEqual(['dx00000.dcm', 'dx00001.dcm', 'dx00002.dcm']);
  ids = Object.fromEntries(found.map((f) => [f.name, f.id]));
  sopOfFirst = found[0]?.uid ?? '';
});
afterEach(() => {
  ws.close();
  dir.remove();
});

interface StoredRow {
  id: number;
  image_id: number;
  finding: string;
  annotator: string;
  geometry: string;
  deleted: number;
}

function stored(): StoredRow[] {
  return ws.db
    .prepare('SELECT id, image_id, finding, annotator, geometry, deleted FROM annotations ORDER BY id')
    .all() as StoredRow[];
}

function write(name: string, text: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

const nihText = nihBboxCsv([
  { image: 'dx00000.png', label: 'Nodule', box: [20, 30, 40, 50] },
  { image: 'dx00000.png', label: 'Mass', box: [150, 200, 100, 100] },
  { image: 'dx00001.dcm', label: 'Effusion', box: [10, 10, 20, 20] },
  { image: 'dx00001.dcm', label: 'Atelectasis', box: [1, 1, 5, 5] },
  { image: '00000099_000.png', label: 'Nodule', box: [1, 1, 5, 5] },
  { image: 'dx00002.png', label: 'Nodule', box: [300, 300, 10, 10] },
]);

const vindrText = (): string =>
  vindrCsv([
    { image: 'dx00002', rad: 'R1', className: 'Nodule/Mass', box: [10, 20, 60, 80] },
    { image: 'dx00002', rad: 'R2', className: 'Nodule/Mass', box: [10, 20, 60, 80] },
    { image: sopOfFirst, rad: 'R1', className: 'Pleural effusion', box: [0, 0, cols, rows] },
    { image: 'ffff0000', rad: 'R3', className: 'No finding', box: null },
    { image: 'dx00002', rad: 'R1', className: 'Nodule/Mass', box: [10, 20, 60, 80] },
  ]);

const chexText = chexlocalizeJson({
  dx00001: {
    imgSize: [2 * rows, 2 * cols],
    tasks: {
      'Lung Lesion': [
        [
          [20, 40],
          [120, 40],
          [120, 240],
          [20, 240],
        ],
      ],
      Edema: [
        [
          [500, 600],
          [520, 600],
          [520, 620],
        ],
      ],
      'Airspace Opacity': [
        [
          [1, 1],
          [9, 1],
          [9, 9],
        ],
      ],
    },
  },
  patient1_study1_view1_frontal: { imgSize: [10, 10], tasks: { Edema: [] } },
});

describe('importRegionFile', () => {
  it('stores NIH boxes as rects of the matched images, clips, rejects and counts, and is idempotent', () => {
    const path = write('BBox_List_2017.csv', nihText);
    const summary = importRegionFile(ws.db, { path, format: 'nih-bbox', annotator: 'nih', source: 'site-a' });
    expect(summary).toMatchObject({
      file: path,
      format: 'nih-bbox',
      annotator: 'nih',
      source: 'site-a',
      regions: 5,
      added: 3,
      addedByFinding: { nodule: 2, effusion: 1, edema: 0 },
      images: 2,
      annotators: ['nih'],
      alreadyPresent: 0,
      skippedFindings: { Atelectasis: 1 },
      unmatched: { regions: 1, keys: 1, examples: ['00000099_000.png'] },
      ambiguous: { regions: 0, keys: 0, examples: [] },
      rejected: { outside: 1, empty: 0, examples: [{ imageKey: 'dx00002.png', where: 'line 7' }] },
      clipped: 1,
      scaled: { images: 0, examples: [] },
    });
    expect(stored().map((r) => [r.image_id, r.finding, r.annotator, JSON.parse(r.geometry) as unknown])).toEqual([
      [ids['dx00000.dcm'], 'nodule', 'nih', { kind: 'rect', x: 20, y: 30, width: 40, height: 50 }],
      [ids['dx00000.dcm'], 'nodule', 'nih', { kind: 'rect', x: 150, y: 200, width: 50, height: 56 }],
      [ids['dx00001.dcm'], 'effusion', 'nih', { kind: 'rect', x: 10, y: 10, width: 20, height: 20 }],
    ]);

    const again = importRegionFile(ws.db, { path, format: 'nih-bbox', annotator: 'nih', source: 'site-a' });
    expect(again).toMatchObject({ added: 0, alreadyPresent: 3, images: 0 });
    expect(stored()).toHaveLength(3);

    // A deleted region is not "present": importing brings it back as a new row, the deleted one stays.
    ws.db.prepare('UPDATE annotations SET deleted = 1 WHERE id = ?').run(stored()[0]?.id);
    expect(importRegionFile(ws.db, { path, format: 'nih-bbox', annotator: 'nih', source: 'site-a' })).toMatchObject({
      added: 1,
      alreadyPresent: 2,
    });
    expect(stored().map((r) => r.deleted)).toEqual([1, 0, 0, 0]);

    // Another annotator's import of the same file is not a duplicate.
    expect(importRegionFile(ws.db, { path, format: 'nih-bbox', annotator: 'nih-2', source: 'site-a' }).added).toBe(3);
  });

  it('leaves names found in several sources ambiguous unless a source is named', () => {
    const path = write('BBox_List_2017.csv', nihText);
    const summary = importRegionFile(ws.db, { path, format: 'nih-bbox', annotator: 'nih' });
    expect(summary).toMatchObject({
      source: null,
      added: 0,
      ambiguous: { regions: 3, keys: 2, examples: ['dx00000.png', 'dx00001.dcm'] },
      unmatched: { regions: 1 },
      rejected: { outside: 1 },
    });
    expect(stored()).toEqual([]);
  });

  it('stores VinDr boxes per reader as <annotator>/<rad_id>, matching ids without extension and SOP UIDs', () => {
    const path = write('annotations_train.csv', vindrText());
    const summary = importRegionFile(ws.db, { path, format: 'vindr-csv', annotator: 'vindr', source: 'site-a' });
    expect(summary).toMatchObject({
      regions: 4,
      added: 3,
      alreadyPresent: 1,
      annotators: ['vindr/R1', 'vindr/R2'],
      addedByFinding: { nodule: 2, effusion: 1, edema: 0 },
      skippedFindings: { 'No finding': 1 },
      unmatched: { regions: 0 },
      clipped: 0,
    });
    expect(stored().map((r) => [r.image_id, r.finding, r.annotator, JSON.parse(r.geometry) as unknown])).toEqual([
      [ids['dx00002.dcm'], 'nodule', 'vindr/R1', { kind: 'rect', x: 10, y: 20, width: 50, height: 60 }],
      [ids['dx00002.dcm'], 'nodule', 'vindr/R2', { kind: 'rect', x: 10, y: 20, width: 50, height: 60 }],
      [ids['dx00000.dcm'], 'effusion', 'vindr/R1', { kind: 'rect', x: 0, y: 0, width: cols, height: rows }],
    ]);
  });

  it('stores CheXlocalize contours as polygons, scaled from img_size to the stored size', () => {
    const path = write('gt_annotations_val.json', chexText);
    const summary = importRegionFile(ws.db, {
      path,
      format: 'chexlocalize-json',
      annotator: 'chexlocalize',
      source: 'site-a',
    });
    expect(summary).toMatchObject({
      regions: 2,
      added: 1,
      addedByFinding: { nodule: 1, effusion: 0, edema: 0 },
      skippedFindings: { 'Airspace Opacity': 1 },
      rejected: { outside: 1, empty: 0 },
      scaled: {
        images: 1,
        examples: [
          { imageKey: 'dx00001', from: { width: 2 * cols, height: 2 * rows }, to: { width: cols, height: rows } },
        ],
      },
    });
    const [row] = stored();
    expect(row).toMatchObject({ image_id: ids['dx00001.dcm'], finding: 'nodule', annotator: 'chexlocalize' });
    expect(JSON.parse(row?.geometry ?? '')).toEqual({
      kind: 'polygon',
      points: [
        [10, 20],
        [60, 20],
        [60, 120],
        [10, 120],
      ],
    });
  });

  it('writes nothing when the file is malformed, unreadable or the source unknown', () => {
    const broken = write('broken.csv', `${nihText}\ndx00001.dcm,Nodule,1,2,three,4,,,\n`);
    expect(() => importRegionFile(ws.db, { path: broken, format: 'nih-bbox', annotator: 'nih' })).toThrow(
      new RegionFileError(broken, `${broken} line 8: w must be a finite number; got 'three'`),
    );
    const wrongLayout = write('wrong.csv', nihText);
    expect(() => importRegionFile(ws.db, { path: wrongLayout, format: 'vindr-csv', annotator: 'v' })).toThrow(
      /wrong\.csv line 1: no 'image_id' column/,
    );
    const brokenJson = write('g.json', '{"dx00001": {"Edema": [[[1, 2], [3, 4], [5]]]}}');
    expect(() => importRegionFile(ws.db, { path: brokenJson, format: 'chexlocalize-json', annotator: 'c' })).toThrow(
      /g\.json key 'dx00001' \/ 'Edema' contour 1 point 3/,
    );
    const missing = join(dir.path, 'missing.csv');
    expect(() => importRegionFile(ws.db, { path: missing, format: 'nih-bbox', annotator: 'nih' })).toThrow(
      `cannot read region file ${missing}: no such file`,
    );
    const good = write('good.csv', nihText);
    expect(() => importRegionFile(ws.db, { path: good, format: 'nih-bbox', annotator: 'nih', source: 'nope' })).toThrow(
      InputError,
    );
    expect(() => importRegionFile(ws.db, { path: good, format: 'nih-bbox', annotator: '  ' })).toThrow(/annotator/);
    expect(stored()).toEqual([]);
  });
});

describe('exportRegions', () => {
  /** The three files imported, a deleted region, and eraser strokes of nih and of vindr/R2. */
  function seed(): void {
    importRegionFile(ws.db, {
      path: write('nih.csv', nihText),
      format: 'nih-bbox',
      annotator: 'nih',
      source: 'site-a',
    });
    importRegionFile(ws.db, {
      path: write('vindr.csv', vindrText()),
      format: 'vindr-csv',
      annotator: 'vindr',
      source: 'site-a',
    });
    importRegionFile(ws.db, {
      path: write('c.json', chexText),
      format: 'chexlocalize-json',
      annotator: 'chexlocalize',
      source: 'site-a',
    });
    const insert = ws.db.prepare(
      `INSERT INTO annotations (image_id, finding, annotator, geometry, created_at, deleted) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const later = '2999-01-01T00:00:00.000Z';
    const eraser = (x: number, y: number): string =>
      JSON.stringify({ kind: 'stroke', points: [[x, y]], radius: 12, erase: true });
    insert.run(ids['dx00000.dcm'], 'nodule', 'nih', eraser(40, 55), later, 0);
    insert.run(ids['dx00002.dcm'], 'nodule', 'vindr/R2', eraser(35, 50), later, 0);
    insert.run(
      ids['dx00001.dcm'],
      'edema',
      'nih',
      JSON.stringify({ kind: 'rect', x: 0, y: 0, width: 5, height: 5 }),
      later,
      1,
    );
  }

  /** The stored regions of one image and finding (optionally one annotator), in created order. */
  function regionsOf(imageId: number | undefined, finding: string, annotator?: string): RegionGeometry[] {
    const rowsFound = ws.db
      .prepare(
        `SELECT geometry FROM annotations WHERE image_id = ? AND finding = ? AND deleted = 0
         ${annotator === undefined ? '' : 'AND annotator = ?'} ORDER BY created_at, id`,
      )
      .pluck()
      .all(imageId, finding, ...(annotator === undefined ? [] : [annotator])) as string[];
    return rowsFound.map((g) => regionGeometrySchema.parse(JSON.parse(g)));
  }

  /** A mask PNG's pixels; it must be one 8-bit grey channel. */
  async function readMask(path: string): Promise<{ width: number; height: number; pixels: Uint8Array }> {
    const meta = await sharp(path).metadata();
    expect([meta.channels, meta.depth]).toEqual([1, 'uchar']);
    // sharp hands out grey as sRGB unless told otherwise.
    const { data, info } = await sharp(path).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(1);
    return { width: info.width, height: info.height, pixels: new Uint8Array(data) };
  }

  const as255 = (mask: Uint8Array): Uint8Array => mask.map((v) => v * 255);

  it('writes regions.json per image and finding, without deleted regions', async () => {
    seed();
    const out = join(dir.path, 'export');
    const summary = await exportRegions(ws.db, { outDir: out, formats: ['json'] });
    expect(summary).toMatchObject({ images: 3, regions: 9, masks: 0, json: join(out, 'regions.json') });
    expect(summary.invalid.count).toBe(0);
    expect(readdirSync(out)).toEqual(['regions.json']);
    const document = JSON.parse(readFileSync(join(out, 'regions.json'), 'utf8')) as {
      format: string;
      version: number;
      images: {
        id: number;
        sopInstanceUid: string;
        originalName: string;
        source: string;
        rows: number;
        cols: number;
        findings: Record<
          string,
          { id: number; annotator: string; geometry: unknown; createdAt: string; updatedAt: string }[]
        >;
      }[];
    };
    expect(document).toMatchObject({ format: 'aligner-regions', version: 1 });
    const first = document.images.find((i) => i.id === ids['dx00000.dcm']);
    expect(first).toMatchObject({
      sopInstanceUid: sopOfFirst,
      originalName: 'dx00000.dcm',
      source: 'site-a',
      rows,
      cols,
    });
    expect(Object.keys(first?.findings ?? {}).sort()).toEqual(['effusion', 'nodule']);
    expect(first?.findings.nodule?.map((r) => [r.annotator, (r.geometry as { kind: string }).kind])).toEqual([
      ['nih', 'rect'],
      ['nih', 'rect'],
      ['nih', 'stroke'],
    ]);
    expect(first?.findings.nodule?.[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const second = document.images.find((i) => i.id === ids['dx00001.dcm']);
    expect(Object.keys(second?.findings ?? {}).sort()).toEqual(['effusion', 'nodule']);
  });

  it('writes 0/255 masks equal to the rasteriser, each annotator erasing only its own regions', async () => {
    seed();
    const out = join(dir.path, 'export');
    const summary = await exportRegions(ws.db, { outDir: out, formats: ['json', 'png'] });
    expect(summary.masks).toBe(5);
    expect(readdirSync(join(out, 'masks')).sort()).toEqual(
      [
        `${ids['dx00000.dcm']}_effusion.png`,
        `${ids['dx00000.dcm']}_nodule.png`,
        `${ids['dx00001.dcm']}_effusion.png`,
        `${ids['dx00001.dcm']}_nodule.png`,
        `${ids['dx00002.dcm']}_nodule.png`,
      ].sort(),
    );
    const nodule = await readMask(join(out, 'masks', `${ids['dx00000.dcm']}_nodule.png`));
    expect([nodule.width, nodule.height]).toEqual([cols, rows]);
    const expected = as255(rasterizeRegions(regionsOf(ids['dx00000.dcm'], 'nodule'), imageSize));
    expect(Buffer.from(nodule.pixels).equals(Buffer.from(expected))).toBe(true);
    expect(nodule.pixels.filter((v) => v === 255).length).toBeGreaterThan(0);
    expect(nodule.pixels.every((v) => v === 0 || v === 255)).toBe(true);
    // vindr/R2's eraser clears R2's box only: R1's identical box still covers those pixels.
    const vindr = await readMask(join(out, 'masks', `${ids['dx00002.dcm']}_nodule.png`));
    const r1 = as255(rasterizeRegions(regionsOf(ids['dx00002.dcm'], 'nodule', 'vindr/R1'), imageSize));
    expect(Buffer.from(vindr.pixels).equals(Buffer.from(r1))).toBe(true);
    const polygon = await readMask(join(out, 'masks', `${ids['dx00001.dcm']}_nodule.png`));
    const polygonExpected = as255(rasterizeRegions(regionsOf(ids['dx00001.dcm'], 'nodule'), imageSize));
    expect(Buffer.from(polygon.pixels).equals(Buffer.from(polygonExpected))).toBe(true);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('filters by annotator (with its readers) and finding, and writes masks at a given size', async () => {
    seed();
    const out = join(dir.path, 'vindr');
    const summary = await exportRegions(ws.db, {
      outDir: out,
      formats: ['png', 'json'],
      annotator: 'vindr',
      finding: 'nodule',
      size: { width: 64, height: 48 },
    });
    expect(summary).toMatchObject({ images: 1, regions: 3, masks: 1, annotator: 'vindr', finding: 'nodule' });
    const name = `${ids['dx00002.dcm']}_nodule_vindr.png`;
    expect(readdirSync(join(out, 'masks'))).toEqual([name]);
    const small = await readMask(join(out, 'masks', name));
    expect([small.width, small.height]).toEqual([64, 48]);
    const r1 = rasterizeRegions(regionsOf(ids['dx00002.dcm'], 'nodule', 'vindr/R1'), imageSize, {
      width: 64,
      height: 48,
    });
    expect(Buffer.from(small.pixels).equals(Buffer.from(as255(r1)))).toBe(true);
    const one = await exportRegions(ws.db, { outDir: join(dir.path, 'r2'), formats: ['png'], annotator: 'vindr/R2' });
    expect(readdirSync(join(dir.path, 'r2', 'masks'))).toEqual([`${ids['dx00002.dcm']}_nodule_vindr-R2.png`]);
    expect(one.json).toBeNull();
    await expect(exportRegions(ws.db, { outDir: out, formats: ['png'], finding: 'pneumonia' })).rejects.toThrow(
      InputError,
    );
  });

  it('writes CheXlocalize polygons that import back to the same pixels (painted regions traced, holes filled)', async () => {
    seed();
    const ellipse = { kind: 'ellipse', cx: 100, cy: 120, rx: 30, ry: 18, rotation: 25 };
    ws.db
      .prepare(`INSERT INTO annotations (image_id, finding, annotator, geometry) VALUES (?, 'edema', 'nih', ?)`)
      .run(ids['dx00002.dcm'], JSON.stringify(ellipse));
    const out = join(dir.path, 'chex');
    const summary = await exportRegions(ws.db, { outDir: out, formats: ['chexlocalize'] });
    expect(summary.chexlocalize).toBe(join(out, 'regions_chexlocalize.json'));
    expect(summary.json).toBeNull();
    const document = JSON.parse(readFileSync(join(out, 'regions_chexlocalize.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    // Keyed by file name without extension, task names as CheXlocalize writes them.
    expect(document.dx00000?.img_size).toEqual([rows, cols]);
    expect(Object.keys(document.dx00002 ?? {}).sort()).toEqual(['Edema', 'Lung Lesion', 'img_size']);

    const imported = importRegionFile(ws.db, {
      path: join(out, 'regions_chexlocalize.json'),
      format: 'chexlocalize-json',
      annotator: 'round-trip',
      source: 'site-a',
    });
    expect(imported.unmatched.keys).toBe(0);
    const readers = (imageId: number | undefined, finding: string): RegionGeometry[][] =>
      (
        ws.db
          .prepare(
            `SELECT DISTINCT annotator FROM annotations WHERE image_id = ? AND finding = ? AND deleted = 0
             AND annotator != 'round-trip'`,
          )
          .pluck()
          .all(imageId, finding) as string[]
      ).map((a) => regionsOf(imageId, finding, a));
    let compared = 0;
    for (const name of ['dx00000.dcm', 'dx00001.dcm', 'dx00002.dcm']) {
      for (const finding of ['nodule', 'effusion', 'edema']) {
        const original = readers(ids[name], finding);
        if (original.length === 0) continue;
        const union = new Uint8Array(rows * cols);
        for (const list of original)
          rasterizeRegions(list, imageSize).forEach((v, k) => {
            if (v) union[k] = 1;
          });
        const back = rasterizeRegions(regionsOf(ids[name], finding, 'round-trip'), imageSize);
        if (original.flat().some((g) => g.kind === 'ellipse')) {
          // 72 vertices: the same pixels but for a few along the rim.
          let both = 0;
          let either = 0;
          union.forEach((v, k) => {
            both += v && back[k] ? 1 : 0;
            either += v || back[k] ? 1 : 0;
          });
          expect(both / either).toBeGreaterThan(0.97);
        } else {
          const expected = original.flat().some((g) => g.kind === 'stroke') ? filledHoles(union, cols, rows) : union;
          expect(Array.from(back), `${name} ${finding}`).toEqual(Array.from(expected));
        }
        compared += 1;
      }
    }
    expect(compared).toBe(6);
  });
});

describe('aligner annotations import / export', () => {
  let env: NodeJS.ProcessEnv;
  let db: string;
  beforeEach(() => {
    env = { ALIGNER_USER_DATA: join(dir.path, 'user-data'), ALIGNER_DB: '' };
    db = ws.path;
    ws.close();
  });

  function expectBadInput(run: CliRun, pattern: RegExp): void {
    expect(run.code, run.stderr).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  }

  it('imports a region file and exports masks, answering one JSON object', async () => {
    const nih = write('BBox_List_2017.csv', nihText);
    const args = ['annotations', 'import', nih, '--format', 'nih-bbox', '--annotator', 'nih', '--source', 'site-a'];
    const first = await runCli([...args, '--db', db, '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(first.stdout)).toMatchObject({ added: 3, alreadyPresent: 0, unmatched: { regions: 1 } });
    const again = await runCli([...args, '--db', db], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /^added 0 regions \(nodule 0, effusion 0, edema 0\) to 0 images .*; 3 already present$/m,
    );
    expect(again.stdout).toMatch(/unmatched: 1 region of 1 image .*00000099_000\.png/);

    const out = join(dir.path, 'cli-export');
    const exported = await runCli(
      ['annotations', 'export', '--out', out, '--format', 'png', '--size', '32x40', '--db', db, '--json'],
      env,
    );
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ images: 2, regions: 3, masks: 2, json: null });
    expect(existsSync(join(out, 'regions.json'))).toBe(false);
    const meta = await sharp(join(out, 'masks', `${ids['dx00000.dcm']}_nodule.png`)).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([32, 40, 1]);
  });

  it('refuses bad input with exit 2 and one line, writing nothing', async () => {
    const nih = write('BBox_List_2017.csv', nihText);
    const broken = write('broken.csv', `${nihText}\ndx00001.dcm,Nodule,1,2,three,4,,,\n`);
    const base = ['--db', db];
    expectBadInput(
      await runCli(['annotations', 'import', nih, '--annotator', 'a', ...base], env),
      /--format is required/,
    );
    expectBadInput(
      await runCli(['annotations', 'import', nih, '--format', 'coco', '--annotator', 'a', ...base], env),
      /--format must be one of nih-bbox, vindr-csv, chexlocalize-json; got 'coco'/,
    );
    expectBadInput(await runCli(['annotations', 'import', nih, '--format', 'nih-bbox', ...base], env), /--annotator/);
    expectBadInput(
      await runCli(['annotations', 'import', broken, '--format', 'nih-bbox', '--annotator', 'a', ...base], env),
      /broken\.csv line 8: w must be a finite number/,
    );
    expectBadInput(
      await runCli(
        ['annotations', 'import', nih, '--format', 'nih-bbox', '--annotator', 'a', '--source', 'nope', ...base],
        env,
      ),
      /no source named 'nope'.*site-a, site-b/,
    );
    const json = await runCli(
      ['annotations', 'import', broken, '--format', 'nih-bbox', '--annotator', 'a', ...base, '--json'],
      env,
    );
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'invalid_input' } });
    const out = join(dir.path, 'x');
    expectBadInput(await runCli(['annotations', 'export', ...base], env), /--out DIR is required/);
    expectBadInput(await runCli(['annotations', 'export', '--out', out, '--size', '0x5', ...base], env), /--size/);
    expectBadInput(await runCli(['annotations', 'export', '--out', out, '--format', 'gif', ...base], env), /--format/);
    expectBadInput(
      await runCli(['annotations', 'export', '--out', out, '--finding', 'mass', ...base], env),
      /--finding must be one of nodule, effusion, edema/,
    );
    expect(existsSync(out)).toBe(false);
    const check = openWorkspace(db);
    try {
      expect(check.db.prepare('SELECT count(*) FROM annotations').pluck().get()).toBe(0);
    } finally {
      check.close();
    }
  });
});
