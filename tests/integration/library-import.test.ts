import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWorkspace, type WorkspaceDb } from '../../src-main/core/db/open-workspace';
import { importPaths } from '../../src-main/core/library/import/import-job';
import { listSources } from '../../src-main/core/library/sources';
import { queryWorklist, readThumbnails } from '../../src-main/core/library/worklist';
import { worklistQuerySchema } from '../../src-main/api/library-schemas';
import { copyCorpusFiles, makeDxFiles } from '../helpers/dx-files';
import { tempDir } from '../helpers/paths';

let dir: ReturnType<typeof tempDir>;
let ws: WorkspaceDb;
beforeEach(() => {
  dir = tempDir();
  ws = openWorkspace(join(dir.path, 'w.db'));
});
afterEach(() => {
  ws.close();
  dir.remove();
});

function count(table: string): number {
  return ws.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

/** Every image has its blob, its model-size cache and its thumbnail: nothing half-written. */
function expectConsistent(db: Database.Database): void {
  const orphans = db
    .prepare(
      `SELECT count(*) FROM images i
       WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = i.blob_sha256)
          OR NOT EXISTS (SELECT 1 FROM image_cache c WHERE c.image_id = i.id)
          OR NOT EXISTS (SELECT 1 FROM thumbnails t WHERE t.image_id = i.id)`,
    )
    .pluck()
    .get();
  expect(orphans).toBe(0);
  expect(db.pragma('foreign_key_check')).toEqual([]);
}

const query = (q: unknown) => worklistQuerySchema.parse(q);

describe('importPaths', () => {
  it('imports a folder recursively, caches every image at model size, and reports a re-import as duplicates', async () => {
    const folder = join(dir.path, 'site-a');
    mkdirSync(join(folder, 'nested'), { recursive: true });
    makeDxFiles(folder, 3, 300, 240, 1);
    makeDxFiles(join(folder, 'nested'), 2, 300, 240, 2);
    const first = await importPaths(ws, [folder], { source: 'site-a', role: 'train' });
    expect(first).toMatchObject({ imported: 5, duplicates: 0, failed: [], cancelled: false });
    expect(count('images')).toBe(5);
    expectConsistent(ws.db);
    const cache = ws.db.prepare('SELECT size, length(pixels) AS n FROM image_cache').all() as {
      size: number;
      n: number;
    }[];
    expect(cache.every((c) => c.size === 224 && c.n === 224 * 224)).toBe(true);

    const second = await importPaths(ws, [folder], { source: 'site-a', role: 'train' });
    expect(second).toMatchObject({ imported: 0, duplicates: 5, failed: [] });
    expect(count('images')).toBe(5);
    expect(listSources(ws.db)).toEqual([expect.objectContaining({ name: 'site-a', role: 'train', imageCount: 5 })]);
  });

  it('stores demographics from the DICOM header, pseudonymised, never the patient name', async () => {
    const [file] = makeDxFiles(dir.path, 1, 128, 128, 7);
    await importPaths(ws, [file ?? ''], { source: 's', role: 'train' });
    const row = ws.db.prepare('SELECT * FROM images').get() as Record<string, unknown>;
    expect(row).toMatchObject({
      sex: 'M',
      age_years: 30,
      modality: 'DX',
      view_position: 'PA',
      rows: 128,
      cols: 128,
      bits_stored: 12,
    });
    expect(row.patient_pseudonym).toMatch(/\S/);
    expect(String(row.patient_pseudonym)).not.toContain('BENCH');
    expect(JSON.stringify(row)).not.toContain('Bench^Patient');
  });

  it('fails broken files alone, one line each, and imports the rest', async () => {
    const folder = join(dir.path, 'mixed');
    mkdirSync(folder);
    makeDxFiles(folder, 2, 128, 128, 3);
    copyCorpusFiles(folder, ['MR_truncated.dcm']);
    writeFileSync(join(folder, 'empty.dcm'), '');
    writeFileSync(join(folder, 'notes.bin'), 'this is not an image at all, just text that goes on for a while');
    symlinkSync(join(dir.path, 'nowhere.dcm'), join(folder, 'dangling.dcm'));
    symlinkSync(folder, join(folder, 'loop')); // a link back up must not hang the walk or import twice
    const summary = await importPaths(ws, [folder, join(dir.path, 'missing-folder')], { source: 's', role: 'train' });
    expect(summary.imported).toBe(2);
    const byName = Object.fromEntries(summary.failed.map((f) => [f.path.split('/').pop(), f.error]));
    expect(Object.keys(byName).sort()).toEqual(
      ['dangling.dcm', 'empty.dcm', 'missing-folder', 'MR_truncated.dcm', 'notes.bin'].sort(),
    );
    expect(byName['dangling.dcm']).toBe('no such file or folder');
    for (const error of Object.values(byName)) expect(error).not.toContain('\n');
    expect(count('images')).toBe(2);
    expect(count('blobs')).toBe(2);
    expectConsistent(ws.db);
  });

  it('reports the same SOPInstanceUID with different bytes instead of replacing it', async () => {
    const [file] = makeDxFiles(join(dir.path, 'a'), 1, 64, 64, 4);
    const bytes = readFileSync(file ?? '');
    await importPaths(ws, [file ?? ''], { source: 's', role: 'train' });
    const changed = Buffer.from(bytes);
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 0xff; // one pixel differs
    const copy = join(dir.path, 'changed.dcm');
    writeFileSync(copy, changed);
    const summary = await importPaths(ws, [copy], { source: 's', role: 'train' });
    expect(summary.imported).toBe(0);
    expect(summary.failed[0]?.error).toMatch(/SOPInstanceUID .* already in the workspace .* different bytes/);
    expect(count('images')).toBe(1);
  });

  it('refuses to move an existing source to another role', async () => {
    const [file] = makeDxFiles(dir.path, 1, 64, 64, 5);
    await importPaths(ws, [file ?? ''], { source: 'site-a', role: 'train' });
    await expect(importPaths(ws, [file ?? ''], { source: 'site-a', role: 'ood-test' })).rejects.toThrow(
      /exists with role train/,
    );
  });

  it('stops between files when cancelled, keeping what it imported', async () => {
    const files = makeDxFiles(dir.path, 6, 64, 64, 6);
    const controller = new AbortController();
    const summary = await importPaths(ws, files, {
      source: 's',
      role: 'train',
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.done >= 2) controller.abort();
      },
    });
    expect(summary.cancelled).toBe(true);
    expect(summary.imported).toBe(2);
    expectConsistent(ws.db);
  });

  it('reports progress with counts, rate and ETA', async () => {
    const files = makeDxFiles(dir.path, 3, 64, 64, 8);
    const seen: number[] = [];
    await importPaths(ws, files, {
      source: 's',
      role: 'train',
      progressIntervalMs: 0,
      onProgress: (p) => seen.push(p.done),
    });
    expect(seen.at(-1)).toBe(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe('importPaths with PNG and a labels CSV', () => {
  it('takes demographics and labels from an NIH-style CSV for PNG files, and rejects an unknown layout up front', async () => {
    const folder = join(dir.path, 'nih', 'images');
    mkdirSync(folder, { recursive: true });
    const grey = new Uint16Array(64 * 48).map((_, i) => (i * 37) % 65536);
    await sharp(Buffer.from(grey.buffer), { raw: { width: 64, height: 48, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toFile(join(folder, '00000001_000.png'));
    await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .jpeg()
      .toFile(join(folder, '00000002_000.jpg'));
    const csv = join(dir.path, 'nih', 'Data_Entry_2017.csv');
    writeFileSync(
      csv,
      [
        'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],',
        '00000001_000.png,Effusion|Mass,0,1,58,M,PA,64,48,0.143,0.143,',
        '00000002_000.jpg,No Finding,0,2,81,F,AP,40,40,0.168,0.168,',
      ].join('\n'),
    );
    const summary = await importPaths(ws, [folder], { source: 'nih', role: 'ood-test', labelsCsv: csv });
    expect(summary).toMatchObject({ imported: 2, failed: [] });
    const rows = queryWorklist(ws.db, query({ sort: { key: 'name', direction: 'asc' } })).rows;
    expect(rows.map((r) => [r.name, r.sex, r.age, r.labels])).toEqual([
      ['00000001_000.png', 'M', 58, { nodule: 1, effusion: 1, edema: 0 }],
      ['00000002_000.jpg', 'F', 81, { nodule: 0, effusion: 0, edema: 0 }],
    ]);
    expect(rows.every((r) => r.pseudonym !== null)).toBe(true);
    const formats = ws.db.prepare('SELECT format FROM images ORDER BY original_name').pluck().all();
    expect(formats).toEqual(['png', 'jpeg']);
    expect(queryWorklist(ws.db, query({ filter: { finding: 'effusion', label: 1 } })).total).toBe(1);

    const unknown = join(dir.path, 'unknown.csv');
    writeFileSync(unknown, 'colour,shape\nred,round\n');
    await expect(importPaths(ws, [folder], { source: 'nih', role: 'ood-test', labelsCsv: unknown })).rejects.toThrow(
      /colour/,
    );
  });
});

describe('worklist', () => {
  it('filters by source, sex, age group and text, sorts, pages, and serves thumbnails', async () => {
    makeDxFiles(join(dir.path, 'a'), 6, 64, 64, 9);
    makeDxFiles(join(dir.path, 'b'), 4, 64, 64, 10);
    await importPaths(ws, [join(dir.path, 'a')], { source: 'site-a', role: 'train' });
    await importPaths(ws, [join(dir.path, 'b')], { source: 'site-b', role: 'ood-test' });
    const all = queryWorklist(ws.db, query({}));
    expect(all.total).toBe(10);
    const siteB = listSources(ws.db).find((s) => s.name === 'site-b');
    expect(queryWorklist(ws.db, query({ filter: { sourceId: siteB?.id } })).total).toBe(4);
    expect(queryWorklist(ws.db, query({ filter: { role: 'ood-test' } })).total).toBe(4);
    const women = queryWorklist(ws.db, query({ filter: { sex: 'F' } }));
    expect(women.rows.every((r) => r.sex === 'F')).toBe(true);
    expect(women.total).toBe(all.rows.filter((r) => r.sex === 'F').length);
    const older = queryWorklist(ws.db, query({ filter: { ageGroup: 'atOrAbove', ageThreshold: 60 } }));
    expect(older.rows.every((r) => (r.age ?? 0) >= 60)).toBe(true);
    expect(older.total + queryWorklist(ws.db, query({ filter: { ageGroup: 'below' } })).total).toBe(10);
    const byAge = queryWorklist(ws.db, query({ sort: { key: 'age', direction: 'desc' } }));
    const ages = byAge.rows.map((r) => r.age ?? -1);
    expect(ages).toEqual([...ages].sort((a, b) => b - a));
    const page = queryWorklist(ws.db, query({ offset: 8, limit: 5 }));
    expect(page.rows).toHaveLength(2);
    expect(queryWorklist(ws.db, query({ filter: { text: 'dx00003' } })).total).toBe(2);
    expect(queryWorklist(ws.db, query({ filter: { text: '%' } })).total).toBe(0);
    const thumbs = readThumbnails(
      ws.db,
      all.rows.slice(0, 3).map((r) => r.id),
    );
    expect(thumbs).toHaveLength(3);
    expect(thumbs[0]?.dataUrl).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  });
});
