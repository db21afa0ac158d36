import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceInfo } from '../../src-main/api/contract';
import { demoCohortPlan } from '../../src-main/core/simulator';
import { launchChromium, screenshotPath, watchErrors } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { startHost, type RunningHost } from '../helpers/web-host';

/** First start: an empty workspace offers the demo; building it fills the worklist with the simulated sites. */
const imageSize = 128;
let browser: Browser;
let host: RunningHost;
const dir = tempDir('aligner-e2e-demo-');

beforeAll(async () => {
  [browser, host] = await Promise.all([
    launchChromium(),
    startHost(['--db', join(dir.path, 'workspace.db')], {
      ALIGNER_USER_DATA: join(dir.path, 'user-data'),
      ALIGNER_DEMO_IMAGE_SIZE: String(imageSize),
    }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  dir.remove();
});

describe('demo workspace', () => {
  it('is offered on an empty workspace and builds with a progress bar', { timeout: 240_000 }, async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${host.url}#/library`);
    await page.getByTestId('demo-build').click();
    await page.getByTestId('demo-progress').waitFor();
    await page.screenshot({ path: screenshotPath('demo-building') });
    const total = demoCohortPlan(undefined, imageSize).totalImages;
    await page
      .getByTestId('library-images')
      .filter({ hasText: `${total} Images` })
      .waitFor({ timeout: 180_000 });
    await page.getByTestId('demo-panel').waitFor({ state: 'detached' });
    await page.getByTestId('worklist-row').first().waitFor();
    await page.screenshot({ path: screenshotPath('demo-built') });
    const response = await fetch(new URL('/api/workspaceInfo', host.url), { method: 'POST', body: '{}' });
    const info = ((await response.json()) as { value: WorkspaceInfo }).value;
    expect(info.counts).toMatchObject({ sources: 4, images: total });
    expect(info.counts.annotations).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
