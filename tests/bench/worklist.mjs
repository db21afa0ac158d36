#!/usr/bin/env node
// Worklist benchmark: the Library with 100,000 images. Prints one JSON line per figure. Not a test.
//
//   npx electron-vite build && node tests/bench/worklist.mjs [--images 100000] [--frames 600] [--repeat 7] [--keep]
//
// 1. Creates a workspace with the built CLI (`aligner workspace info --db X`, so the schema is the app's own) and
//    seeds it straight through better-sqlite3 (tests/helpers/seed-worklist.ts, types stripped with TypeScript's
//    transpileModule so that plain `node` runs it: importTs in bench-lib.mjs): images, sources, one tiny blob per
//    image, one real thumbnail PNG shared by all, labels and a few annotations, in one transaction.
// 2. Starts the built browser host on it (node out/main/web.js --port 0 --db X) and times the API's
//    worklistQuery (first page, the page at offset 99,900, filtered, sorted, text search) and thumbnails.
// 3. Opens the Library in Chromium (playwright-core) and measures the time from navigation to the first worklist
//    rows, then the frame times (requestAnimationFrame timestamps in the page) while the worklist viewport is
//    scrolled programmatically: a fast wheel-like scroll (2 rows a frame) and a drag of the scrollbar through the
//    whole list, with the number of rows in the DOM (virtualised: it should stay about constant).
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import {
  aligner,
  apiCall as call,
  collectPageErrors,
  dropWork,
  emitter,
  importTs,
  launchBrowser,
  makeWork,
  requireBuilt,
  round,
  runMain,
  startHost,
  stats,
  stopHost,
} from './bench-lib.mjs';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '100000' },
    frames: { type: 'string', default: '600' },
    repeat: { type: 'string', default: '7' },
    keep: { type: 'boolean', default: false },
  },
});
const imageCount = Number(values.images);
const frames = Number(values.frames);
const repeat = Number(values.repeat);

requireBuilt('worklist');

const emit = emitter('worklist', { rows: imageCount });

/** Scrolls the worklist viewport `frames` times, one step a frame; frame times from rAF timestamps. */
function scrollInPage({ frames, pxPerFrame }) {
  const viewport = document.querySelector('[data-testid="worklist-viewport"]');
  const nextFrame = () => new Promise((r) => requestAnimationFrame(r));
  const longTasks = [];
  const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
  observer.observe({ type: 'longtask' });
  return (async () => {
    viewport.scrollTop = 0;
    await nextFrame();
    await nextFrame();
    const end = viewport.scrollHeight - viewport.clientHeight;
    const times = [];
    const domRows = [];
    let last = await nextFrame();
    for (let i = 1; i <= frames; i += 1) {
      viewport.scrollTop = pxPerFrame === null ? Math.round((end * i) / frames) : Math.min(end, i * pxPerFrame);
      const now = await nextFrame();
      times.push(now - last);
      last = now;
      domRows.push(viewport.querySelectorAll('[data-testid="worklist-row"]').length);
    }
    // Until every row on screen has its data (the pages asked for on the way have answered).
    const settleStart = performance.now();
    while ([...viewport.querySelectorAll('[data-testid="worklist-row"]')].some((r) => !r.querySelector('button'))) {
      await nextFrame();
      if (performance.now() - settleStart > 60_000) break;
    }
    const settleMs = performance.now() - settleStart;
    observer.disconnect();
    return {
      times,
      domRows,
      settleMs,
      longTasks,
      scrollTop: viewport.scrollTop,
      heapMiB: performance.memory ? performance.memory.usedJSHeapSize / 2 ** 20 : null,
    };
  })();
}

