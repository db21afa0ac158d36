import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src-main/api/training-schemas';
import { launchChromium, OpenedPages, screenshotPath } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/paths';
import { startHost, type RunningHost } from '../helpers/web-host';

/**
 * The Train view end to end: the plan of an alignment fraction (regions
 * needed vs drawn), a run of the micro model started from the form on the
 * real trainer process, its live progress and curves, and the same run shown
 * again after a reload (read back from the workspace).
 */

let browser: Browser;
let host: RunningHost;
let dir: ReturnType<typeof tempDir>;
let dbPath: string;
const opened = new OpenedPages();

beforeAll(async () => {
  dir = tempDir('aligner-e2e-train-');
  const db = join(dir.path, 'workspace.db');
  dbPath = db;
  const cohorts = [
    ['riverside', ['--n', '48', '--seed', '1', '--annotate-fraction', '1']],
    ['hillcrest', ['--n', '16', '--seed', '2', '--role', 'validation']],
    ['summit', ['--n', '16', '--seed', '3', '--ood']],
  ] as const;
  for (const [site, extra] of cohorts) {
    const run = await runCli([
      'simulate',
      '--out',
      join(dir.path, site),
      '--site',
      site,
      '--size',
      '128',
      '--findings',
      'nodule',
      ...extra,
      '--into-db',
      '--db',
      db,
    ]);
    expect(run.code, run.stderr).toBe(0);
  }
  [browser, host] = await Promise.all([
    launchChromium(),
    startHost(['--db', db], { ALIGNER_USER_DATA: join(dir.path, 'user-data') }),
  ]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  dir?.remove();
});
afterEach(async () => {
  expect(await opened.closeAll(), 'errors in the browser').toEqual([]);
});

describe('Train view', () => {
  it('plans the alignment fraction, trains the micro model from the form, and shows the run again after a reload', async () => {
    const page = await opened.open(browser, { width: 1280, height: 1200 });
    await page.goto(`${host.url}#/train`);
    const plan = page.getByTestId('train-plan');
    await expect
      .poll(async () => plan.textContent())
      .toMatch(/50 % aligns \d+ of \d+ positive training images;\s+\d+ have a region/);
    await page.getByTestId('train-alignment').selectOption('1');
    await expect.poll(async () => plan.textContent()).toMatch(/100 % aligns (\d+) of \1 positive training images/);

    await page.getByTestId('train-epochs').fill('2');
    await page.getByTestId('train-batch').fill('16');
    await page.getByTestId('train-start').click();
    const run = page.locator('[data-testid="train-run"][data-status="done"]');
    await run.waitFor({ timeout: 120_000 });
    await expect.poll(async () => page.getByTestId('loss-chart').getAttribute('data-epochs')).toBe('2');
    await expect(page.getByTestId('train-summary').textContent()).resolves.toMatch(/validation AUC\s+0\.\d{3}/);
    await page.screenshot({ path: screenshotPath('train-done'), fullPage: true });

    const response = await fetch(`${host.url}api/runsList`, { method: 'POST', body: '{}' });
    const runs = ((await response.json()) as { value: RunSummary[] }).value;
    expect(runs[0]).toMatchObject({ status: 'done', backend: 'wasm', lastEpoch: 1, active: false });
    expect(runs[0]?.config).toMatchObject({ findings: ['nodule'], alignment: 1, epochs: 2, batchSize: 16 });

    await page.reload();
    await page.locator(`[data-testid="train-run"][data-run-id="${runs[0]?.id}"][data-status="done"]`).waitFor();
    await expect.poll(async () => page.getByTestId('loss-chart').getAttribute('data-epochs')).toBe('2');

    // The run scored the test source: on an annotated test image the Annotate view shows the model's
    // attention as a heat map with its peak marked hit or miss against the reader's region.
    const db = new Database(dbPath, { readonly: true });
    const target = db
      .prepare(
        `SELECT p.image_id FROM predictions p JOIN annotations a ON a.image_id = p.image_id AND a.finding = p.finding
         WHERE p.run_id = ? AND a.deleted = 0 ORDER BY p.image_id LIMIT 1`,
      )
      .pluck()
      .get(runs[0]?.id) as number;
    db.close();
    expect(target).toBeGreaterThan(0);
    await page.evaluate((imageId) => {
      const storage = globalThis as unknown as {
        localStorage: { setItem(key: string, value: string): void };
        sessionStorage: { setItem(key: string, value: string): void };
      };
      storage.localStorage.setItem('aligner.annotator', 'Dr Train');
      storage.sessionStorage.setItem('aligner.annotate.open', JSON.stringify({ imageId, index: null }));
    }, target);
    // A fresh load, so the app reads the reader and the image to open from storage.
    await page.goto(`${host.url}#/annotate`);
    await page.reload();
    await page.locator('[data-testid="annotate-canvas"][data-loaded="true"]').waitFor();
    await page.getByTestId('attention-toggle').check();
    await expect
      .poll(async () => page.getByTestId('attention-result').textContent())
      .toMatch(/^score 0\.\d{3} · peak \(\d+, \d+\) ·\s+(hit|miss) \(against reader-\w+\)$/);
    await page.screenshot({ path: screenshotPath('annotate-attention') });
  }, 240_000);
});
