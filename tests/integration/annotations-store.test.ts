import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { annotateImageSchema, type RegionGeometry } from '../../src-main/api/annotation-schemas';
import { openForAnnotation } from '../../src-main/core/annotations/annotate-image';
import { addAnnotator, listAnnotators } from '../../src-main/core/annotations/annotators';
import { assertGeometryFitsImage } from '../../src-main/core/annotations/geometry-fit';
import { addActiveTime, readFindingFlags, setFindingFlags, setNote } from '../../src-main/core/annotations/image-reads';
import { nextToAnnotate } from '../../src-main/core/annotations/next-to-annotate';
import { createRegion, deleteRegion, updateRegion } from '../../src-main/core/annotations/region-edits';
import { historyState, redoEdit, undoEdit } from '../../src-main/core/annotations/region-history';
import { openWorkspace, type WorkspaceDb } from '../../src-main/core/db/open-workspace';
import { InputError } from '../../src-main/core/input-error';
import { importPaths } from '../../src-main/core/library/import/import-job';
import { dxColumns, dxRows } from '../helpers/annotation-workspace';
import { makeDxFiles } from '../helpers/dx-files';
import { tempDir } from '../helpers/paths';

const imageSize = { columns: dxColumns, rows: dxRows };

let files: ReturnType<typeof tempDir>;
let dir: ReturnType<typeof tempDir>;
let ws: WorkspaceDb;
let dbPath: string;
/** The five training images of site-a (by id), and the one validation image of site-b. */
let train: number[];
let validation: number;

beforeAll(() => {
  files = tempDir('aligner-store-files-');
  makeDxFiles(join(files.path, 'site-a'), 5, dxRows, dxColumns, 21);
  makeDxFiles(join(files.path, 'site-b'), 1, dxRows, dxColumns, 22);
});
afterAll(() => files.remove());

beforeEach(async () => {
  dir = tempDir();
  dbPath = join(dir.path, 'w.db');
  ws = openWorkspace(dbPath);
  expect((await importPaths(ws, [join(files.path, 'site-a')], { source: 'site-a', role: 'train' })).failed).toEqual([]);
  expect(
    (await importPaths(ws, [join(files.path, 'site-b')], { source: 'site-b', role: 'validation' })).failed,
  ).toEqual([]);
  const rows = ws.db
    .prepare('SELECT i.id, s.role FROM images i JOIN sources s ON s.id = i.source_id ORDER BY i.original_name, i.id')
    .all() as { id: number; role: string }[];
  train = rows.filter((r) => r.role === 'train').map((r) => r.id);
  validation = rows.find((r) => r.role === 'validation')?.id ?? -1;
  expect(train).toHaveLength(5);
  addAnnotator(ws.db, 'Ada');
  addAnnotator(ws.db, 'Ben');
});
afterEach(() => {
  ws.close();
  dir.remove();
});

const square: RegionGeometry = {
  kind: 'polygon',
  points: [
    [10, 10],
    [60, 10],
    [60, 60],
    [10, 60],
  ],
};
const rect: RegionGeometry = { kind: 'rect', x: 20, y: 30, width: 40, height: 50 };
const ellipse: RegionGeometry = { kind: 'ellipse', cx: 100, cy: 120, rx: 30, ry: 20, rotation: 15 };
const stroke: RegionGeometry = {
  kind: 'stroke',
  points: [
    [5, 5],
    [50, 80],
  ],
  radius: 4,
  erase: false,
};

interface StoredRow {
  geometry: string;
  deleted: number;
  annotator: string;
}

/** The row as another connection sees it: only committed data. */
function committedRow(id: number): StoredRow | undefined {
  const other = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return other.prepare('SELECT geometry, deleted, annotator FROM annotations WHERE id = ?').get(id) as
      StoredRow | undefined;
  } finally {
    other.close();
  }
}

function row(id: number): StoredRow {
  const found = ws.db.prepare('SELECT geometry, deleted, annotator FROM annotations WHERE id = ?').get(id) as
    StoredRow | undefined;
  if (!found) throw new Error(`no annotation row ${id}`);
  return found;
}

function geometryOf(id: number): unknown {
  return JSON.parse(row(id).geometry);
}

function count(table: string): number {
  return ws.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
}

