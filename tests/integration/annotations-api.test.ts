import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  annotateImageSchema,
  annotatorListSchema,
  findingFlagsSchema,
  historyStepSchema,
  nextToAnnotateSchema,
  regionCreateInputSchema,
  regionDeletedSchema,
  regionSavedSchema,
} from '../../src-main/api/annotation-schemas';
import { binaryContentType, decodeBinaryFrame } from '../../src-main/api/binary-frame';
import { imagePixelsMetaSchema } from '../../src-main/api/viewer-schemas';
import { decodeFrame, parseDicom, toModalityValues } from '../../src-main/core/dicom';
import {
  callOk,
  dxColumns,
  dxRows,
  errorOf,
  imageIds,
  importDxWithCli,
  importFolderWithCli,
  postCall,
  postRaw,
  storeCounts,
  type CallAnswer,
} from '../helpers/annotation-workspace';
import { copyCorpusFiles } from '../helpers/dx-files';
import { tempDir } from '../helpers/paths';
import { startHost, type RunningHost } from '../helpers/web-host';

const dir = tempDir('aligner-annotations-api-');
const env = { ALIGNER_USER_DATA: join(dir.path, 'user-data') };
const db = join(dir.path, 'w.db');
let host: RunningHost;
let dxFile: string;
let ctFile: string;
let dxImage: number;
/** The second DX image, for the round trip. */
let otherDx: number;
let ctImage: number;
/** A region of Ada's on the DX image. */
let adaRegion: number;

beforeAll(async () => {
  [dxFile = ''] = await importDxWithCli(db, dir.path, { source: 'site-a', role: 'train', n: 2, seed: 31 }, env);
  // A CT slice with RescaleIntercept -1024 and signed pixels: the modality mapping is not the identity.
  const ctFolder = join(dir.path, 'site-ct');
  mkdirSync(ctFolder);
  [ctFile = ''] = copyCorpusFiles(ctFolder, ['CT_small.dcm']);
  await importFolderWithCli(db, ctFolder, 'site-ct', 'validation', env);
  const images = imageIds(db);
  dxImage = images.find((i) => i.name === 'dx00000.dcm')?.id ?? -1;
  otherDx = images.find((i) => i.name === 'dx00001.dcm')?.id ?? -1;
  ctImage = images.find((i) => i.name === 'CT_small.dcm')?.id ?? -1;
  host = await startHost(['--db', db], env);
  await callOk(host.url, 'annotatorAdd', { name: 'Ada' });
  await callOk(host.url, 'annotatorAdd', { name: 'Ben' });
  const saved = regionSavedSchema.parse(
    await callOk(host.url, 'regionCreate', {
      imageId: dxImage,
      annotator: 'Ada',
      finding: 'nodule',
      geometry: { kind: 'rect', x: 10, y: 10, width: 20, height: 20 },
    }),
  );
  adaRegion = saved.region.id;
});
afterAll(async () => {
  await host.stop();
  dir.remove();
});

const validInput = () => ({
  imageId: dxImage,
  annotator: 'Ada',
  finding: 'nodule',
  geometry: {
    kind: 'polygon',
    points: [
      [10, 10],
      [50, 10],
      [30, 40],
    ],
  },
});

/** Runs a request that must be refused as invalid_input on `field`, and checks that nothing was written. */
async function expectRefused(
  request: () => Promise<CallAnswer>,
  field: string,
  message?: RegExp,
): Promise<{ message: string }> {
  const before = storeCounts(db);
  const answer = await request();
  expect(answer.status).toBe(400);
  const error = errorOf(answer);
  expect(error).toMatchObject({ code: 'invalid_input', field });
  if (message) expect(error.message).toMatch(message);
  expect(storeCounts(db)).toEqual(before);
  return error;
}

