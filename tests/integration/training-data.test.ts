import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionGeometry } from '../../src-main/api/annotation-schemas';
import { rasterizeRegions } from '../../src-main/core/annotations/rasterize';
import { listRegions } from '../../src-main/core/annotations/regions';
import { openWorkspace, type WorkspaceDb } from '../../src-main/core/db/open-workspace';
import { importSimulatedAnnotations } from '../../src-main/core/library/import-annotations';
import { ensureSource } from '../../src-main/core/library/sources';
import type { AnnotationsFile } from '../../src-main/core/simulator';
import {
  AlignmentShortageError,
  batches,
  chooseAligned,
  loadExamples,
  pixelStatistics,
  resizeSquare,
  type Example,
  type LoadExamplesOptions,
} from '../../src-main/core/training/data';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/paths';

const dir = tempDir('aligner-training-data-');
const dbPath = join(dir.path, 'ws.db');
const S = 64;
const R = 32;
const findings = ['nodule', 'effusion'];
let ws: WorkspaceDb;
/** The image whose regions get an eraser and a deleted region (an annotated nodule positive). */
let edited: number;

async function simulate(args: readonly string[]): Promise<void> {
  const run = await runCli([
    'simulate',
    '--size',
    '128',
    '--findings',
    findings.join(','),
    '--into-db',
    '--db',
    dbPath,
    ...args,
  ]);
  if (run.code !== 0) throw new Error(`aligner simulate exited ${run.code}:\n${run.stderr}`);
}

beforeAll(async () => {
  const train = join(dir.path, 'train');
  await simulate(['--out', train, '--n', '40', '--seed', '1', '--prevalence', '0.4', '--annotators', '2']);
  await simulate([
    '--out',
    join(dir.path, 'val'),
    '--n',
    '6',
    '--seed',
    '2',
    '--site',
    'hillcrest',
    '--role',
    'validation',
  ]);
  ws = openWorkspace(dbPath);
  // `simulate --into-db` stored the readers' regions too; importing them again adds nothing.
  expect(ws.db.prepare('SELECT COUNT(*) FROM annotations').pluck().get()).toBeGreaterThan(0);
  const sourceId = ws.db.prepare("SELECT id FROM sources WHERE name = 'riverside'").pluck().get() as number;
  const file = JSON.parse(readFileSync(join(train, 'annotations.json'), 'utf8')) as AnnotationsFile;
  expect(importSimulatedAnnotations(ws.db, sourceId, file)).toBe(0);
  ensureSource(ws.db, 'empty-site', 'train');
  // On one annotated nodule image: reader A erases everything they drew, reader "late" adds a rectangle and
  // deletes another one. The mask must be the union of per-reader masks, each with only their own erasers.
  const target = ws.db
    .prepare(
      `SELECT a.image_id AS imageId, a.annotator FROM annotations a
       WHERE a.finding = 'nodule' AND a.deleted = 0 ORDER BY a.image_id, a.id LIMIT 1`,
    )
    .get() as { imageId: number; annotator: string };
  edited = target.imageId;
  const insert = ws.db.prepare(
    'INSERT INTO annotations (image_id, finding, annotator, geometry, deleted) VALUES (?, ?, ?, ?, ?)',
  );
  const eraser: RegionGeometry = { kind: 'stroke', points: [[0, 64]], radius: 200, erase: true };
  insert.run(edited, 'nodule', target.annotator, JSON.stringify(eraser), 0);
  insert.run(edited, 'nodule', 'late', JSON.stringify({ kind: 'rect', x: 10, y: 10, width: 20, height: 12 }), 0);
  insert.run(edited, 'nodule', 'late', JSON.stringify({ kind: 'rect', x: 90, y: 90, width: 30, height: 30 }), 1);
}, 120_000);

afterAll(() => {
  ws?.close();
  dir.remove();
});

const options: LoadExamplesOptions = { sources: ['riverside', 'hillcrest'], findings, imageSize: S, maskSize: R };

/** The reference mask: union over annotators of each annotator's live regions, rasterised in id order at R. */
function referenceMask(imageId: number, finding: string, annotators?: readonly string[]): Uint8Array | null {
  const regions = listRegions(ws.db, imageId).filter(
    (r) => r.finding === finding && (annotators === undefined || annotators.includes(r.annotator)),
  );
  const image = ws.db.prepare('SELECT rows, cols AS columns FROM images WHERE id = ?').get(imageId) as {
    rows: number;
    columns: number;
  };
  const union = new Uint8Array(R * R);
  for (const who of new Set(regions.map((r) => r.annotator))) {
    const own = regions.filter((r) => r.annotator === who).map((r) => r.geometry);
    rasterizeRegions(own, image, { width: R, height: R }).forEach((v, i) => (union[i] = (union[i] as number) | v));
  }
  return union.includes(1) ? union : null;
}