function expectInputError(action: () => unknown, field: string, message?: RegExp): void {
  let caught: unknown;
  try {
    action();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as InputError).field).toBe(field);
  if (message) expect((caught as InputError).message).toMatch(message);
}

const first = (): number => train[0] ?? -1;
const newRegion = (geometry: RegionGeometry, annotator = 'Ada', imageId = first(), finding = 'nodule') =>
  createRegion(ws.db, { imageId, finding, annotator, geometry });

describe('region edits', () => {
  it('create, update and delete answer after the commit: another connection sees the row at once', () => {
    const created = newRegion(square);
    expect(created.region).toMatchObject({ imageId: first(), finding: 'nodule', annotator: 'Ada', geometry: square });
    expect(created.history).toEqual({ canUndo: true, canRedo: false });
    expect(committedRow(created.region.id)).toEqual({ geometry: JSON.stringify(square), deleted: 0, annotator: 'Ada' });

    const updated = updateRegion(ws.db, { id: created.region.id, annotator: 'Ada', geometry: rect });
    expect(updated.region.geometry).toEqual(rect);
    expect(committedRow(created.region.id)?.geometry).toBe(JSON.stringify(rect));

    const deleted = deleteRegion(ws.db, { id: created.region.id, annotator: 'Ada' });
    expect(deleted).toEqual({ id: created.region.id, history: { canUndo: true, canRedo: false } });
    // Soft delete: the row stays, marked deleted, with its last geometry.
    expect(committedRow(created.region.id)).toEqual({ geometry: JSON.stringify(rect), deleted: 1, annotator: 'Ada' });
    expect(count('annotations')).toBe(1);
    expect(openForAnnotation(ws.db, first(), 'Ada').regions).toEqual([]);
  });

  it('undo and redo of create, update and delete restore exactly the previous geometry and deleted state', () => {
    const id = newRegion(square).region.id;
    updateRegion(ws.db, { id, annotator: 'Ada', geometry: ellipse });
    updateRegion(ws.db, { id, annotator: 'Ada', geometry: stroke });
    deleteRegion(ws.db, { id, annotator: 'Ada' });
    const states: [StoredRow['deleted'], RegionGeometry][] = [
      [0, square],
      [0, ellipse],
      [0, stroke],
      [1, stroke],
    ];
    const expectState = (k: number): void => {
      const [deleted, geometry] = states[k] ?? [];
      expect(row(id).deleted).toBe(deleted);
      expect(geometryOf(id)).toEqual(geometry);
    };
    expectState(3);
    for (const [k, action] of (['delete', 'update', 'update'] as const).entries()) {
      expect(undoEdit(ws.db, first(), 'Ada')).toEqual({ action, annotationId: id });
      expectState(2 - k);
    }
    expect(undoEdit(ws.db, first(), 'Ada')).toEqual({ action: 'create', annotationId: id });
    expect(row(id)).toMatchObject({ deleted: 1, geometry: JSON.stringify(square) });
    expect(undoEdit(ws.db, first(), 'Ada')).toBeNull();
    expect(historyState(ws.db, first(), 'Ada')).toEqual({ canUndo: false, canRedo: true });

    for (const [k, action] of (['create', 'update', 'update', 'delete'] as const).entries()) {
      expect(redoEdit(ws.db, first(), 'Ada')).toEqual({ action, annotationId: id });
      expectState(k);
    }
    expect(redoEdit(ws.db, first(), 'Ada')).toBeNull();
    expect(historyState(ws.db, first(), 'Ada')).toEqual({ canUndo: true, canRedo: false });
  });

  it('a new edit after undo drops the redo entries', () => {
    const a = newRegion(square).region.id;
    const b = newRegion(rect).region.id;
    expect(undoEdit(ws.db, first(), 'Ada')).toEqual({ action: 'create', annotationId: b });
    expect(historyState(ws.db, first(), 'Ada')).toEqual({ canUndo: true, canRedo: true });
    const c = newRegion(ellipse);
    expect(c.history).toEqual({ canUndo: true, canRedo: false });
    expect(redoEdit(ws.db, first(), 'Ada')).toBeNull();
    expect(row(b).deleted).toBe(1);
    const states = ws.db.prepare('SELECT annotation_id, state FROM annotation_history ORDER BY id').all();
    expect(states).toEqual([
      { annotation_id: a, state: 'done' },
      { annotation_id: b, state: 'dropped' },
      { annotation_id: c.region.id, state: 'done' },
    ]);
    // Undo walks past the dropped entry: c, then a.
    expect(undoEdit(ws.db, first(), 'Ada')?.annotationId).toBe(c.region.id);
    expect(undoEdit(ws.db, first(), 'Ada')?.annotationId).toBe(a);
    expect(undoEdit(ws.db, first(), 'Ada')).toBeNull();
    expect(row(b).deleted).toBe(1);
  });

  it('keeps the undo history across closing and reopening the workspace file', () => {
    const id = newRegion(square).region.id;
    updateRegion(ws.db, { id, annotator: 'Ada', geometry: rect });
    ws.close();
    ws = openWorkspace(dbPath);
    expect(historyState(ws.db, first(), 'Ada')).toEqual({ canUndo: true, canRedo: false });
    expect(undoEdit(ws.db, first(), 'Ada')).toEqual({ action: 'update', annotationId: id });
    expect(geometryOf(id)).toEqual(square);
    ws.close();
    ws = openWorkspace(dbPath);
    expect(historyState(ws.db, first(), 'Ada')).toEqual({ canUndo: true, canRedo: true });
    expect(redoEdit(ws.db, first(), 'Ada')).toEqual({ action: 'update', annotationId: id });
    expect(geometryOf(id)).toEqual(rect);
  });

  it("keeps one stack per annotator: Ben's undo never touches Ada's edits", () => {
    const ada = newRegion(square, 'Ada').region.id;
    const ben = newRegion(rect, 'Ben').region.id;
    const adaSecond = newRegion(ellipse, 'Ada').region.id;
    expect(undoEdit(ws.db, first(), 'Ben')).toEqual({ action: 'create', annotationId: ben });
    expect(undoEdit(ws.db, first(), 'Ben')).toBeNull();
    expect(row(ben).deleted).toBe(1);
    expect([row(ada).deleted, row(adaSecond).deleted]).toEqual([0, 0]);
    expect(historyState(ws.db, first(), 'Ada')).toEqual({ canUndo: true, canRedo: false });
    expect(historyState(ws.db, first(), 'Ben')).toEqual({ canUndo: false, canRedo: true });
    // Ada's undo takes her newest edit, not Ben's undone one.
    expect(undoEdit(ws.db, first(), 'Ada')).toEqual({ action: 'create', annotationId: adaSecond });
    expect(redoEdit(ws.db, first(), 'Ben')).toEqual({ action: 'create', annotationId: ben });
    expect(row(adaSecond).deleted).toBe(1);
    // And stacks are per image too.
    expect(historyState(ws.db, train[1] ?? -1, 'Ada')).toEqual({ canUndo: false, canRedo: false });
  });

  it('lets only the region’s annotator update or delete it (field id)', () => {
    const id = newRegion(square, 'Ada').region.id;
    const before = { annotations: count('annotations'), history: count('annotation_history') };
    expectInputError(() => updateRegion(ws.db, { id, annotator: 'Ben', geometry: rect }), 'id', /drawn by Ada/);
    expectInputError(() => deleteRegion(ws.db, { id, annotator: 'Ben' }), 'id', /drawn by Ada/);
    expectInputError(() => updateRegion(ws.db, { id: 9999, annotator: 'Ada', geometry: rect }), 'id');
    deleteRegion(ws.db, { id, annotator: 'Ada' });
    expectInputError(() => updateRegion(ws.db, { id, annotator: 'Ada', geometry: rect }), 'id', /no live region/);
    expectInputError(() => deleteRegion(ws.db, { id, annotator: 'Ada' }), 'id', /no live region/);
    expect(count('annotation_history')).toBe(before.history + 1);
    expect(geometryOf(id)).toEqual(square);
  });

  it('refuses an unregistered annotator (field annotator) and writes nothing', () => {
    const id = newRegion(square, 'Ada').region.id;
    const before = [count('annotations'), count('annotation_history'), count('image_reads'), count('finding_flags')];
    expectInputError(() => newRegion(rect, 'Zed'), 'annotator', /unknown annotator 'Zed'/);
    expectInputError(() => updateRegion(ws.db, { id, annotator: 'Zed', geometry: rect }), 'annotator');
    expectInputError(() => deleteRegion(ws.db, { id, annotator: 'Zed' }), 'annotator');
    const ref = { imageId: first(), annotator: 'Zed' };
    expectInputError(() => setNote(ws.db, { ...ref, note: 'x' }), 'annotator');
    expectInputError(() => addActiveTime(ws.db, { ...ref, seconds: 3 }), 'annotator');
    expectInputError(
      () => setFindingFlags(ws.db, { ...ref, finding: 'nodule', noFinding: true, uncertain: false }),
      'annotator',
    );
    expect([count('annotations'), count('annotation_history'), count('image_reads'), count('finding_flags')]).toEqual(
      before,
    );
  });

  it('refuses geometry off the image and an unknown image, writing nothing', () => {
    expectInputError(
      () => newRegion({ kind: 'rect', x: 150, y: 10, width: 60, height: 10 }),
      'geometry',
      /rectangle corner \(210, 20\) lies outside the 200×256 image/,
    );
    expectInputError(() => newRegion(square, 'Ada', 9999), 'imageId', /no image with id 9999/);
    expect([count('annotations'), count('annotation_history')]).toEqual([0, 0]);
  });
});