describe('annotation calls refuse bad input over HTTP, naming the field, writing nothing', () => {
  it('geometry outside the image', async () => {
    const polygon = {
      kind: 'polygon',
      points: [
        [10, 10],
        [50, 10],
        [dxColumns + 0.5, 40],
      ],
    };
    await expectRefused(
      () => postCall(host.url, 'regionCreate', { ...validInput(), geometry: polygon }),
      'geometry',
      /point 2 \(200\.5, 40\) lies outside the 200×256 image/,
    );
    await expectRefused(
      () => postCall(host.url, 'regionUpdate', { id: adaRegion, annotator: 'Ada', geometry: polygon }),
      'geometry',
    );
    const ellipse = { kind: 'ellipse', cx: 100, cy: 100, rx: 2 * dxRows, ry: 4 };
    await expectRefused(
      () => postCall(host.url, 'regionCreate', { ...validInput(), geometry: ellipse }),
      'geometry',
      /ellipse radius 512 is larger than the image \(256 px\)/,
    );
  });

  it('NaN and Infinity coordinates, however they are spelt in JSON', async () => {
    const withFirst = (x: unknown) => ({
      ...validInput(),
      geometry: {
        kind: 'polygon',
        points: [
          [x, 10],
          [50, 10],
          [30, 40],
        ],
      },
    });
    for (const x of [null, 'NaN', 'Infinity', '1e3']) {
      await expectRefused(() => postCall(host.url, 'regionCreate', withFirst(x)), 'geometry.points.0.0');
    }
    // JSON.parse reads 1e999 as Infinity: the schema's finite() must catch it.
    const body = JSON.stringify(withFirst(12345)).replace('12345', '1e999');
    await expectRefused(() => postRaw(host.url, 'regionCreate', body), 'geometry.points.0.0');
    const rect = JSON.stringify({ ...validInput(), geometry: { kind: 'rect', x: 1, y: 1, width: 12345, height: 5 } });
    await expectRefused(() => postRaw(host.url, 'regionCreate', rect.replace('12345', '-1e999')), 'geometry.width');
    const update = JSON.stringify({
      id: adaRegion,
      annotator: 'Ada',
      geometry: { kind: 'stroke', points: [[5, 5]], radius: 12345 },
    });
    await expectRefused(() => postRaw(host.url, 'regionUpdate', update.replace('12345', '1e999')), 'geometry.radius');
  });

  it('the schema itself refuses NaN and Infinity (JSON cannot carry them, IPC can)', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const parsed = regionCreateInputSchema.safeParse({
        ...validInput(),
        geometry: {
          kind: 'polygon',
          points: [
            [10, 10],
            [50, bad],
            [30, 40],
          ],
        },
      });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['geometry', 'points', 1, 1]);
      const ellipse = regionCreateInputSchema.safeParse({
        ...validInput(),
        geometry: { kind: 'ellipse', cx: 10, cy: 10, rx: 5, ry: 5, rotation: bad },
      });
      expect(ellipse.error?.issues[0]?.path).toEqual(['geometry', 'rotation']);
    }
    expect(regionCreateInputSchema.safeParse(validInput()).success).toBe(true);
  });

  it('an unknown image, finding or annotator, and another annotator’s region', async () => {
    await expectRefused(
      () => postCall(host.url, 'regionCreate', { ...validInput(), imageId: 99_999 }),
      'imageId',
      /no image with id 99999/,
    );
    await expectRefused(() => postCall(host.url, 'regionCreate', { ...validInput(), imageId: 0 }), 'imageId');
    await expectRefused(
      () => postCall(host.url, 'regionCreate', { ...validInput(), finding: 'pneumothorax' }),
      'finding',
    );
    await expectRefused(
      () => postCall(host.url, 'regionCreate', { ...validInput(), annotator: 'Zed' }),
      'annotator',
      /unknown annotator 'Zed'/,
    );
    await expectRefused(() => postCall(host.url, 'regionCreate', { ...validInput(), annotator: '  ' }), 'annotator');
    await expectRefused(
      () => postCall(host.url, 'regionUpdate', { id: adaRegion, annotator: 'Ben', geometry: validInput().geometry }),
      'id',
      /drawn by Ada/,
    );
    await expectRefused(() => postCall(host.url, 'regionDelete', { id: adaRegion, annotator: 'Ben' }), 'id');
    await expectRefused(() => postCall(host.url, 'regionDelete', { id: 99_999, annotator: 'Ada' }), 'id');
    await expectRefused(
      () => postCall(host.url, 'readNoteSet', { imageId: 99_999, annotator: 'Ada', note: 'x' }),
      'imageId',
    );
    await expectRefused(
      () => postCall(host.url, 'readActivity', { imageId: dxImage, annotator: 'Ada', seconds: Number.MAX_VALUE }),
      'seconds',
    );
  });

  it('a polygon of 20,001 points (one over the limit); 20,000 full-precision points are saved', async () => {
    // A lasso's vertices are full-precision doubles: the largest valid region must still fit the body limit.
    const ring = (n: number): [number, number][] =>
      Array.from({ length: n }, (_, k) => {
        const a = (2 * Math.PI * k) / n;
        return [100 + 80 * Math.cos(a), 128 + 100 * Math.sin(a)];
      });
    const error = await expectRefused(
      () =>
        postCall(host.url, 'regionCreate', { ...validInput(), geometry: { kind: 'polygon', points: ring(20_001) } }),
      'geometry.points',
    );
    expect(error.message).toMatch(/geometry\.points/);
    const before = storeCounts(db);
    const largest = { ...validInput(), geometry: { kind: 'polygon', points: ring(20_000) } };
    expect(JSON.stringify(largest).length).toBeGreaterThan(700_000);
    const saved = regionSavedSchema.parse(await callOk(host.url, 'regionCreate', largest));
    expect(saved.region.geometry).toEqual(largest.geometry);
    expect(storeCounts(db)).toEqual({ ...before, annotations: before.annotations + 1, history: before.history + 1 });
  });

  it('a million-point payload: the host refuses the body (413) and stays up', async () => {
    const points = Array.from({ length: 1_000_000 }, (_, k): [number, number] => [k % 200, (k * 7) % 256]);
    const before = storeCounts(db);
    const answer = await postCall(host.url, 'regionCreate', { ...validInput(), geometry: { kind: 'polygon', points } });
    expect(answer.status).toBe(413);
    expect(errorOf(answer)).toMatchObject({ code: 'invalid_input', message: 'request body too large' });
    expect(storeCounts(db)).toEqual(before);
    expect((await fetch(new URL('/api/health', host.url))).status).toBe(200);
  });
});

