import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { regionGeometrySchema, type RegionGeometry } from '../../src-main/api/annotation-schemas';
import { rasterizeRegions } from '../../src-main/core/annotations/rasterize';
import { launchChromium, OpenedPages, screenshotPath } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { makeDxFiles } from '../helpers/dx-files';
import { tempDir } from '../helpers/paths';
import { startHost, type RunningHost } from '../helpers/web-host';

/**
 * The Annotate view end to end in Chromium through the browser host: a reader
 * is chosen, an image opened from the Library, and regions drawn with real
 * mouse events (lasso/polygon, brush, ellipse, rectangle, eraser), undone and
 * redone, drawn again after zooming and panning, and found again after a
 * reload; then the rows are read back from the SQLite file and rasterised.
 * Every wait is on the app's own signals (save state, render counter).
 */

const rows = 600;
const cols = 500;
const reader = 'Dr E2E';

let browser: Browser;
let host: RunningHost;
let dir: ReturnType<typeof tempDir>;
let dbPath: string;
const opened = new OpenedPages();

beforeAll(async () => {
  dir = tempDir('aligner-e2e-annotate-');
  const folder = join(dir.path, 'site-a');
  makeDxFiles(folder, 3, rows, cols, 21);
  dbPath = join(dir.path, 'workspace.db');
  const imported = await runCli(['import', folder, '--db', dbPath, '--source', 'site-a', '--role', 'train']);
  expect(imported.code, imported.stderr).toBe(0);
  [browser, host] = await Promise.all([
    launchChromium(),
    startHost(['--db', dbPath], { ALIGNER_USER_DATA: join(dir.path, 'user-data') }),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  dir?.remove();
});
// Every page a test opened must end without uncaught errors or console errors.
afterEach(async () => {
  expect(await opened.closeAll(), 'errors in the browser').toEqual([]);
});

function newPage(): Promise<Page> {
  return opened.open(browser, { width: 1280, height: 900 });
}

const canvas = (page: Page) => page.getByTestId('annotate-canvas');

async function waitLoaded(page: Page): Promise<void> {
  await page.locator('[data-testid="annotate-canvas"][data-loaded="true"]').waitFor();
}

/** Waits until the app says `count` edits were saved and nothing is in flight. */
async function waitSaved(page: Page, count: number): Promise<void> {
  await page.locator(`[data-testid="save-state"][data-state="saved"][data-saved-count="${count}"]`).waitFor();
}

interface ViewTransform {
  scale: number;
  x: number;
  y: number;
  left: number;
  top: number;
}

async function transform(page: Page): Promise<ViewTransform> {
  const el = canvas(page);
  const [scale, x, y] = await Promise.all(['data-scale', 'data-x', 'data-y'].map((a) => el.getAttribute(a)));
  const box = await el.boundingBox();
  if (!box) throw new Error('canvas not on screen');
  return { scale: Number(scale), x: Number(x), y: Number(y), left: box.x, top: box.y };
}

/** Page coordinates of an image point under the current zoom and pan. */
function toPage(t: ViewTransform, ix: number, iy: number): [number, number] {
  return [t.left + t.x + ix * t.scale, t.top + t.y + iy * t.scale];
}

/** The image point the app computes for a page point (as the canvas does, rounded to 1/100 px). */
function toImage(t: ViewTransform, px: number, py: number): [number, number] {
  const r = (v: number) => Math.round(v * 100) / 100;
  return [r((px - t.left - t.x) / t.scale), r((py - t.top - t.y) / t.scale)];
}

async function drag(page: Page, from: [number, number], to: [number, number], steps = 8): Promise<void> {
  await page.mouse.move(from[0], from[1]);
  await page.mouse.down();
  await page.mouse.move(to[0], to[1], { steps });
  await page.mouse.up();
}

function readRegions(): {
  id: number;
  finding: string;
  annotator: string;
  geometry: RegionGeometry;
  deleted: number;
}[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const found = db.prepare('SELECT id, finding, annotator, geometry, deleted FROM annotations ORDER BY id').all() as {
      id: number;
      finding: string;
      annotator: string;
      geometry: string;
      deleted: number;
    }[];
    return found.map((r) => ({ ...r, geometry: regionGeometrySchema.parse(JSON.parse(r.geometry)) }));
  } finally {
    db.close();
  }
}

describe('Annotate view', () => {
  it('asks who is annotating, opens an image from the Library at full resolution, draws with every tool, undoes and redoes, zooms, pans, and keeps it all over a reload', async () => {
    const page = await newPage();
    await page.goto(`${host.url}#/annotate`);
    await page.getByTestId('annotator-gate').waitFor();
    await page.getByTestId('annotator-name').fill(reader);
    await page.getByTestId('annotator-submit').click();

    await page.goto(`${host.url}#/library`);
    await page.getByTestId('worklist-open').first().click();
    await page.locator('main[data-testid="view-annotate"]').waitFor();
    await waitLoaded(page);
    await expect.poll(() => canvas(page).getAttribute('data-window-width')).not.toBe('');
    let t = await transform(page);
    expect(t.scale).toBeGreaterThan(0);

    // Rectangle (R): drag corner to corner.
    await page.keyboard.press('r');
    await drag(page, toPage(t, 100, 100), toPage(t, 160, 140));
    await waitSaved(page, 1);

    // Polygon (L): click four vertices, Enter closes.
    await page.keyboard.press('l');
    for (const [x, y] of [
      [200, 200],
      [280, 200],
      [280, 260],
      [200, 260],
    ] as const) {
      const [px, py] = toPage(t, x, y);
      await page.mouse.click(px, py);
    }
    await page.keyboard.press('Enter');
    await waitSaved(page, 2);

    // Lasso: one freehand drag with the same tool.
    await drag(page, toPage(t, 300, 300), toPage(t, 380, 330), 12);
    await waitSaved(page, 3);

    // Brush (B) and ellipse (O).
    await page.keyboard.press('b');
    await drag(page, toPage(t, 60, 400), toPage(t, 200, 420));
    await waitSaved(page, 4);
    await page.keyboard.press('o');
    await drag(page, toPage(t, 300, 420), toPage(t, 380, 480));
    await waitSaved(page, 5);
    await expect.poll(async () => page.getByTestId('region-count-nodule').textContent()).toBe('5 region(s)');

    // Eraser (E) across the rectangle: stored as an erasing stroke of the same finding.
    await page.keyboard.press('e');
    await drag(page, toPage(t, 90, 120), toPage(t, 170, 120));
    await waitSaved(page, 6);
    await page.screenshot({ path: screenshotPath('annotate-drawn') });

    // Undo removes the eraser stroke, redo brings it back; the database follows each step.
    await page.keyboard.press('Control+z');
    await waitSaved(page, 7);
    expect(readRegions().filter((r) => r.deleted === 0)).toHaveLength(5);
    await page.keyboard.press('Control+Shift+z');
    await waitSaved(page, 8);
    expect(readRegions().filter((r) => r.deleted === 0)).toHaveLength(6);

    // Zoom around the cursor and pan with the middle button, then draw again.
    const [cx, cy] = toPage(t, 250, 250);
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => (await transform(page)).scale).toBeGreaterThan(t.scale * 1.3);
    const zoomed = await transform(page);
    // The image point under the cursor stayed there.
    const under = toImage(zoomed, cx, cy);
    expect(Math.abs(under[0] - 250)).toBeLessThan(1);
    expect(Math.abs(under[1] - 250)).toBeLessThan(1);
    await page.mouse.move(cx, cy);
    await page.mouse.down({ button: 'middle' });
    await page.mouse.move(cx - 120, cy - 80, { steps: 6 });
    await page.mouse.up({ button: 'middle' });
    await expect.poll(async () => (await transform(page)).x).toBeCloseTo(zoomed.x - 120, 0);
    t = await transform(page);
    await page.keyboard.press('r');
    const from = toPage(t, 400.3, 400.3);
    const to = toPage(t, 420.3, 430.3);
    await drag(page, from, to);
    await waitSaved(page, 9);
    await page.screenshot({ path: screenshotPath('annotate-zoomed') });

    // The stored square is what was drawn, in image pixels, and covers exactly those pixels at any zoom.
    const stored = readRegions();
    const square = stored[stored.length - 1];
    expect(square?.geometry.kind).toBe('rect');
    const a = toImage(t, from[0], from[1]);
    const b = toImage(t, to[0], to[1]);
    if (square?.geometry.kind !== 'rect') throw new Error('not a rect');
    expect(square.geometry.x).toBeCloseTo(a[0], 1);
    expect(square.geometry.y).toBeCloseTo(a[1], 1);
    expect(square.geometry.x + square.geometry.width).toBeCloseTo(b[0], 1);
    const mask = rasterizeRegions([square.geometry], { columns: cols, rows });
    const expected = new Uint8Array(cols * rows);
    for (let row = Math.ceil(a[1] - 0.5); row + 0.5 < b[1]; row++) {
      for (let col = Math.ceil(a[0] - 0.5); col + 0.5 < b[0]; col++) expected[row * cols + col] = 1;
    }
    expect(Buffer.from(mask).equals(Buffer.from(expected))).toBe(true);
    expect(mask.reduce((s, v) => s + v, 0)).toBe(20 * 30);

    // Every kind was stored, under the reader, in image coordinates.
    const live = stored.filter((r) => r.deleted === 0);
    expect(live.map((r) => r.geometry.kind)).toEqual([
      'rect',
      'polygon',
      'polygon',
      'stroke',
      'ellipse',
      'stroke',
      'rect',
    ]);
    expect(new Set(live.map((r) => r.annotator))).toEqual(new Set([reader]));
    const eraser = live[5]?.geometry;
    expect(eraser?.kind === 'stroke' && eraser.erase).toBe(true);
    // The eraser cut the first rectangle: its row 120 is empty where the stroke passed.
    const nodule = rasterizeRegions(
      live.slice(0, 6).map((r) => r.geometry),
      { columns: cols, rows },
    );
    expect(nodule[120 * cols + 130]).toBe(0);
    expect(nodule[105 * cols + 130]).toBe(0 + (Math.abs(105 - 120) > 12 ? 1 : 0));
    expect(nodule[138 * cols + 130]).toBe(1);

    // A reload shows everything again, undo state included.
    await page.reload();
    await waitLoaded(page);
    await expect.poll(async () => page.getByTestId('region-count-nodule').textContent()).toBe('6 region(s)');
    await expect(page.getByTestId('undo').isEnabled()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath('annotate-reloaded') });
  }, 120_000);

  it('selects, moves, reshapes and deletes a region; sets flags and a note; overlays another reader; lists the shortcuts', async () => {
    const page = await newPage();
    await page.goto(`${host.url}#/annotate`);
    await page.getByTestId('annotator-name').fill('Dr Two');
    await page.getByTestId('annotator-submit').click();
    await page.goto(`${host.url}#/library`);
    await page.getByTestId('worklist-open').first().click();
    await waitLoaded(page);
    const t = await transform(page);
    const before = readRegions().length;

    // The other reader's regions are not this reader's: none counted, but they can be overlaid.
    await expect.poll(async () => page.getByTestId('region-count-nodule').textContent()).toBe('0 region(s)');
    await page.getByTestId('review-with').selectOption(reader);
    await expect.poll(async () => page.getByTestId('review-count').textContent()).toBe(`7 region(s) by ${reader}`);
    // Agreement with that reader: only they drew a nodule here, so Dice 0 for this image.
    await expect
      .poll(async () => page.getByTestId('agreement-image-nodule').textContent())
      .toMatch(/^nodule \(only Dr E2E\)\s*0\.0+\s*0\.0+$/);
    await page.getByTestId('agreement-overall').waitFor();
    // Progress toward the alignment levels (this workspace has no labels: nothing is needed).
    await expect.poll(async () => page.getByTestId('progress-nodule').textContent()).toMatch(/^nodule\s*0\/0/);

    // Draw a square polygon on the effusion finding (key 2).
    await page.keyboard.press('2');
    await page.keyboard.press('l');
    for (const [x, y] of [
      [40, 40],
      [80, 40],
      [80, 80],
      [40, 80],
    ] as const) {
      const [px, py] = toPage(t, x, y);
      await page.mouse.click(px, py);
    }
    await page.keyboard.press('Enter');
    await waitSaved(page, 1);
    const drawn = readRegions();
    expect(drawn).toHaveLength(before + 1);
    expect(drawn[before]).toMatchObject({ finding: 'effusion', annotator: 'Dr Two' });

    // Select (V) and move it by (20, 10) image pixels.
    await page.keyboard.press('v');
    await page.mouse.click(...toPage(t, 60, 60));
    await page.locator(`[data-testid="annotate-canvas"][data-selected-region="${drawn[before]?.id}"]`).waitFor();
    await drag(page, toPage(t, 60, 60), toPage(t, 80, 70));
    await waitSaved(page, 2);
    const moved = readRegions()[before]?.geometry;
    expect(moved?.kind).toBe('polygon');
    if (moved?.kind !== 'polygon') throw new Error('not a polygon');
    expect(moved.points[0]?.[0]).toBeCloseTo(60, 0);
    expect(moved.points[0]?.[1]).toBeCloseTo(50, 0);

    // Reshape: drag its third vertex (100, 90) out to (120, 110).
    await drag(page, toPage(t, 100, 90), toPage(t, 120, 110));
    await waitSaved(page, 3);
    const reshaped = readRegions()[before]?.geometry;
    if (reshaped?.kind !== 'polygon') throw new Error('not a polygon');
    expect(reshaped.points[2]?.[0]).toBeCloseTo(120, 0);
    expect(reshaped.points[2]?.[1]).toBeCloseTo(110, 0);
    expect(reshaped.points[0]?.[0]).toBeCloseTo(60, 0);

    // A press on an unselected region selects and drags it in one gesture.
    await page.mouse.click(...toPage(t, 400, 400));
    await page.locator('[data-testid="annotate-canvas"][data-selected-region=""]').waitFor();
    await drag(page, toPage(t, 80, 70), toPage(t, 70, 60));
    await waitSaved(page, 4);
    const dragged = readRegions()[before]?.geometry;
    if (dragged?.kind !== 'polygon') throw new Error('not a polygon');
    expect(dragged.points[0]?.[0]).toBeCloseTo(50, 0);
    expect(dragged.points[0]?.[1]).toBeCloseTo(40, 0);
    await page.locator(`[data-testid="annotate-canvas"][data-selected-region="${drawn[before]?.id}"]`).waitFor();

    // Delete is soft.
    await page.keyboard.press('Delete');
    await waitSaved(page, 5);
    expect(readRegions()[before]?.deleted).toBe(1);
    await expect.poll(async () => page.getByTestId('region-count-effusion').textContent()).toBe('0 region(s)');

    // Flags for the chosen finding, and a note, are stored under this reader.
    await page.keyboard.press('x');
    await waitSaved(page, 6);
    await expect(page.getByTestId('flag-none-effusion').isChecked()).resolves.toBe(true);
    await page.getByTestId('annotate-note').fill('costophrenic angle blunted?');
    await page.getByTestId('annotate-note').blur();
    await waitSaved(page, 7);
    const db = new Database(dbPath, { readonly: true });
    try {
      expect(
        db.prepare('SELECT finding, no_finding, uncertain FROM finding_flags WHERE annotator = ?').all('Dr Two'),
      ).toEqual([{ finding: 'effusion', no_finding: 1, uncertain: 0 }]);
      expect(db.prepare('SELECT note FROM image_reads WHERE annotator = ?').pluck().get('Dr Two')).toBe(
        'costophrenic angle blunted?',
      );
    } finally {
      db.close();
    }

    // The help overlay lists every tool's key.
    await page.keyboard.press('?');
    const help = page.getByTestId('annotate-help');
    await help.waitFor();
    for (const key of ['V', 'L', 'B', 'E', 'O', 'R', 'Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y)', 'U']) {
      await expect(help.getByText(key, { exact: true }).count()).resolves.toBeGreaterThan(0);
    }
    await page.screenshot({ path: screenshotPath('annotate-help') });
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  }, 120_000);
});