describe('reads: flags, note and active time', () => {
  it('keeps flags, note and time per annotator; time accumulates', () => {
    const ref = { imageId: first(), annotator: 'Ada' };
    expect(setFindingFlags(ws.db, { ...ref, finding: 'nodule', noFinding: true, uncertain: false })).toEqual([
      expect.objectContaining({ finding: 'nodule', noFinding: true, uncertain: false }),
    ]);
    setFindingFlags(ws.db, { ...ref, finding: 'effusion', noFinding: false, uncertain: true });
    // Setting again replaces, never adds a row.
    setFindingFlags(ws.db, { ...ref, finding: 'nodule', noFinding: false, uncertain: true });
    expect(readFindingFlags(ws.db, ref).map((f) => [f.finding, f.noFinding, f.uncertain])).toEqual([
      ['effusion', false, true],
      ['nodule', false, true],
    ]);
    expect(readFindingFlags(ws.db, { ...ref, annotator: 'Ben' })).toEqual([]);

    expect(setNote(ws.db, { ...ref, note: 'faint opacity, left apex' })).toEqual({
      note: 'faint opacity, left apex',
      activeSeconds: 0,
    });
    expect(addActiveTime(ws.db, { ...ref, seconds: 12.5 })).toEqual({
      note: 'faint opacity, left apex',
      activeSeconds: 12.5,
    });
    expect(addActiveTime(ws.db, { ...ref, seconds: 7.5 }).activeSeconds).toBe(20);
    expect(setNote(ws.db, { ...ref, note: 'revised' })).toEqual({ note: 'revised', activeSeconds: 20 });
    expect(addActiveTime(ws.db, { imageId: first(), annotator: 'Ben', seconds: 4 })).toEqual({
      note: '',
      activeSeconds: 4,
    });
    expect(addActiveTime(ws.db, { ...ref, imageId: train[1] ?? -1, seconds: 1 }).activeSeconds).toBe(1);
    expect(openForAnnotation(ws.db, first(), 'Ada')).toMatchObject({ note: 'revised', activeSeconds: 20 });
    expectInputError(() => setNote(ws.db, { ...ref, imageId: 9999, note: 'x' }), 'imageId');
  });

  it('openForAnnotation answers facts, labels, every live region, and this annotator’s flags, note, time and history', () => {
    ws.db
      .prepare(
        "INSERT INTO labels (image_id, finding, value, origin) VALUES (?, 'nodule', 1, 'test'), (?, 'edema', 0, 'test')",
      )
      .run(first(), first());
    const ada = newRegion(square, 'Ada').region;
    const gone = newRegion(rect, 'Ada').region;
    const ben = newRegion(ellipse, 'Ben', first(), 'edema').region;
    deleteRegion(ws.db, { id: gone.id, annotator: 'Ada' });
    undoEdit(ws.db, first(), 'Ben');
    redoEdit(ws.db, first(), 'Ben');
    undoEdit(ws.db, first(), 'Ben');
    redoEdit(ws.db, first(), 'Ben');
    setFindingFlags(ws.db, { imageId: first(), annotator: 'Ada', finding: 'edema', noFinding: true, uncertain: false });
    setNote(ws.db, { imageId: first(), annotator: 'Ada', note: 'check edema' });
    addActiveTime(ws.db, { imageId: first(), annotator: 'Ada', seconds: 30 });

    const view = annotateImageSchema.parse(openForAnnotation(ws.db, first(), 'Ada'));
    expect(view.image).toEqual({
      id: first(),
      name: 'dx00000.dcm',
      source: 'site-a',
      role: 'train',
      format: 'dicom',
      rows: dxRows,
      cols: dxColumns,
      sex: 'M',
      age: 30,
      pseudonym: expect.stringMatching(/\S/) as unknown,
      sopInstanceUid: expect.stringMatching(/^[\d.]+$/) as unknown,
      photometric: 'MONOCHROME2',
      pixelSpacing: [0.139, 0.139],
      labels: { nodule: 1, edema: 0 },
    });
    expect(view.regions.map((r) => [r.id, r.annotator, r.finding, r.geometry])).toEqual([
      [ada.id, 'Ada', 'nodule', square],
      [ben.id, 'Ben', 'edema', ellipse],
    ]);
    expect(view.flags).toEqual([expect.objectContaining({ finding: 'edema', noFinding: true, uncertain: false })]);
    expect(view).toMatchObject({ note: 'check edema', activeSeconds: 30, history: { canUndo: true, canRedo: false } });

    const forBen = openForAnnotation(ws.db, first(), 'Ben');
    expect(forBen).toMatchObject({ flags: [], note: '', activeSeconds: 0, history: { canUndo: true, canRedo: false } });
    expect(forBen.regions).toEqual(view.regions);
    expect(listAnnotators(ws.db)).toEqual([
      { name: 'Ada', registered: true, regions: 1 },
      { name: 'Ben', registered: true, regions: 1 },
    ]);
    expectInputError(() => openForAnnotation(ws.db, 9999, 'Ada'), 'imageId');
  });
});

