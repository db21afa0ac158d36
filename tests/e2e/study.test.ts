import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expandStudy, studyConfigSchema, type StudySummary } from '../../src-main/api/study-schemas';
import { openWorkspace } from '../../src-main/core/db/open-workspace';
import { createStudy } from '../../src-main/core/study/study-store';
import { launchChromium, OpenedPages, screenshotPath } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/paths';
import { startHost, type RunningHost } from '../helpers/web-host';
import { microStudy } from '../helpers/micro-study';

/**
 * The Runs / Studies view end to end: a study a dead process left half-done is taken up by the host at
 * start; a tiny study (micro preset, 2 levels × 1 seed, 2 epochs) is defined in the form, checked and
 * estimated, started, paused after its first run, resumed, and seen to finish — and again after a reload.
 */

let browser: Browser;
let host: RunningHost;
let dir: ReturnType<typeof tempDir>;
const opened = new OpenedPages();

const micro = microStudy;

async function call<T>(name: string, input: unknown = {}): Promise<T> {
  const response = await fetch(`${host.url}api/${name}`, { method: 'POST', body: JSON.stringify(input) });
  const body = (await response.json()) as { ok: boolean; value: T; error?: unknown };
  if (!body.ok) throw new Error(`${name}: ${JSON.stringify(body.error)}`);
  return body.value;
}

