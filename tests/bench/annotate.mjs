#!/usr/bin/env node
// Annotate benchmark: the full-resolution viewer on a 2048×2500 DX image. Prints one JSON line per figure. Not a
// test.
//
//   npx electron-vite build && node tests/bench/annotate.mjs [--steps 100] [--repeat 10] [--points 500]
//     [--regions 200] [--keep]
//
// Needs the build in out/ and a Chromium (CHROMIUM_PATH, else /usr/bin/chromium, else playwright-core's own).
//
// 1. Makes one 2048×2500 12-bit DX file (tests/bench/make-dx-corpus.py), imports it with the built CLI and starts
//    the built browser host on that workspace (node out/main/web.js --port 0 --db X).
// 2. Opens Chromium (playwright-core, viewport 1600×1000), chooses an annotator, opens the image from the Library
//    and waits for the canvas's data-loaded="true". Every figure below is read from the page's own clock.
//    a. Window/level: a right-drag of `steps` real mouse moves; the canvas records the LUT + putImageData +
//       image-layer draw of each window change (window.alignerAnnotateTimings().windowRedraw). Also the wall time
//       of each move as Playwright sees it (event round trip included) and the rAF frame intervals meanwhile.
//    b. Save latency of a lasso polygon of `points` points (a circle of radius ≥ 300 screen px, since the lasso
//       drops points closer than 2 screen px): from the page's pointerup (a capturing listener on window) to the
//       DOM showing data-state="saved" with the next data-saved-count (a MutationObserver on the save state).
//       `repeat` times; the stored polygons' point counts are read back from the SQLite file.
//    c. Pan with `regions` regions shown (rects, ellipses, 50-point polygons, 30-point brush strokes made through
//       the HTTP API, then the page reloaded): a middle-drag of `steps` moves, at fit and at 1:1; the canvas
//       records the synchronous stage draw of each step (timings.panFrame).
// 3. The machine (CPUs, Chromium version) and one summary line against the targets.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import {
  aligner,
  apiCall,
  collectPageErrors,
  dropWork,
  emitter,
  launchBrowser,
  loadPrng,
  machine,
  makeDxCorpus,
  makeWork,
  requireBuilt,
  round,
  runMain,
  startHost,
  stats as summary,
  stopHost,
} from './bench-lib.mjs';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '100' },
    repeat: { type: 'string', default: '10' },
    points: { type: 'string', default: '500' },
    regions: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const repeat = Number(values.repeat);
const lassoPoints = Number(values.points);
const regionCount = Number(values.regions);
const rows = 2500;
const cols = 2048;
const reader = 'Dr Bench';
const targets = { windowRedrawP95Ms: 16, saveP95Ms: 50, panFrameP95Ms: 16.7 };

requireBuilt('annotate');

const emit = emitter('annotate', { image: `${cols}x${rows}` });

/** bench-lib's stats with the sample count first. */
const stats = (samples) => ({ n: samples.length, ...summary(samples) });

/** An API call's answer (bench-lib's apiCall without its timing). */
const call = async (url, name, input) => (await apiCall(url, name, input)).value;

// ---------------------------------------------------------------- regions for the pan figure

const r2 = (v) => Math.round(v * 100) / 100;
const clampX = (x) => Math.min(cols - 1, Math.max(0, x));
const clampY = (y) => Math.min(rows - 1, Math.max(0, y));

/** `n` regions spread over the image: a quarter each rects, ellipses, 50-point polygons, 30-point strokes. */
function benchRegions(n, random) {
  const findings = ['nodule', 'effusion', 'edema'];
  const out = [];
  for (let i = 0; i < n; i++) {
    const cx = 150 + random() * (cols - 300);
    const cy = 150 + random() * (rows - 300);
    let geometry;
    switch (i % 4) {
      case 0:
        geometry = {
          kind: 'rect',
          x: r2(cx - 60),
          y: r2(cy - 40),
          width: r2(20 + random() * 180),
          height: r2(20 + random() * 180),
        };
        break;
      case 1:
        geometry = {
          kind: 'ellipse',
          cx: r2(cx),
          cy: r2(cy),
          rx: r2(10 + random() * 110),
          ry: r2(10 + random() * 110),
          rotation: r2(random() * 180),
        };
        break;
      case 2: {
        const radius = 30 + random() * 110;
        const points = [];
        for (let k = 0; k < 50; k++) {
          const a = (2 * Math.PI * k) / 50;
          const r = radius * (0.8 + 0.4 * random());
          points.push([r2(clampX(cx + r * Math.cos(a))), r2(clampY(cy + r * Math.sin(a)))]);
        }
        geometry = { kind: 'polygon', points };
        break;
      }
      default: {
        const points = [];
        let x = cx;
        let y = cy;
        for (let k = 0; k < 30; k++) {
          points.push([r2(clampX(x)), r2(clampY(y))]);
          x += (random() - 0.3) * 12;
          y += (random() - 0.5) * 12;
        }
        geometry = { kind: 'stroke', points, radius: r2(5 + random() * 20), erase: false };
      }
    }
    out.push({ finding: findings[i % 3], geometry });
  }
  return out;
}

