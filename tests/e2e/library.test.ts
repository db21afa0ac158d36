import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput, WorkspaceInfo } from '../../src-main/api/contract';
import type { WorklistPage } from '../../src-main/api/library-schemas';
import { launchChromium, OpenedPages, screenshotPath } from '../helpers/browser';
import { makeDxFiles } from '../helpers/dx-files';
import { tempDir } from '../helpers/paths';
import { startHost, type RunningHost } from '../helpers/web-host';

/**
 * The Library view end to end: import a folder through the form, filter and
 * sort the worklist, re-import (duplicates), open an image in Annotate, and
 * cancel a long import. Every wait is on the app's own signals (element text,
 * the rows it renders), never a fixed delay.
 */

/** The synthetic corpus (tests/bench/make-dx-corpus.py): file i is F when i is odd, aged 30 + (7i mod 60). */
const smallCount = 12;
const corpusAges = Array.from({ length: smallCount }, (_, i) => 30 + ((i * 7) % 60));
const bigCount = 60;

let browser: Browser;
const opened = new OpenedPages();
let host: RunningHost;
let dir: ReturnType<typeof tempDir>;
let smallFolder: string;
let brokenFile: string;
let bigFolder: string;

beforeAll(async () => {
  dir = tempDir('aligner-e2e-library-');
  smallFolder = join(dir.path, 'site-a');
  makeDxFiles(smallFolder, smallCount, 128, 128, 11);
  brokenFile = join(smallFolder, 'broken.dcm');
  writeFileSync(brokenFile, new Uint8Array(0));
  bigFolder = join(dir.path, 'site-b');
  // Large enough that the import is still running when Cancel is clicked, even on a fast machine.
  makeDxFiles(bigFolder, bigCount, 1024, 1024, 12);
  [browser, host] = await Promise.all([
    launchChromium(),
    startHost(['--db', join(dir.path, 'workspace.db')], { ALIGNER_USER_DATA: join(dir.path, 'user-data') }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  dir?.remove();
});
// Every page a test opened must end without uncaught errors or console errors.
afterEach(async () => {
  expect(await opened.closeAll(), 'errors in the browser').toEqual([]);
});

async function openLibrary(): Promise<Page> {
  const page = await opened.open(browser, { width: 1280, height: 900 });
  await page.goto(`${host.url}#/library`);
  await ready(page, 'library');
  return page;
}

function ready(page: Page, view: string): Promise<void> {
  return page.locator(`main[data-testid="view-${view}"][data-ready="true"]`).waitFor();
}

async function api<T>(name: string, input: object = {}): Promise<T> {
  const res = await fetch(`${host.url}api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: unknown };
  if (!body.ok) throw new Error(`${name} answered ${res.status}: ${JSON.stringify(body.error)}`);
  return body.value as T;
}

type Filter = NonNullable<CallInput<'worklistQuery'>['filter']>;

function worklistTotal(filter: Filter = {}): Promise<number> {
  return api<WorklistPage>('worklistQuery', { filter, limit: 1 }).then((p) => p.total);
}

/** The element's trimmed text, or undefined while it is not there. */
function textOf(page: Page, testId: string): Promise<string | undefined> {
  return page
    .getByTestId(testId)
    .textContent({ timeout: 1_000 })
    .then(
      (text) => text?.replace(/\s+/g, ' ').trim(),
      () => undefined,
    );
}

/** Waits until the stat's value (StatGrid: value, then its label) is `expected`. */
const statLabels = { 'library-images': 'Images', 'library-sources': 'Sources', 'library-shown': 'Shown' } as const;
function expectStat(page: Page, testId: keyof typeof statLabels, expected: number): Promise<void> {
  return expectText(page, testId, `${expected} ${statLabels[testId]}`);
}

/** Waits until the element's text is `expected`; fails showing the text it had. */
async function expectText(page: Page, testId: string, expected: string | RegExp): Promise<void> {
  const poll = expect.poll(() => textOf(page, testId), { timeout: 30_000, message: `text of ${testId}` });
  await (typeof expected === 'string' ? poll.toBe(expected) : poll.toMatch(expected));
}

/** The loaded rows of the worklist in list order: name, sex and age cell of each. */
async function shownRows(page: Page): Promise<{ name: string; sex: string; age: string }[]> {
  const rows = page.getByTestId('worklist-row');
  const read = await rows.evaluateAll((elements) =>
    elements.map((row) => {
      const cell = (id: string): string => row.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? '';
      return {
        index: Number(row.getAttribute('data-index')),
        name: cell('worklist-open'),
        sex: cell('worklist-sex'),
        age: cell('worklist-age'),
      };
    }),
  );
  return read.sort((a, b) => a.index - b.index).map(({ name, sex, age }) => ({ name, sex, age }));
}

/** Waits until the worklist shows exactly `count` loaded rows and the Shown stat says so. */
async function expectShown(page: Page, count: number): Promise<{ name: string; sex: string; age: string }[]> {
  await expectStat(page, 'library-shown', count);
  await expect
    .poll(async () => (await shownRows(page)).filter((r) => r.name !== '').length, { message: 'loaded rows' })
    .toBe(count);
  return shownRows(page);
}

async function startImport(page: Page, folder: string, source: string, role: string): Promise<void> {
  await page.getByTestId('import-paths').fill(folder);
  await page.getByTestId('import-source').fill(source);
  await page.getByTestId('import-role').selectOption(role);
  await page.getByTestId('import-start').click();
}

describe('Library view', () => {
  it('imports a folder from the form: 12 images, the broken file named in the summary', async () => {
    const page = await openLibrary();
    await expectStat(page, 'library-images', 0);
    await startImport(page, smallFolder, 'site-a', 'validation');
    await expectText(page, 'import-summary', /^Imported 12, 0 duplicates, 1 failed into site-a in [\d.]+ s\./);
    const failed = page.getByTestId('import-summary').locator('li');
    expect(await failed.count()).toBe(1);
    expect(await failed.textContent()).toContain(brokenFile);
    expect(await failed.textContent()).toContain('empty file');

    await expectStat(page, 'library-images', smallCount);
    await expectStat(page, 'library-sources', 1);
    const rows = await expectShown(page, smallCount);
    expect(rows.map((r) => r.name)).toEqual(
      Array.from({ length: smallCount }, (_, i) => `dx${String(i).padStart(5, '0')}.dcm`),
    );
    expect(await page.getByTestId('worklist').getAttribute('aria-rowcount')).toBe(String(smallCount));
    await page.screenshot({ path: screenshotPath('library-imported'), fullPage: true });
  });

  it('filters by sex, age group and text as the API does, and sorts by age', async () => {
    const page = await openLibrary();
    await expectShown(page, smallCount);

    await page.getByTestId('filter-sex').selectOption('F');
    const females = await worklistTotal({ sex: 'F' });
    expect(females).toBe(smallCount / 2);
    const fRows = await expectShown(page, females);
    expect(fRows.map((r) => r.sex)).toEqual(Array(females).fill('F'));

    await page.getByTestId('filter-age').selectOption('atOrAbove');
    const oldFemales = await worklistTotal({ sex: 'F', ageGroup: 'atOrAbove' });
    expect(oldFemales).toBe(corpusAges.filter((age, i) => i % 2 === 1 && age >= 60).length);
    const oldRows = await expectShown(page, oldFemales);
    for (const row of oldRows) {
      expect(row.sex).toBe('F');
      expect(Number(row.age)).toBeGreaterThanOrEqual(60);
    }
    await page.screenshot({ path: screenshotPath('library-filtered'), fullPage: true });

    await page.getByTestId('filter-sex').selectOption('');
    await page.getByTestId('filter-age').selectOption('below');
    const young = await worklistTotal({ ageGroup: 'below' });
    expect(young).toBe(corpusAges.filter((age) => age < 60).length);
    for (const row of await expectShown(page, young)) expect(Number(row.age)).toBeLessThan(60);

    await page.getByTestId('filter-age').selectOption('');
    await page.getByTestId('filter-text').fill('dx0001');
    const matching = await worklistTotal({ text: 'dx0001' });
    expect(matching).toBe(2);
    expect((await expectShown(page, matching)).map((r) => r.name)).toEqual(['dx00010.dcm', 'dx00011.dcm']);

    await page.getByTestId('filter-text').fill('');
    await expectShown(page, smallCount);

    const ascending = [...corpusAges].sort((a, b) => a - b).map(String);
    const ages = async (): Promise<string[]> => (await shownRows(page)).map((r) => r.age);
    await page.getByTestId('sort-age').click();
    await expect.poll(ages, { message: 'ages sorted ascending' }).toEqual(ascending);
    expect(await page.getByTestId('sort-age').textContent()).toContain('▲');
    await page.getByTestId('sort-age').click();
    await expect.poll(ages, { message: 'ages sorted descending' }).toEqual([...ascending].reverse());
    expect(await page.getByTestId('sort-age').textContent()).toContain('▼');
    await page.screenshot({ path: screenshotPath('library-sorted-by-age'), fullPage: true });
  });

  it('counts a second import of the same folder as duplicates', async () => {
    const page = await openLibrary();
    await startImport(page, smallFolder, 'site-a', 'validation');
    await expectText(page, 'import-summary', /^Imported 0, 12 duplicates, 1 failed into site-a in [\d.]+ s\./);
    await expectStat(page, 'library-images', smallCount);
    expect((await api<WorkspaceInfo>('workspaceInfo')).counts.images).toBe(smallCount);
  });

  it('opens an image from the worklist in the Annotate view', async () => {
    const page = await openLibrary();
    // A filter, so the opened row is not simply the first image.
    await page.getByTestId('filter-sex').selectOption('M');
    const rows = await expectShown(page, await worklistTotal({ sex: 'M' }));
    const target = rows[2];
    expect(target?.sex).toBe('M');
    await page.locator('[data-testid="worklist-row"][data-index="2"]').getByTestId('worklist-open').click();
    await ready(page, 'annotate');
    expect(new URL(page.url()).hash).toBe('#/annotate');
    // A first visit asks who is annotating; then the opened image shows.
    await page.getByTestId('annotator-name').fill('Dr Library');
    await page.getByTestId('annotator-submit').click();
    await expectText(page, 'annotate-image-name', target?.name ?? '');
    await page.screenshot({ path: screenshotPath('annotate-opened'), fullPage: true });

    // Back in the Library, the filter fields still say what the list shows.
    await page.getByTestId('nav-library').click();
    await ready(page, 'library');
    expect(await page.getByTestId('filter-sex').inputValue()).toBe('M');
    await expectShown(page, smallCount / 2);
  });

  it('cancels a long import: what was imported stays, and the worklist counts it', async () => {
    const page = await openLibrary();
    await startImport(page, bigFolder, 'site-b', 'ood-test');
    await page.getByTestId('import-progress').waitFor();
    await page.getByTestId('import-cancel').click();
    await expectText(page, 'import-summary', /\(cancelled\)\.$/);
    const summary = (await textOf(page, 'import-summary')) ?? '';
    const imported = Number(/^Imported (\d+), 0 duplicates, 0 failed into site-b/.exec(summary)?.[1]);
    // Progress shows once a file is done, and every file of this folder imports.
    expect(imported, summary).toBeGreaterThan(0);
    expect(imported, summary).toBeLessThan(bigCount);
    await page.getByTestId('import-cancel').waitFor({ state: 'detached' });

    const info = await api<WorkspaceInfo>('workspaceInfo');
    expect(info.counts.images).toBe(smallCount + imported);
    expect(await worklistTotal()).toBe(info.counts.images);
    await expectStat(page, 'library-images', info.counts.images);
    await expectStat(page, 'library-shown', info.counts.images);
    await expectStat(page, 'library-sources', 2);
    await page.screenshot({ path: screenshotPath('library-import-cancelled'), fullPage: true });
  });
});