describe('nextToAnnotate', () => {
  /** Positive for nodule: train images 0, 1, 3, 4 and the validation image; image 2 is negative. */
  function label(): void {
    const insert = ws.db.prepare("INSERT INTO labels (image_id, finding, value, origin) VALUES (?, ?, ?, 'test')");
    for (const [k, id] of train.entries()) insert.run(id, 'nodule', k === 2 ? 0 : 1);
    insert.run(validation, 'nodule', 1);
    insert.run(train[2] ?? -1, 'effusion', 1);
  }
  const t = (k: number): number => train[k] ?? -1;
  const next = (annotator: string, afterImageId?: number) =>
    nextToAnnotate(ws.db, { finding: 'nodule', annotator, ...(afterImageId === undefined ? {} : { afterImageId }) });

  it('walks the positive training images in id order and wraps around', () => {
    label();
    expect(next('Ada')).toEqual({ imageId: t(0), remaining: 4 });
    expect(next('Ada', t(0))).toEqual({ imageId: t(1), remaining: 4 });
    expect(next('Ada', t(1))).toEqual({ imageId: t(3), remaining: 4 });
    expect(next('Ada', t(3))).toEqual({ imageId: t(4), remaining: 4 });
    expect(next('Ada', t(4))).toEqual({ imageId: t(0), remaining: 4 });
    expect(next('Ada', 0)).toEqual({ imageId: t(0), remaining: 4 });
    expect(nextToAnnotate(ws.db, { finding: 'effusion', annotator: 'Ada', afterImageId: t(2) })).toEqual({
      imageId: t(2),
      remaining: 1,
    });
    expect(nextToAnnotate(ws.db, { finding: 'edema', annotator: 'Ada' })).toEqual({ imageId: null, remaining: 0 });
  });

  it('skips images the annotator drew on or flagged "no visible finding", for that annotator only', () => {
    label();
    newRegion(square, 'Ada', t(0));
    newRegion(square, 'Ada', t(1), 'effusion'); // another finding: still to do
    setFindingFlags(ws.db, { imageId: t(3), annotator: 'Ada', finding: 'nodule', noFinding: true, uncertain: false });
    setFindingFlags(ws.db, { imageId: t(4), annotator: 'Ada', finding: 'nodule', noFinding: false, uncertain: true });
    expect(next('Ada')).toEqual({ imageId: t(1), remaining: 2 });
    expect(next('Ada', t(1))).toEqual({ imageId: t(4), remaining: 2 });
    expect(next('Ada', t(4))).toEqual({ imageId: t(1), remaining: 2 });
    expect(next('Ben')).toEqual({ imageId: t(0), remaining: 4 });

    // A deleted region no longer counts; undoing the delete counts again.
    const own = openForAnnotation(ws.db, t(0), 'Ada').regions[0]?.id ?? -1;
    deleteRegion(ws.db, { id: own, annotator: 'Ada' });
    expect(next('Ada')).toEqual({ imageId: t(0), remaining: 3 });
    undoEdit(ws.db, t(0), 'Ada');
    expect(next('Ada')).toEqual({ imageId: t(1), remaining: 2 });

    newRegion(rect, 'Ada', t(1));
    newRegion(rect, 'Ada', t(4));
    expect(next('Ada', t(1))).toEqual({ imageId: null, remaining: 0 });
  });
});