describe('annotation calls over HTTP', () => {
  it('create, update, undo, redo, delete, flags, note, time and next answer within the contract', async () => {
    const ref = { imageId: otherDx, annotator: 'Ben' };
    const call = (name: string, input: unknown) => callOk(host.url, name, input);
    // The schema fills the ellipse's rotation; what is stored is what the answer shows.
    const ellipse = { kind: 'ellipse', cx: 50, cy: 60, rx: 10, ry: 5 } as const;
    const stored = { ...ellipse, rotation: 0 };
    const rect = { kind: 'rect', x: 1, y: 2, width: 3, height: 4 } as const;
    const created = regionSavedSchema.parse(
      await call('regionCreate', { ...ref, finding: 'effusion', geometry: ellipse }),
    );
    const id = created.region.id;
    expect(created).toMatchObject({ region: { geometry: stored }, history: { canUndo: true, canRedo: false } });
    const updated = regionSavedSchema.parse(await call('regionUpdate', { id, annotator: 'Ben', geometry: rect }));
    expect(updated.region.createdAt).toBe(created.region.createdAt);
    expect(updated.region.updatedAt >= created.region.updatedAt).toBe(true);

    const undone = historyStepSchema.parse(await call('annotationUndo', ref));
    expect(undone).toMatchObject({
      applied: { action: 'update', annotationId: id },
      history: { canUndo: true, canRedo: true },
    });
    expect(undone.regions.map((r) => r.geometry)).toEqual([stored]);
    const redone = historyStepSchema.parse(await call('annotationRedo', ref));
    expect(redone.applied).toEqual({ action: 'update', annotationId: id });
    expect(redone.regions.map((r) => r.geometry)).toEqual([rect]);
    expect(regionDeletedSchema.parse(await call('regionDelete', { id, annotator: 'Ben' }))).toEqual({
      id,
      history: { canUndo: true, canRedo: false },
    });
    // Ada has nothing to undo on this image: Ben's edits are not hers.
    expect(historyStepSchema.parse(await call('annotationUndo', { ...ref, annotator: 'Ada' }))).toEqual({
      applied: null,
      regions: [],
      history: { canUndo: false, canRedo: false },
    });

    const flags = z
      .array(findingFlagsSchema)
      .parse(await call('findingFlagSet', { ...ref, finding: 'nodule', noFinding: true, uncertain: true }));
    expect(flags.map((f) => [f.finding, f.noFinding, f.uncertain])).toEqual([['nodule', true, true]]);
    expect(await call('readNoteSet', { ...ref, note: 'blunted angle' })).toEqual({
      note: 'blunted angle',
      activeSeconds: 0,
    });
    await call('readActivity', { ...ref, seconds: 2.5 });
    expect(await call('readActivity', { ...ref, seconds: 7.5 })).toEqual({ note: 'blunted angle', activeSeconds: 10 });

    const view = annotateImageSchema.parse(await call('annotateOpen', ref));
    expect(view).toMatchObject({ regions: [], note: 'blunted angle', activeSeconds: 10, history: { canUndo: true } });
    expect(view.flags).toHaveLength(1);
    const forAda = annotateImageSchema.parse(await call('annotateOpen', { ...ref, annotator: 'Ada' }));
    expect(forAda).toMatchObject({ flags: [], note: '', activeSeconds: 0 });
    // The CLI import gave no labels: nothing is positive, so nothing is next.
    expect(nextToAnnotateSchema.parse(await call('nextToAnnotate', { finding: 'nodule', annotator: 'Ben' }))).toEqual({
      imageId: null,
      remaining: 0,
    });
    const { annotators } = annotatorListSchema.parse(await call('annotatorsList', {}));
    expect(annotators.map((a) => [a.name, a.registered])).toEqual([
      ['Ada', true],
      ['Ben', true],
    ]);
    expect(annotators.find((a) => a.name === 'Ben')?.regions).toBe(0);
  });
});

