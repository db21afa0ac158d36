import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  annotateImageSchema,
  historyStepSchema,
  regionGeometrySchema,
  regionSavedSchema,
  type RegionGeometry,
} from '../../src-main/api/annotation-schemas';
import { callOk, dxColumns, dxRows, imageIds, importDxWithCli } from '../helpers/annotation-workspace';
import { tempDir } from '../helpers/paths';
import { startHost, type RunningHost } from '../helpers/web-host';

const dir = tempDir('aligner-annotations-crash-');
const env = { ALIGNER_USER_DATA: join(dir.path, 'user-data') };
const db = join(dir.path, 'w.db');
let imageId: number;
let host: RunningHost | null = null;

beforeAll(async () => {
  await importDxWithCli(db, dir.path, { source: 'site-a', role: 'train', n: 1, seed: 41 }, env);
  imageId = imageIds(db)[0]?.id ?? -1;
  host = await startHost(['--db', db], env);
  await callOk(host.url, 'annotatorAdd', { name: 'Ada' });
});
afterAll(async () => {
  await host?.stop();
  dir.remove();
});

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Worker `w`'s `k`-th shape: lasso polygons of up to 400 vertices, or brush and eraser strokes; all on the image. */
function shape(w: number, k: number): RegionGeometry {
  const next = random(w * 1_000_003 + k);
  const point = (): [number, number] => [next() * dxColumns, next() * dxRows];
  const n = 3 + Math.floor(next() * 400);
  const points = Array.from({ length: n }, point);
  return w % 2 === 0
    ? { kind: 'polygon', points }
    : { kind: 'stroke', points, radius: 1 + next() * 20, erase: w === 3 && k % 3 === 0 };
}

interface Acknowledged {
  readonly id: number;
  readonly geometry: RegionGeometry;
}

/** Kill after this many acknowledged saves, or after `killAfterMs` once at least `minAcks` were acknowledged. */
const targetAcks = 150;
const killAfterMs = 1500;
const minAcks = 30;
/** On a badly overloaded machine, kill anyway (and fail on too few saves) rather than hang. */
const giveUpMs = 30_000;

describe('crash safety of region saves', () => {
  it('keeps every acknowledged save, and only whole ones, when the host is killed mid-stream', async () => {
    const running = host;
    if (!running) throw new Error('host not started');
    const acknowledged: Acknowledged[] = [];
    const unexpected: string[] = [];
    let inFlight = 0;
    let inFlightAtKill = -1;
    let killed = false;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      inFlightAtKill = inFlight;
      running.process.kill('SIGKILL');
    };
    const started = performance.now();
    const timer = setTimeout(kill, giveUpMs);

    const loop = async (w: number): Promise<void> => {
      for (let k = 0; !killed; k++) {
        const geometry = shape(w, k);
        inFlight += 1;
        try {
          const response = await fetch(new URL('/api/regionCreate', running.url), {
            method: 'POST',
            body: JSON.stringify({ imageId, annotator: 'Ada', finding: 'nodule', geometry }),
            headers: { 'Content-Type': 'application/json' },
          });
          const body: unknown = await response.json();
          if (response.status !== 200) {
            unexpected.push(`worker ${w} request ${k}: ${response.status} ${JSON.stringify(body)}`);
            return;
          }
          const saved = regionSavedSchema.parse((body as { value: unknown }).value);
          if (JSON.stringify(saved.region.geometry) !== JSON.stringify(geometry)) {
            unexpected.push(`worker ${w} request ${k}: answered geometry differs from the one sent`);
          }
          acknowledged.push({ id: saved.region.id, geometry: saved.region.geometry });
          const acks = acknowledged.length;
          if (acks >= targetAcks || (acks >= minAcks && performance.now() - started >= killAfterMs)) kill();
        } catch (err) {
          // After the kill, requests fail (reset, refused, truncated body); before it, nothing may.
          if (!killed) unexpected.push(`worker ${w} request ${k}: ${String(err)}`);
          return;
        } finally {
          inFlight -= 1;
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(loop));
    clearTimeout(timer);
    kill();
    await running.stop();
    host = null;

    expect(unexpected).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(minAcks);
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(running.process.signalCode).toBe('SIGKILL');
    // The killed host could not remove its lock file.
    expect(existsSync(`${db}.lock`)).toBe(true);

    const conn = new Database(db, { fileMustExist: true });
    let rowCount: number;
    try {
      expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(conn.pragma('foreign_key_check')).toEqual([]);
      const rows = conn.prepare('SELECT id, image_id, annotator, geometry, deleted FROM annotations').all() as {
        id: number;
        image_id: number;
        annotator: string;
        geometry: string;
        deleted: number;
      }[];
      rowCount = rows.length;
      const byId = new Map(rows.map((r) => [r.id, r]));
      const lost: number[] = [];
      for (const ack of acknowledged) {
        const row = byId.get(ack.id);
        if (!row) {
          lost.push(ack.id);
          continue;
        }
        expect(row).toMatchObject({ image_id: imageId, annotator: 'Ada', deleted: 0 });
        expect(regionGeometrySchema.parse(JSON.parse(row.geometry))).toEqual(ack.geometry);
      }
      expect(lost).toEqual([]);
      // Saved but unacknowledged regions may exist (the answer was in flight); half-saved ones may not.
      expect(rows.length).toBeGreaterThanOrEqual(acknowledged.length);
      const creates = conn
        .prepare(
          `SELECT a.id, COUNT(h.id) AS creates, SUM(h.after = a.geometry) AS same
           FROM annotations a LEFT JOIN annotation_history h ON h.annotation_id = a.id AND h.action = 'create'
           GROUP BY a.id`,
        )
        .all() as { id: number; creates: number; same: number | null }[];
      expect(creates.filter((c) => c.creates !== 1 || c.same !== 1)).toEqual([]);
      const history = conn.prepare('SELECT action, state, COUNT(*) AS n FROM annotation_history GROUP BY 1, 2').all();
      expect(history).toEqual([{ action: 'create', state: 'done', n: rows.length }]);
    } finally {
      conn.close();
    }

    // A new host takes over the stale lock and lists every region.
    const again = await startHost(['--db', db], env);
    host = again;
    const view = annotateImageSchema.parse(await callOk(again.url, 'annotateOpen', { imageId, annotator: 'Ada' }));
    expect(view.regions).toHaveLength(rowCount);
    const listed = new Map(view.regions.map((r) => [r.id, r.geometry]));
    expect(acknowledged.filter((ack) => !listed.has(ack.id))).toEqual([]);
    for (const ack of acknowledged) expect(listed.get(ack.id)).toEqual(ack.geometry);
    expect(view.history).toEqual({ canUndo: true, canRedo: false });
    // The undo history came through the crash too: undo takes back the newest saved region.
    const newest = view.regions.reduce((max, r) => Math.max(max, r.id), 0);
    const undone = historyStepSchema.parse(await callOk(again.url, 'annotationUndo', { imageId, annotator: 'Ada' }));
    expect(undone.applied).toEqual({ action: 'create', annotationId: newest });
    expect(undone.regions).toHaveLength(rowCount - 1);
    expect(await again.stop()).toBe(0);
    host = null;
    expect(existsSync(`${db}.lock`)).toBe(false);
  });
});