describe('assertGeometryFitsImage (200 columns × 256 rows)', () => {
  const fits = (geometry: RegionGeometry) => () => assertGeometryFitsImage(geometry, imageSize);
  const refused = (geometry: RegionGeometry, message: RegExp): void =>
    expectInputError(fits(geometry), 'geometry', message);

  it('refuses points outside the image', () => {
    refused(
      {
        kind: 'polygon',
        points: [
          [0, 0],
          [200.5, 10],
          [10, 10],
        ],
      },
      /point 1 \(200\.5, 10\) lies outside/,
    );
    refused(
      {
        kind: 'polygon',
        points: [
          [0, 0],
          [10, 10],
          [5, -0.01],
        ],
      },
      /point 2 \(5, -0\.01\) lies outside/,
    );
    refused({ kind: 'stroke', points: [[10, 256.1]], radius: 2, erase: false }, /point 0 .* lies outside/);
  });

  it('refuses a rectangle whose far corner leaves the image', () => {
    refused({ kind: 'rect', x: 10, y: 200, width: 10, height: 57 }, /rectangle corner \(20, 257\)/);
    refused({ kind: 'rect', x: -1, y: 0, width: 10, height: 10 }, /rectangle corner \(-1, 0\)/);
  });

  it('refuses an ellipse centre outside and radii larger than the image', () => {
    refused({ kind: 'ellipse', cx: 201, cy: 10, rx: 5, ry: 5, rotation: 0 }, /ellipse centre \(201, 10\)/);
    refused({ kind: 'ellipse', cx: 100, cy: 100, rx: 256.5, ry: 5, rotation: 0 }, /ellipse radius 256\.5 is larger/);
    refused({ kind: 'ellipse', cx: 100, cy: 100, rx: 5, ry: 300, rotation: 0 }, /ellipse radius 300 is larger/);
    refused({ kind: 'stroke', points: [[10, 10]], radius: 257, erase: true }, /brush radius 257 is larger/);
  });

  it('accepts everything on the border', () => {
    const corners: [number, number][] = [
      [0, 0],
      [200, 0],
      [200, 256],
      [0, 256],
    ];
    expect(fits({ kind: 'polygon', points: corners })).not.toThrow();
    expect(fits({ kind: 'rect', x: 0, y: 0, width: 200, height: 256 })).not.toThrow();
    expect(fits({ kind: 'ellipse', cx: 200, cy: 256, rx: 256, ry: 256, rotation: 45 })).not.toThrow();
    expect(fits({ kind: 'ellipse', cx: 0, cy: 0, rx: 1, ry: 1, rotation: 0 })).not.toThrow();
    expect(fits({ kind: 'stroke', points: corners, radius: 256, erase: false })).not.toThrow();
    // And the store accepts them too.
    const saved = newRegion({ kind: 'rect', x: 0, y: 0, width: 200, height: 256 });
    expect(committedRow(saved.region.id)?.deleted).toBe(0);
  });
});