describe('loadExamples on a simulated workspace', () => {
  let examples: Example[];
  beforeAll(() => {
    examples = loadExamples(ws.db, options);
  });

  it('reads every image of the sources with its demographics, role and resized cache', () => {
    expect(examples).toHaveLength(46);
    // Ordered by key, the SHA-256 of the image's file, which is not the import order (the ids).
    const keys = ws.db.prepare('SELECT id, blob_sha256 FROM images').all() as { id: number; blob_sha256: string }[];
    const keyOf = new Map(keys.map((k) => [k.id, k.blob_sha256]));
    expect(examples.map((e) => e.key)).toEqual(examples.map((e) => keyOf.get(e.imageId)));
    expect(examples.map((e) => e.key)).toEqual(examples.map((e) => e.key).sort());
    expect(examples.map((e) => e.imageId)).not.toEqual([...examples.map((e) => e.imageId)].sort((a, b) => a - b));
    expect(examples.filter((e) => e.role === 'train').every((e) => e.source === 'riverside')).toBe(true);
    expect(examples.filter((e) => e.role === 'validation')).toHaveLength(6);
    const row = ws.db
      .prepare(
        `SELECT i.sex, i.age_years AS age, i.rows, i.cols, c.pixels FROM images i
         JOIN image_cache c ON c.image_id = i.id AND c.size = 224 WHERE i.id = ?`,
      )
      .get(examples[3]?.imageId) as { sex: string; age: number; rows: number; cols: number; pixels: Buffer };
    const e = examples[3] as Example;
    expect([e.sex, e.age, e.rows, e.cols]).toEqual([row.sex, row.age, 128, 128]);
    expect(e.pixels).toHaveLength(S * S);
    expect([...e.pixels]).toEqual([...resizeSquare(new Uint8Array(row.pixels), 224, S)]);
    const big = loadExamples(ws.db, { ...options, sources: ['hillcrest'], imageSize: 256 });
    expect(big[0]?.pixels).toHaveLength(256 * 256);
  });

  it('gives the stored labels, null where there is none', () => {
    const stored = ws.db.prepare('SELECT image_id AS id, finding, value FROM labels').all() as {
      id: number;
      finding: string;
      value: number;
    }[];
    for (const e of examples) {
      findings.forEach((finding, c) => {
        const label = stored.find((l) => l.id === e.imageId && l.finding === finding);
        expect(e.labels[c], `${e.imageId} ${finding}`).toBe(label === undefined ? null : label.value);
      });
    }
    expect(examples.some((e) => e.labels[0] === 1) && examples.some((e) => e.labels[0] === 0)).toBe(true);
  });

  it('makes each mask the union of each annotator’s own rasterised regions at R, null without regions', () => {
    let withMask = 0;
    for (const e of examples) {
      findings.forEach((finding, c) => {
        const expected = referenceMask(e.imageId, finding);
        const mask = e.masks[c];
        expect(mask === null, `${e.imageId} ${finding}`).toBe(expected === null);
        if (mask && expected) {
          expect([...mask]).toEqual([...expected]);
          withMask++;
        }
      });
    }
    expect(withMask).toBeGreaterThan(5);
    // The edited image: the erasing reader contributes nothing; the other reader and 'late' remain.
    const e = examples.find((x) => x.imageId === edited) as Example;
    const mask = e.masks[0] as Uint8Array;
    expect(mask[Math.floor((16 / 128) * R) * R + Math.floor((20 / 128) * R)]).toBe(1); // inside 'late' rect
    expect(mask[Math.floor((105 / 128) * R) * R + Math.floor((105 / 128) * R)]).toBe(0); // deleted rect
    const late = loadExamples(ws.db, { ...options, annotators: ['late'] }).find((x) => x.imageId === edited);
    // Another reader's region survives the first reader's eraser: more than 'late' alone.
    const count = (m: Uint8Array | null | undefined): number => (m ?? new Uint8Array()).reduce((n, v) => n + v, 0);
    expect(count(mask)).toBeGreaterThan(count(late?.masks[0]));
    expect([...(late?.masks[0] as Uint8Array)]).toEqual([...(referenceMask(edited, 'nodule', ['late']) as Uint8Array)]);
    const readers = ws.db.prepare("SELECT DISTINCT annotator FROM annotations WHERE annotator <> 'late'").pluck().all();
    const byReaders = loadExamples(ws.db, { ...options, annotators: readers as string[] });
    for (const x of byReaders) {
      const expected = referenceMask(x.imageId, 'nodule', readers as string[]);
      expect(x.masks[0] && [...x.masks[0]]).toEqual(expected && [...expected]);
    }
  });

  it('feeds chooseAligned (with its shortage error) and batches', async () => {
    const training = examples.filter((e) => e.role === 'train');
    const positives = training.filter((e) => e.labels.some((l) => l === 1)).length;
    const annotated = training.filter((e) => e.labels.some((l, c) => l === 1 && e.masks[c])).length;
    expect(annotated).toBeLessThan(positives);
    expect(() => chooseAligned(examples, { fraction: 1, seed: 3 })).toThrow(AlignmentShortageError);
    expect(() => chooseAligned(examples, { fraction: 1, seed: 3 })).toThrow(
      new RegExp(`needs ${positives} .* but ${annotated} have a region: draw regions on ${positives - annotated} more`),
    );
    const { aligned } = chooseAligned(examples, { fraction: 1, seed: 3, onShortage: 'use-available' });
    expect(aligned.size).toBe(annotated);
    let weights = 0;
    let seen = 0;
    for await (const batch of batches(training, {
      batchSize: 16,
      seed: 3,
      epoch: 0,
      maskSize: R,
      normalise: pixelStatistics(training),
      augment: true,
      aligned,
    })) {
      seen += batch.imageIds.length;
      weights += batch.alignWeight.reduce((s, v) => s + v, 0);
      expect(batch.images.every(Number.isFinite)).toBe(true);
    }
    expect(seen).toBe(40);
    const pairs = training.reduce(
      (n, e) => n + (aligned.has(e.imageId) ? e.labels.filter((l, c) => l === 1 && e.masks[c]).length : 0),
      0,
    );
    expect(weights).toBe(pairs);
  });

  it('refuses unknown or empty sources, unknown findings and a finding without training positives', () => {
    expect(() => loadExamples(ws.db, { ...options, sources: ['nowhere'] })).toThrow(
      /unknown source 'nowhere'; the workspace has 'empty-site', 'hillcrest', 'riverside'/,
    );
    expect(() => loadExamples(ws.db, { ...options, sources: ['riverside', 'empty-site'] })).toThrow(
      /source 'empty-site' has no images/,
    );
    expect(() => loadExamples(ws.db, { ...options, sources: [] })).toThrow(/at least one source/);
    expect(() => loadExamples(ws.db, { ...options, findings: ['nodule', 'fracture'] })).toThrow(
      /unknown finding 'fracture'/,
    );
    // The cohort simulated no edema: no positive label in the training source.
    expect(() => loadExamples(ws.db, { ...options, findings: ['nodule', 'edema'] })).toThrow(
      /finding 'edema' has no positive label in the training sources \('riverside'\)/,
    );
    // Validation only: no training source, so no positive check.
    expect(loadExamples(ws.db, { ...options, sources: ['hillcrest'], findings: ['edema'] })).toHaveLength(6);
    expect(() => loadExamples(ws.db, { ...options, maskSize: 0 })).toThrow(/maskSize/);
  });

  it('names the image whose cache row is missing', () => {
    const image = examples[5] as Example;
    const row = ws.db
      .prepare('SELECT * FROM image_cache WHERE image_id = ? AND size = 224')
      .get(image.imageId) as Record<string, unknown>;
    ws.db.prepare('DELETE FROM image_cache WHERE image_id = ?').run(image.imageId);
    try {
      expect(() => loadExamples(ws.db, options)).toThrow(
        new RegExp(`image ${image.imageId} \\(riverside-\\d+\\.dcm, source 'riverside'\\) has no 224×224 cache row`),
      );
    } finally {
      ws.db
        .prepare(
          'INSERT INTO image_cache (image_id, size, window_center, window_width, pixels) VALUES (@image_id, @size, @window_center, @window_width, @pixels)',
        )
        .run(row);
    }
    expect(loadExamples(ws.db, options)).toHaveLength(46);
  });
});