beforeAll(async () => {
  dir = tempDir('aligner-e2e-study-');
  const db = join(dir.path, 'workspace.db');
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
  // A study whose runner died (kill -9, power cut) in its only run: the study and the run still name the
  // dead process.
  const dead = `${spawnSync(process.execPath, ['-e', '']).pid}@${hostname()}`;
  const ws = openWorkspace(db);
  try {
    const config = studyConfigSchema.parse({ ...micro, name: 'left behind', levels: [0.5], seeds: [3], epochs: 1 });
    const studyId = createStudy(ws.db, config, expandStudy(config), { estimate: null, concurrency: 1 });
    ws.db.prepare('UPDATE studies SET owner = ? WHERE id = ?').run(dead, studyId);
    ws.db.prepare("UPDATE runs SET status = 'running', owner = ? WHERE study_id = ?").run(dead, studyId);
  } finally {
    ws.close();
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

function card(page: Page, studyId: number, status?: string): ReturnType<Page['locator']> {
  return page.locator(
    `[data-testid="study-card"][data-study-id="${studyId}"]${status ? `[data-status="${status}"]` : ''}`,
  );
}

describe('Runs / Studies view', () => {
  it('takes up, at start, a study whose process died, and finishes it', async () => {
    await expect
      .poll(async () => (await call<StudySummary[]>('studiesList'))[0]?.status, { timeout: 90_000, interval: 500 })
      .toBe('finished');
    const [left] = await call<StudySummary[]>('studiesList');
    expect(left).toMatchObject({ name: 'left behind', total: 1, counts: { done: 1, failed: 0 } });
  }, 120_000);

  it('defines, checks, starts, pauses, resumes and finishes a study from the form', async () => {
    const page = await opened.open(browser, { width: 1280, height: 1400 });
    await page.goto(`${host.url}#/runs`);
    await card(page, 1, 'finished').waitFor();

    await page.getByTestId('study-name').fill('e2e sweep');
    await page.getByTestId('study-levels').fill('0, 1');
    await page.getByTestId('study-seeds').fill('');
    await page.getByTestId('study-preset').selectOption('micro');
    await page.getByTestId('study-image-size').fill('64');
    await page.getByTestId('study-epochs').fill('2');
    await page.getByTestId('study-patience').fill('5');
    await page.getByTestId('study-batch').fill('16');
    await page.getByTestId('study-lr').fill('0.001');
    await page.getByTestId('study-backend').selectOption('wasm');

    // No seed: the check says so, and nothing is queued.
    await page.getByTestId('study-check').click();
    await expect
      .poll(async () => page.getByTestId('study-errors').textContent())
      .toMatch(/seeds: give at least one seed/);
    await page.getByTestId('study-seeds').fill('1');

    // The form as JSON, edited and read back.
    await page.locator('details summary').click();
    await page.getByTestId('study-json-export').click();
    const json = JSON.parse(await page.getByTestId('study-json').inputValue()) as Record<string, unknown>;
    expect(json).toEqual({
      ...micro,
      name: 'e2e sweep',
      levels: [0, 1],
      seeds: [1],
      dataRatios: [1],
      randomAlignment: false,
    });
    await page.getByTestId('study-json').fill(JSON.stringify({ ...json, name: 'e2e sweep (imported)' }));
    await page.getByTestId('study-json-import').click();
    await expect(page.getByTestId('study-name').inputValue()).resolves.toBe('e2e sweep (imported)');

    await page.getByTestId('study-check').click();
    await expect
      .poll(async () => page.getByTestId('study-estimate').textContent(), { timeout: 60_000 })
      .toMatch(/^Estimate: \d+ s at most on wasm /);
    await expect(page.getByTestId('study-plan').textContent()).resolves.toMatch(
      /^2 runs; 48 training images \(\d+ positive, \d+ with a region\),\s+16 validation, 16 test\./,
    );

    await page.getByTestId('study-start').click();
    await card(page, 2, 'running').waitFor({ timeout: 60_000 });
    await page.getByTestId('study-pause').click();
    // The run in training finishes; the second is not taken.
    await card(page, 2, 'paused').waitFor({ timeout: 90_000 });
    await expect(card(page, 2).getByTestId('study-counts').textContent()).resolves.toMatch(/^1 \/ 2 runs done/);
    const runs = card(page, 2).getByTestId('study-run');
    await expect
      .poll(async () => runs.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))))
      .toEqual(['done', 'queued']);
    await page.screenshot({ path: screenshotPath('study-paused'), fullPage: true });

    await card(page, 2).getByTestId('study-resume').click();
    await card(page, 2, 'finished').waitFor({ timeout: 90_000 });
    await expect(card(page, 2).getByTestId('study-counts').textContent()).resolves.toMatch(/^2 \/ 2 runs done/);
    await expect
      .poll(async () => runs.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))))
      .toEqual(['done', 'done']);
    await page.screenshot({ path: screenshotPath('study-finished'), fullPage: true });

    const [latest] = await call<StudySummary[]>('studiesList');
    expect(latest).toMatchObject({ id: 2, name: 'e2e sweep (imported)', status: 'finished', total: 2 });
    expect(latest?.estimate?.backend).toBe('wasm');

    await page.reload();
    await card(page, 2, 'finished').waitFor();
    await expect(page.getByTestId('runs-studies').textContent()).resolves.toMatch(/^2/);
  }, 300_000);

  it("re-runs the finished study from its bundle, and shows it reproduced the bundle's predictions", async () => {
    const file = join(dir.path, 'exports', 'study-2.tar.gz');
    await call('studyBundle', { studyId: 2, outFile: file });
    // The missing bundle answers 400, which Chromium logs as a failed resource load.
    const page = await opened.open(browser, { width: 1280, height: 1000 }, [/status of 400 \(Bad Request\)/]);
    await page.goto(`${host.url}#/runs`);
    const rerun = page.getByTestId('bundle-rerun');
    await rerun.getByTestId('bundle-file').fill(join(dir.path, 'missing.tar.gz'));
    await rerun.getByTestId('bundle-check').click();
    await expect
      .poll(async () => rerun.getByTestId('bundle-error').textContent())
      .toMatch(/missing\.tar\.gz: cannot read it \(ENOENT\)/);

    await rerun.getByTestId('bundle-file').fill(file);
    await rerun.getByTestId('bundle-check').click();
    const result = rerun.getByTestId('bundle-check-result');
    await expect.poll(async () => result.getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');
    await expect(result.textContent()).resolves.toMatch(/e2e sweep \(imported\) \(nodule\): 2 runs over 80 images/);
    await expect(rerun.getByTestId('bundle-sources').textContent()).resolves.toMatch(/riverside, hillcrest, summit/);
    await page.screenshot({ path: screenshotPath('study-bundle-check'), fullPage: true });

    await rerun.getByTestId('bundle-start').click();
    await expect.poll(async () => rerun.getByTestId('bundle-started').textContent()).toMatch(/^Study 3 queued/);
    await card(page, 3, 'finished').waitFor({ timeout: 120_000 });
    const reproduction = card(page, 3).getByTestId('study-reproduction');
    await expect.poll(async () => reproduction.getAttribute('data-identical'), { timeout: 30_000 }).toBe('2');
    await expect(reproduction.getAttribute('data-compared')).resolves.toBe('2');
    await expect(reproduction.textContent()).resolves.toMatch(
      /2 of 2 finished runs gave the bundle's test predictions exactly/,
    );
    // Study 2 itself is no re-run.
    await expect(card(page, 2).getByTestId('study-reproduction').count()).resolves.toBe(0);
    await page.screenshot({ path: screenshotPath('study-bundle-rerun'), fullPage: true });
  }, 240_000);
});