// ---------------------------------------------------------------- in the page

/** Starts collecting requestAnimationFrame intervals (window.__frames); returns nothing. */
function startFrames() {
  const frames = [];
  window.__frames = frames;
  window.__framesOn = true;
  let last = null;
  const tick = (now) => {
    if (last !== null) frames.push(now - last);
    last = now;
    if (window.__framesOn) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function stopFrames() {
  window.__framesOn = false;
  return window.__frames;
}

/** Arms the save probe: page time of the next pointerup, and of the DOM showing the save of edit `before + 1`. */
function armSaveProbe(before) {
  const probe = { up: null, saved: null };
  window.__saveProbe = probe;
  performance.setResourceTimingBufferSize(1000);
  performance.clearResourceTimings();
  const el = document.querySelector('[data-testid="save-state"]');
  const check = () => {
    if (probe.saved !== null) return;
    if (el.getAttribute('data-state') === 'saved' && Number(el.getAttribute('data-saved-count')) > before) {
      probe.saved = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(el, { attributes: true, attributeFilter: ['data-state', 'data-saved-count'] });
  window.addEventListener('pointerup', () => (probe.up ??= performance.now()), { capture: true, once: true });
}

/** The page-clock start and end of the newest POST /api/regionCreate (Resource Timing); null when none. */
function lastRegionCreate() {
  const entry = performance
    .getEntriesByType('resource')
    .filter((e) => e.name.endsWith('/api/regionCreate'))
    .pop();
  return entry ? { start: entry.startTime, end: entry.responseEnd } : null;
}

/** The regions the view counts (the three findings' "N region(s)"); with `expected`, whether that many are shown. */
function regionsShown(expected) {
  const total = ['nodule', 'effusion', 'edema']
    .map((f) => document.querySelector(`[data-testid="region-count-${f}"]`)?.textContent ?? '')
    .reduce((sum, text) => sum + Number(/\d+/.exec(text)?.[0] ?? 0), 0);
  return expected === undefined ? total : total === expected;
}

// ---------------------------------------------------------------- from Node

/**
 * A drag with `button` held: from `from`, 10 warm-up moves then `steps` timed moves, each by `by` (screen px).
 * Returns `wall`, each timed move's page.mouse.move round trip (Node clock), and `frames`, the page's rAF intervals
 * over the timed moves.
 */
async function drag(page, { button, from, by }) {
  let [x, y] = from;
  await page.mouse.move(x, y);
  await page.mouse.down({ button });
  for (let k = 0; k < 10; k++) await page.mouse.move((x += by[0]), (y += by[1]));
  await page.evaluate(startFrames);
  const wall = [];
  for (let k = 0; k < steps; k++) {
    const started = performance.now();
    await page.mouse.move((x += by[0]), (y += by[1]));
    wall.push(performance.now() - started);
  }
  const frames = await page.evaluate(stopFrames);
  await page.mouse.up({ button });
  return { wall, frames };
}

/** The figures `${prefix}StepWallMs` and `${prefix}DragFrameIntervalMs` of a drag's `wall` and `frames`. */
function emitDrag(prefix, { wall, frames }, extra = {}) {
  const w = stats(wall);
  emit(`${prefix}StepWallMs`, w.median, { ...w, ...extra, what: 'page.mouse.move round trip per step (Node clock)' });
  const f = stats(frames);
  emit(`${prefix}DragFrameIntervalMs`, f.median, { ...f, ...extra, what: 'rAF intervals while dragging' });
}

// ---------------------------------------------------------------- main

async function main() {
  const { work, dbPath, userData } = makeWork('annotate');
  const folder = join(work, 'dx');
  let host;
  let browser;
  try {
    makeDxCorpus(folder, 1, rows, cols, 1);
    const imported = JSON.parse(
      aligner(['import', folder, '--db', dbPath, '--source', 'bench', '--role', 'train', '--json'], userData),
    );
    if (imported.failed.length > 0) throw new Error(`import failed: ${JSON.stringify(imported.failed[0])}`);

    host = await startHost(dbPath, userData);
    const url = host.url;
    const imageId = (await call(url, 'worklistQuery', { offset: 0, limit: 1 })).rows[0].id;

    browser = await launchBrowser();
    const facts = machine();
    emit('machine', facts.cpus, {
      ...facts,
      chromium: browser.version(),
      chromiumFlags: '--headless --disable-gpu (software canvas)',
    });

    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors = [];
    collectPageErrors(page, errors);

    const canvas = page.locator('[data-testid="annotate-canvas"]');
    const waitLoaded = async () => {
      await page.locator('[data-testid="annotate-canvas"][data-loaded="true"]').waitFor();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="annotate-canvas"]')?.getAttribute('data-window-width') !== '',
      );
    };
    const timings = () => page.evaluate(() => window.alignerAnnotateTimings?.() ?? null);
    const nextFrames = () =>
      page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

    await page.goto(`${url}#/annotate`);
    await page.getByTestId('annotator-gate').waitFor();
    await page.getByTestId('annotator-name').fill(reader);
    await page.getByTestId('annotator-submit').click();
    await page.goto(`${url}#/library`);
    const openStarted = performance.now();
    await page.getByTestId('worklist-open').first().click();
    await waitLoaded();
    emit('openToLoadedMs', round(performance.now() - openStarted), {
      note: 'click in the Library to data-loaded, wall',
    });
    await nextFrames();
    const box = await canvas.boundingBox();
    if (!box) throw new Error('the canvas is not on screen');
    const centre = [box.x + box.width / 2, box.y + box.height / 2];

    // a. Window/level: a right-drag of `steps` moves after 10 warm-up moves.
    const windowFig = {};
    {
      const before = (await timings()).windowRedraw.length;
      const dragged = await drag(page, { button: 'right', from: [centre[0] - 150, centre[1] - 60], by: [2, 1] });
      const all = (await timings()).windowRedraw;
      const recorded = all.length - before;
      const s = stats(all.slice(-steps));
      Object.assign(windowFig, s);
      emit('windowRedrawMs', s.median, {
        ...s,
        target: `p95 < ${targets.windowRedrawP95Ms} ms`,
        pass: s.p95 < targets.windowRedrawP95Ms,
        what: 'LUT build + applyLut + putImageData + image-layer draw, per window change (page clock)',
        movesSent: steps + 10,
        redrawsRecorded: recorded,
      });
      emitDrag('window', dragged);
      emit('windowAfterDrag', 0, {
        center: Number(await canvas.getAttribute('data-window-center')),
        width: Number(await canvas.getAttribute('data-window-width')),
      });
    }

    // b. Save latency of a lasso polygon.
    const save = {};
    {
      await page.keyboard.press('l');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="annotate-canvas"]')?.getAttribute('data-tool') === 'polygon',
      );
      const radius = Math.min(320, box.height / 2 - 20, box.width / 2 - 20);
      const around = (k) => {
        const a = (2 * Math.PI * k) / lassoPoints;
        return [centre[0] + radius * Math.cos(a), centre[1] + radius * Math.sin(a)];
      };
      const pageMs = [];
      const wallMs = [];
      const beforeRequestMs = [];
      const requestMs = [];
      const afterResponseMs = [];
      for (let r = 0; r < repeat; r++) {
        const before = Number(await page.getByTestId('save-state').getAttribute('data-saved-count'));
        await page.evaluate(armSaveProbe, before);
        const [sx, sy] = around(0);
        await page.mouse.move(sx, sy);
        await page.mouse.down();
        for (let k = 1; k <= lassoPoints; k++) {
          const [px, py] = around(k);
          await page.mouse.move(px, py, { steps: 1 });
        }
        const started = performance.now();
        await page.mouse.up();
        const probe = await (
          await page.waitForFunction(() => (window.__saveProbe.saved === null ? null : window.__saveProbe), null, {
            polling: 'raf',
          })
        ).jsonValue();
        wallMs.push(performance.now() - started);
        pageMs.push(probe.saved - probe.up);
        const request = await page.evaluate(lastRegionCreate);
        if (request) {
          beforeRequestMs.push(request.start - probe.up);
          requestMs.push(request.end - request.start);
          afterResponseMs.push(probe.saved - request.end);
        }
      }
      const s = stats(pageMs);
      Object.assign(save, s);
      // What was stored: the newest `repeat` polygons.
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      let stored;
      try {
        stored = db
          .prepare(
            "SELECT geometry FROM annotations WHERE deleted = 0 AND json_extract(geometry, '$.kind') = 'polygon' ORDER BY id DESC LIMIT ?",
          )
          .all(repeat)
          .map((row) => JSON.parse(row.geometry).points.length);
      } finally {
        db.close();
      }
      const p = stats(stored);
      emit('lassoSaveMs', s.median, {
        ...s,
        target: `p95 < ${targets.saveP95Ms} ms`,
        pass: s.p95 < targets.saveP95Ms,
        what: 'page pointerup to save-state "saved" with the next saved count (page clock)',
        movesPerPolygon: lassoPoints,
        radiusScreenPx: round(radius, 1),
        storedPolygons: stored.length,
        storedPointsMin: p.min,
        storedPointsMax: p.max,
      });
      if (requestMs.length > 0) {
        const parts = {
          pointerupToRequestMs: stats(beforeRequestMs),
          requestMs: stats(requestMs),
          responseToSavedMs: stats(afterResponseMs),
        };
        for (const [figure, part] of Object.entries(parts)) {
          emit(`lassoSave.${figure}`, part.median, {
            ...part,
            what: 'part of lassoSaveMs: Resource Timing of POST /api/regionCreate (page clock)',
          });
        }
      }
      const w = stats(wallMs);
      emit('lassoSaveWallMs', w.median, { ...w, what: 'before mouse.up to the probe seen (Node clock, rAF polling)' });
    }

    // c. Pan with `regions` regions shown.
    const pan = {};
    {
      await call(url, 'annotatorAdd', { name: reader });
      const createMs = [];
      for (const { finding, geometry } of benchRegions(regionCount, (await loadPrng())(42))) {
        const started = performance.now();
        await call(url, 'regionCreate', { imageId, annotator: reader, finding, geometry });
        createMs.push(performance.now() - started);
      }
      const c = stats(createMs);
      emit('apiRegionCreateMs', c.median, { ...c, what: 'POST /api/regionCreate round trip (Node clock)' });
      const expected = regionCount + repeat;
      await page.reload();
      await waitLoaded();
      await page.waitForFunction(regionsShown, expected, { polling: 'raf', timeout: 30_000 }).catch(async () => {
        throw new Error(
          `expected ${expected} regions on the canvas, the view counts ${await page.evaluate(regionsShown)}`,
        );
      });
      await nextFrames();
      for (const view of ['fit', 'actual size']) {
        if (view === 'actual size') {
          await page.keyboard.press('a');
          await nextFrames();
        }
        const before = (await timings()).panFrame.length;
        const dragged = await drag(page, { button: 'middle', from: [centre[0] - 150, centre[1] - 100], by: [3, 2] });
        const all = (await timings()).panFrame;
        const s = stats(all.slice(-steps));
        if (view === 'fit') Object.assign(pan, s);
        emit('panFrameMs', s.median, {
          ...s,
          view,
          scale: Number(await canvas.getAttribute('data-scale')),
          regionsShown: expected,
          target: `p95 < ${targets.panFrameP95Ms} ms (one 60 Hz frame)`,
          pass: s.p95 < targets.panFrameP95Ms,
          what: 'synchronous stage draw per pan step (page clock)',
          movesSent: steps + 10,
          framesRecorded: all.length - before,
        });
        emitDrag('pan', dragged, { view });
      }
    }

    emit('pageErrors', errors.length, errors.length > 0 ? { errors: errors.slice(0, 5) } : {});
    emit('summary', [windowFig.p95, save.p95, pan.p95].every((v, i) => v < Object.values(targets)[i]) ? 1 : 0, {
      windowRedrawMedianMs: windowFig.median,
      windowRedrawP95Ms: windowFig.p95,
      windowRedrawPass: windowFig.p95 < targets.windowRedrawP95Ms,
      lassoSaveMedianMs: save.median,
      lassoSaveP95Ms: save.p95,
      lassoSavePass: save.p95 < targets.saveP95Ms,
      panFrameMedianMs: pan.median,
      panFrameP95Ms: pan.p95,
      panFramePass: pan.p95 < targets.panFrameP95Ms,
      targets,
    });
  } finally {
    await browser?.close();
    await stopHost(host);
    dropWork(work, values.keep);
  }
}

runMain('annotate', main);
