import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { artifactsDir } from './paths';

export const screenshotsDir = join(artifactsDir, 'screenshots');

const launchArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The Chromium to drive: `CHROMIUM_PATH`, else the system one, else Playwright's own download. */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  let playwrights = '';
  try {
    playwrights = chromium.executablePath();
  } catch {
    // No registry browser known to this playwright-core.
  }
  if (playwrights && existsSync(playwrights)) return playwrights;
  throw new Error(
    'no Chromium for the e2e tests: set CHROMIUM_PATH, install one at /usr/bin/chromium ' +
      '(apt-get install -y chromium), or run `npx playwright-core install chromium`',
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), headless: true, args: launchArgs });
}

/** Where a screenshot named `name` goes (tests/.artifacts/screenshots/<name>.png); makes the folder. */
export function screenshotPath(name: string): string {
  mkdirSync(screenshotsDir, { recursive: true });
  return join(screenshotsDir, `${name}.png`);
}

/** A console error that a test provokes on purpose, matched on `<text> @ <url>`. */
export type AllowedError = RegExp;

/**
 * Chromium asks every site for /favicon.ico on its own; the app has no icon, so the host
 * answers 404 and Chromium logs it. That request is the browser's, not the app's code.
 */
const faviconMissing: AllowedError = /status of 404 \(Not Found\) @ http:\/\/[^/]+\/favicon\.ico$/;

/**
 * Collects the page's uncaught errors and console errors, so that a test can
 * assert none happened. `allowed` lists the ones a test provokes on purpose.
 */
export function watchErrors(page: Page, allowed: readonly AllowedError[] = []): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() !== 'error') return;
    const line = `${msg.text()} @ ${msg.location().url}`;
    if (![faviconMissing, ...allowed].some((pattern) => pattern.test(line))) errors.push(`console.error: ${line}`);
  });
  return errors;
}

/**
 * The pages a test file opens, each in its own browser context, with the
 * errors each logs; `closeAll` (in afterEach) closes them and returns the
 * errors, which a test must end without.
 */
export class OpenedPages {
  readonly #pages: { page: Page; errors: string[] }[] = [];

  async open(
    browser: Browser,
    viewport: { width: number; height: number },
    allowed: readonly AllowedError[] = [],
  ): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    page.setDefaultTimeout(20_000);
    this.#pages.push({ page, errors: watchErrors(page, allowed) });
    return page;
  }

  async closeAll(): Promise<string[]> {
    const pages = this.#pages.splice(0);
    await Promise.all(pages.map(({ page }) => page.context().close()));
    return pages.flatMap((p) => p.errors);
  }
}