async function main() {
  const { work, dbPath, userData } = makeWork('worklist');
  let host;
  let browser;
  try {
    // 1. Schema from the app's own CLI, rows straight into SQLite.
    aligner(['workspace', 'info', '--db', dbPath, '--json'], userData);
    const { seedWorklist } = await importTs('tests/helpers/seed-worklist.ts');
    const db = new Database(dbPath);
    // A rollback journal while seeding: one big transaction through the WAL writes every page twice.
    db.pragma('journal_mode = DELETE');
    const seeded = seedWorklist(db, { images: imageCount });
    db.pragma('journal_mode = WAL');
    db.close();
    emit('seedSeconds', seeded.seconds, {
      labels: seeded.labels,
      annotations: seeded.annotations,
      dbMiB: round(statSync(dbPath).size / 2 ** 20, 1),
    });

    // 2. The API.
    host = await startHost(dbPath, userData);
    const url = host.url;
    const queries = {
      apiFirstPageMs: { offset: 0, limit: 100 },
      apiPageAt99900Ms: { offset: 99_900, limit: 100 },
      apiFilteredFirstPageMs: { filter: { sex: 'F', ageGroup: 'atOrAbove' }, offset: 0, limit: 100 },
      apiFilteredLastPageMs: { filter: { sex: 'F', ageGroup: 'atOrAbove' }, offset: null, limit: 100 },
      apiSortedByAgePageAt99900Ms: { sort: { key: 'age', direction: 'desc' }, offset: 99_900, limit: 100 },
      apiTextSearchMs: { filter: { text: 'img0999' }, offset: 0, limit: 100 },
      apiLabelFilterPageAt30000Ms: { filter: { finding: 'effusion', label: 0 }, offset: 30_000, limit: 100 },
    };
    let filteredTotal = 0;
    for (const [figure, query] of Object.entries(queries)) {
      if (query.offset === null) query.offset = Math.max(0, filteredTotal - 100);
      const times = [];
      let page;
      for (let r = 0; r < repeat; r += 1) {
        const { ms, value } = await call(url, 'worklistQuery', query);
        times.push(ms);
        page = value;
      }
      if (figure === 'apiFilteredFirstPageMs') filteredTotal = page.total;
      const s = stats(times);
      emit(figure, s.median, { ...s, firstMs: round(times[0]), total: page.total, returned: page.rows.length });
    }
    {
      const { value } = await call(url, 'worklistQuery', { offset: 50_000, limit: 100 });
      const ids = value.rows.map((r) => r.id);
      const times = [];
      let bytes = 0;
      for (let r = 0; r < repeat; r += 1) {
        const { ms, value: thumbs } = await call(url, 'thumbnails', { ids });
        times.push(ms);
        bytes = JSON.stringify(thumbs).length;
      }
      const s = stats(times);
      emit('apiThumbnails100Ms', s.median, { ...s, responseKiB: round(bytes / 1024, 1) });
    }

    // 3. The page.
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => {
      // The moment the first worklist row with its data (its open button) is in the DOM.
      new MutationObserver((_, observer) => {
        if (document.querySelector('[data-testid="worklist-open"]')) {
          window.__firstRowsAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const errors = [];
    // Each time a fresh load of the page (a new tab: going to the same address with a #hash would not reload).
    const firstRows = [];
    const firstRowsWall = [];
    let page;
    for (let r = 0; r < Math.max(3, Math.min(repeat, 5)); r += 1) {
      await page?.close();
      page = await context.newPage();
      collectPageErrors(page, errors);
      const started = performance.now();
      await page.goto(`${url}#/library`);
      await page.locator('[data-testid="worklist-open"]').first().waitFor({ timeout: 60_000 });
      firstRowsWall.push(performance.now() - started);
      firstRows.push(await page.evaluate(() => window.__firstRowsAt));
    }
    {
      const s = stats(firstRows);
      emit('firstRowsMs', s.median, {
        ...s,
        firstMs: round(firstRows[0]),
        loads: firstRows.length,
        wallMedianMs: stats(firstRowsWall).median,
      });
    }
    const shown = await page.getByTestId('library-shown').textContent();
    emit('shownStat', Number(/\d+/.exec(shown ?? '')?.[0]), { text: shown?.trim() });

    for (const [mode, pxPerFrame] of [
      ['wheel', 112],
      ['traverse', null],
    ]) {
      const result = await page.evaluate(scrollInPage, { frames, pxPerFrame });
      const f = stats(result.times);
      const rowsInDom = stats(result.domRows);
      const extra = { mode, frames, pxPerFrame: pxPerFrame ?? 'whole list' };
      emit('scrollFrameMeanMs', f.mean, extra);
      emit('scrollFrameP95Ms', f.p95, extra);
      emit('scrollFrameMaxMs', f.max, extra);
      emit('scrollDomRows', rowsInDom.median, { ...extra, min: rowsInDom.min, max: rowsInDom.max });
      emit('scrollLongTasks', result.longTasks.length, {
        ...extra,
        totalMs: round(result.longTasks.reduce((s, x) => s + x, 0)),
      });
      emit('scrollSettleMs', round(result.settleMs), { ...extra, scrollTop: result.scrollTop });
      if (result.heapMiB !== null) emit('jsHeapMiB', round(result.heapMiB, 1), extra);
    }
    emit('pageErrors', errors.length, errors.length > 0 ? { errors: errors.slice(0, 5) } : {});
  } finally {
    await browser?.close();
    await stopHost(host);
    dropWork(work, values.keep);
  }
}

runMain('worklist', main);