describe('imagePixels over POST /api/binary/imagePixels', () => {
  async function pixels(imageId: number): Promise<{ meta: unknown; data: Uint8Array; type: string | null }> {
    const response = await fetch(new URL('/api/binary/imagePixels', host.url), {
      method: 'POST',
      body: JSON.stringify({ imageId }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(response.status).toBe(200);
    const frame = decodeBinaryFrame(await response.arrayBuffer());
    return { ...frame, type: response.headers.get('content-type') };
  }

  /** Every pixel's value × scale + bias must be the modality value of the same DICOM file. */
  async function expectModalityValues(imageId: number, file: string, columns: number, rows: number): Promise<void> {
    const answer = await pixels(imageId);
    expect(answer.type).toBe(binaryContentType);
    const meta = imagePixelsMetaSchema.parse(answer.meta);
    expect(meta).toMatchObject({ imageId, columns, rows, invert: false, quantised: false });
    expect(answer.data.byteLength).toBe(columns * rows * 2);
    expect(answer.data.byteOffset % 2).toBe(0);
    const values = new Uint16Array(answer.data.buffer, answer.data.byteOffset, columns * rows);

    const parsed = parseDicom(new Uint8Array(readFileSync(file)));
    const expected = toModalityValues(await decodeFrame(parsed, 0), parsed.meta);
    expect(expected).toHaveLength(columns * rows);
    const mismatches: string[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    let top = 0;
    for (let i = 0; i < expected.length; i++) {
      top = Math.max(top, values[i] ?? 0);
      const want = expected[i] ?? Number.NaN;
      const got = (values[i] ?? Number.NaN) * meta.scale + meta.bias;
      if (Math.abs(got - want) > 1e-6 * Math.max(1, Math.abs(want)) && mismatches.length < 5) {
        mismatches.push(`pixel ${i}: ${got} ≠ ${want}`);
      }
      lo = Math.min(lo, want);
      hi = Math.max(hi, want);
    }
    expect(mismatches).toEqual([]);
    expect([meta.modalityMin, meta.modalityMax]).toEqual([lo, hi]);
    expect(meta.maxValue).toBe(top);
  }

  it('answers a DX image as a frame whose values map back to the modality values', async () => {
    await expectModalityValues(dxImage, dxFile, dxColumns, dxRows);
  });

  it('answers a CT slice (signed, intercept −1024) with the same modality values', async () => {
    await expectModalityValues(ctImage, ctFile, 128, 128);
  });

  it('answers an unknown image with 400 and a JSON error', async () => {
    const response = await fetch(new URL('/api/binary/imagePixels', host.url), {
      method: 'POST',
      body: JSON.stringify({ imageId: 99_999 }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'imageId' } });
    const invalid = await postCall(host.url, 'binary/imagePixels', { imageId: -1 });
    expect(invalid.status).toBe(400);
    expect(errorOf(invalid)).toMatchObject({ code: 'invalid_input', field: 'imageId' });
  });
});
