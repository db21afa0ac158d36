import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  AttentionGallery,
  AttentionGalleryQueryInput,
  ConditionSummary,
  FairnessQueryInput,
  FairnessSummary,
  SeedSummary,
} from '../../src-main/api/fairness-schemas';
import { launchChromium, OpenedPages, screenshotPath } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/paths';
import { learnableNodules, simulateInto } from '../helpers/trainer-workspace';
import { startHost, type RunningHost } from '../helpers/web-host';

/**
 * The Fairness view end to end on runs of the real trainer: a simulated cohort (`aligner simulate --into-db`),
 * micro runs trained by the built CLI (alignment 0 and 1 × two seeds, one random-alignment run, data ratio 0.5
 * with and without alignment; two epochs each), the browser host and Chromium. Table 2's cells are checked
 * against the API's numbers, each figure's SVG against the conditions it draws, every export is downloaded and
 * read, and the gallery shows hit and miss marks.
 */

let browser: Browser;
let host: RunningHost;
let dir: ReturnType<typeof tempDir>;
let partialDb: string;
let env: NodeJS.ProcessEnv;
const opened = new OpenedPages();
const finding = 'nodule';

async function train(db: string, env: NodeJS.ProcessEnv, flags: readonly string[]): Promise<void> {
  const run = await runCli(
    [
      'train',
      ...['--task', finding, '--train', 'riverside', '--val', 'hillcrest', '--test', 'summit'],
      ...['--preset', 'micro', '--epochs', '2', '--batch', '16', '--backend', 'wasm', '--db', db, '--json'],
      ...flags,
    ],
    env,
  );
  if (run.code !== 0) throw new Error(`aligner train ${flags.join(' ')} exited ${run.code}:\n${run.stderr}`);
  const answer = JSON.parse(run.stdout.trim()) as { status: string };
  if (answer.status !== 'done') throw new Error(`aligner train ${flags.join(' ')} ended ${answer.status}`);
}

beforeAll(async () => {
  dir = tempDir('aligner-e2e-fairness-');
  const db = join(dir.path, 'workspace.db');
  partialDb = join(dir.path, 'partial.db');
  env = { ALIGNER_USER_DATA: join(dir.path, 'user-data'), ALIGNER_DB: '' };
  const cohort = (site: string, n: number, seed: number, ...extra: string[]): Promise<void> =>
    simulateInto(
      db,
      [
        '--out',
        join(dir.path, site),
        '--site',
        site,
        '--n',
        `${n}`,
        '--seed',
        `${seed}`,
        ...learnableNodules,
        ...extra,
      ],
      env,
    );
  await cohort('riverside', 48, 1, '--annotate-fraction', '1');
  await cohort('hillcrest', 16, 2, '--shortcut-mode', 'none', '--role', 'validation');
  await cohort('summit', 24, 3, '--ood', '--annotate-fraction', '1');
  // One micro run takes ~6 s here; two at a time on two cores.
  const twoAtATime = (plan: string[][]): Promise<void[]> =>
    Promise.all(
      [0, 1].map(async () => {
        for (let next = plan.shift(); next; next = plan.shift()) await train(db, env, next);
      }),
    );
  await twoAtATime([
    ['--alignment', '0', '--seed', '0'],
    ['--alignment', '1', '--seed', '0'],
  ]);
  // A copy with only these two runs: the figures that need more say which runs.
  for (const suffix of ['', '-wal']) if (existsSync(db + suffix)) copyFileSync(db + suffix, partialDb + suffix);
  await twoAtATime([
    ['--alignment', '0', '--seed', '1'],
    ['--alignment', '1', '--seed', '1'],
    ['--alignment', '1', '--random-alignment', '--seed', '0'],
    ['--alignment', '0', '--data-ratio', '0.5', '--seed', '0'],
    ['--alignment', '1', '--data-ratio', '0.5', '--seed', '0'],
  ]);
  [browser, host] = await Promise.all([launchChromium(), startHost(['--db', db], env)]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  dir?.remove();
});
afterEach(async () => {
  expect(await opened.closeAll(), 'errors in the browser').toEqual([]);
});

async function api<T>(name: string, input: unknown): Promise<T> {
  const response = await fetch(`${host.url}api/${name}`, { method: 'POST', body: JSON.stringify(input) });
  const answer = (await response.json()) as { ok: boolean; value: T; error?: unknown };
  if (!answer.ok) throw new Error(`${name}: ${JSON.stringify(answer.error)}`);
  return answer.value;
}
const summaryOf = (input: FairnessQueryInput): Promise<FairnessSummary> => api('fairnessSummary', input);
const galleryOf = (input: AttentionGalleryQueryInput): Promise<AttentionGallery> => api('attentionGallery', input);

/** The view's text for a quantity: mean × 100 to one decimal, ± std × 100 when there is one. */
function shown(s: SeedSummary): string {
  if (s.mean === null) return '—';
  const fmt = (v: number): string => (v * 100).toFixed(1).replace(/^-(0\.0)$/, '$1');
  return s.std === null ? fmt(s.mean) : `${fmt(s.mean)} ± ${fmt(s.std)}`;
}

const fullData = (c: ConditionSummary): boolean => c.dataRatio === 1 && !c.randomAlignment;

/** What each figure should draw, from the API's conditions (for summit, sex, ΔAUC — the view's defaults). */
function expectedFigures(summary: FairnessSummary): Record<string, { series: number; points: number[] }> {
  const levels = summary.conditions.filter(fullData).sort((a, b) => a.alignment - b.alignment);
  const source = (c: ConditionSummary) => c.sources.find((s) => s.source === 'summit')!;
  const attrs = source(levels[0]!).attributes.map((a) => a.attribute);
  const gap = (c: ConditionSummary, attribute: string) =>
    source(c).attributes.find((a) => a.attribute === attribute)?.gaps.auc.mean ?? null;
  const fig3 = attrs
    .map((a) => levels.filter((c) => source(c).performance.auc.mean !== null && gap(c, a) !== null).length)
    .filter((n) => n > 0);
  const alignment = [
    levels.filter((c) => source(c).hitRate.mean !== null).length,
    levels.filter((c) => source(c).miou.mean !== null).length,
  ].filter((n) => n > 0);
  const random = summary.conditions.find((c) => c.randomAlignment)!;
  const human = levels.find((c) => c.alignment === random.alignment)!;
  const fig4 = [levels[0]!, random, human].map((c) => {
    const a = source(c).attributes.find((x) => x.attribute === 'sex')!;
    return [a.gaps.accuracy, a.gaps.auc, a.gaps.sensitivity, a.gaps.f1, source(c).hitRate].filter(
      (s) => s.mean !== null,
    ).length;
  });
  const nonRandom = summary.conditions.filter((c) => !c.randomAlignment);
  const fig5 = [0, 1].map((level) => nonRandom.filter((c) => c.alignment === level && gap(c, 'sex') !== null).length);
  return {
    fig3: { series: fig3.length, points: fig3 },
    alignment: { series: alignment.length, points: alignment },
    fig4: { series: 3, points: fig4 },
    fig5: { series: 2, points: fig5 },
    fig6: { series: levels.length, points: [levels.length] },
  };
}

interface Tagged {
  getAttribute(name: string): string | null;
}

/** Distinct data points per data series in a figure's SVG (ECharts tags each with its series and index). */
async function renderedPoints(figure: Locator, series: number): Promise<number[]> {
  return figure.locator('svg').evaluate((svg, count) => {
    const root = svg as unknown as { querySelectorAll(selector: string): ArrayLike<Tagged> };
    const sets = Array.from({ length: count }, () => new Set<string>());
    for (const el of Array.from(root.querySelectorAll('[ecmeta_ssr_type="chart"]'))) {
      const s = Number(el.getAttribute('ecmeta_series_index'));
      if (s < count) sets[s]!.add(el.getAttribute('ecmeta_data_index') ?? '');
    }
    return sets.map((set) => set.size);
  }, series);
}

/** The whole view in one picture: the app scrolls inside <main>, so the viewport grows to its height for it. */
async function screenshotWhole(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!;
  const height = await page
    .locator('main')
    .evaluate((main) => (main as unknown as { scrollHeight: number }).scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  await page.screenshot({ path: screenshotPath(name) });
  await page.setViewportSize(size);
}

async function download(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

describe('Fairness view', () => {
  it('shows Table 2, the five figures and the gallery from the evaluated runs, and exports them', async () => {
    const page = await opened.open(browser, { width: 1400, height: 1200 });
    await page.goto(`${host.url}#/fairness`);
    const view = page.locator('[data-testid="fairness"][data-state="ready"]');
    await view.waitFor({ timeout: 60_000 });

    const summary = await summaryOf({});
    expect(summary.finding).toBe(finding);
    expect(summary.conditions.map((c) => [c.alignment, c.dataRatio, c.randomAlignment, c.runIds.length])).toEqual([
      [0, 0.5, false, 1],
      [1, 0.5, false, 1],
      [0, 1, false, 2],
      [1, 1, false, 2],
      [1, 1, true, 1],
    ]);

    // Table 2: one row per attribute of summit × (no alignment, 100 %), each cell the API's mean ± std × 100.
    const levels = summary.conditions.filter(fullData).sort((a, b) => a.alignment - b.alignment);
    const summit = (c: ConditionSummary) => c.sources.find((s) => s.source === 'summit')!;
    const attributes = summit(levels[0]!).attributes.map((a) => a.attribute);
    expect(attributes).toEqual(expect.arrayContaining(['sex', 'age']));
    const rows = page.getByTestId('table2-row');
    await expect.poll(() => rows.count()).toBe(attributes.length * levels.length);
    for (const c of levels) {
      for (const attribute of attributes) {
        const a = summit(c).attributes.find((x) => x.attribute === attribute)!;
        const row = page.locator(
          `[data-testid="table2-row"][data-source="summit"][data-attribute="${attribute}"][data-condition="${c.key}"]`,
        );
        const cell = (col: string) =>
          row
            .locator(`[data-col="${col}"]`)
            .textContent()
            .then((t) => t?.trim());
        await expect(cell('aucGap')).resolves.toBe(shown(a.gaps.auc));
        await expect(cell('accuracyGap')).resolves.toBe(shown(a.gaps.accuracy));
        await expect(cell('sensitivityGap')).resolves.toBe(shown(a.gaps.sensitivity));
        await expect(cell('f1Gap')).resolves.toBe(shown(a.gaps.f1));
        await expect(cell('hitRate')).resolves.toBe(shown(summit(c).hitRate));
      }
    }
    // The lower ΔAUC of each block is bold (both when they show equal).
    for (const attribute of attributes) {
      const values = levels.map((c) => summit(c).attributes.find((x) => x.attribute === attribute)!.gaps.auc.mean);
      if (values.some((v) => v === null)) continue;
      const shownValues = values.map((v) => Number((v! * 100).toFixed(1)));
      const best = Math.min(...shownValues);
      for (const [i, c] of levels.entries()) {
        const cell = page.locator(
          `[data-testid="table2-row"][data-attribute="${attribute}"][data-condition="${c.key}"] [data-col="aucGap"]`,
        );
        await expect(cell.getAttribute('data-best')).resolves.toBe(String(shownValues[i] === best));
        await expect(cell.locator('strong').count()).resolves.toBe(shownValues[i] === best ? 1 : 0);
      }
    }

    // The five figures: an SVG each, with the series and points the conditions give.
    const expected = expectedFigures(summary);
    for (const [id, want] of Object.entries(expected)) {
      const figure = page.locator(`[data-testid="figure-${id}"][data-state="drawn"]`);
      await figure.waitFor();
      await expect(figure.getAttribute('data-series'), id).resolves.toBe(String(want.series));
      await expect(renderedPoints(figure, id === 'fig6' ? 1 : want.series), id).resolves.toEqual(want.points);
    }
    await screenshotWhole(page, 'fairness-view');
    // A legend click hides a series (and a second shows it again); hovering a point shows its numbers.
    // The Sex point is hovered while Age is hidden: where both gaps are equal the Age point lies on top of it.
    const fig3 = page.getByTestId('figure-fig3');
    const ageLegend = fig3.locator('[ecmeta_ssr_type="legend"][ecmeta_data_index="1"]:not([ecmeta_silent])');
    await ageLegend.click();
    await expect.poll(() => renderedPoints(fig3, 2)).toEqual([expected.fig3!.points[0], 0]);
    await fig3.locator('[ecmeta_ssr_type="chart"][ecmeta_series_index="0"]').first().hover();
    await expect
      .poll(() => page.getByTestId('figure-fig3-tip').textContent())
      .toMatch(/^Sex · No alignment \(2 runs\)\nAUC \(×100\) \d+\.\d( ± \d+\.\d)? \(n = 2\)/);
    await ageLegend.click();
    await expect.poll(() => renderedPoints(fig3, 2)).toEqual(expected.fig3!.points);

    // Exports: Table 2 as CSV, every figure as SVG and PNG.
    const csv = await download(page, page.getByTestId('table2-csv'));
    expect(csv.name).toBe('fairness-nodule-table2.csv');
    const records = parse(csv.bytes.toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!).slice(0, 4)).toEqual(['source', 'attribute', 'condition', 'alignment_pct']);
    expect(records).toHaveLength(attributes.length * levels.length);
    const first = summit(levels[0]!).attributes.find((a) => a.attribute === records[0]!.attribute)!;
    expect(records[0]).toMatchObject({ source: 'summit', condition: 'No alignment', alignment_pct: '0', runs: '2' });
    if (first.gaps.auc.mean !== null) {
      expect(Number(records[0]!.delta_auc_mean)).toBeCloseTo(first.gaps.auc.mean * 100, 3);
    }
    for (const id of Object.keys(expected)) {
      const svg = await download(page, page.getByTestId(`figure-${id}-svg`));
      expect(svg.name).toBe(`fairness-nodule-${id}-summit.svg`);
      expect(svg.bytes.toString('utf8').startsWith('<svg')).toBe(true);
      const png = await download(page, page.getByTestId(`figure-${id}-png`));
      expect(png.name).toBe(`fairness-nodule-${id}-summit.png`);
      expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      // Drawn at twice the SVG's size.
      const width = Number(/width="(\d+)"/.exec(svg.bytes.toString('utf8'))?.[1]);
      expect(png.bytes.readUInt32BE(16)).toBe(2 * width);
    }

    // The gallery: the first run of the aligned level, hit and miss marks, an outcome filter and paging.
    const gallery = page.locator('[data-testid="gallery"][data-state="ready"]');
    await gallery.waitFor();
    const aligned = levels.find((c) => c.alignment === 1)!;
    await expect(page.getByTestId('gallery-run').inputValue()).resolves.toBe(String(aligned.runIds[0]));
    const all = await galleryOf({ runId: aligned.runIds[0]!, finding, limit: 12 });
    await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(Math.min(12, all.total));
    await expect(page.getByTestId('gallery-page').textContent()).resolves.toBe(
      `1–${Math.min(12, all.total)} of ${all.total}`,
    );
    const outcomes = await page
      .getByTestId('gallery-peak')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')));
    expect(outcomes).toEqual(all.items.map((i) => (i.hit === 1 ? 'hit' : i.hit === 0 ? 'miss' : 'none')));
    expect(outcomes.some((o) => o === 'hit' || o === 'miss')).toBe(true);
    const strokes = await page
      .getByTestId('gallery-peak')
      .evaluateAll((els) => els.map((e) => e.getAttribute('stroke')));
    outcomes.forEach((o, i) => {
      if (o === 'hit') expect(strokes[i]).toBe('#4cd37d');
      if (o === 'miss') expect(strokes[i]).toBe('#ff5c5c');
    });
    await page
      .locator('[data-testid="gallery-item"]')
      .first()
      .screenshot({ path: screenshotPath('fairness-gallery-item') });

    const hits = await galleryOf({ runId: aligned.runIds[0]!, finding, outcome: 'hit', limit: 12 });
    await page.getByTestId('gallery-outcome-filter').selectOption('hit');
    await expect
      .poll(() => page.getByTestId('gallery-page').textContent())
      .toMatch(new RegExp(`of ${hits.total}$|^no images$`));
    await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(Math.min(12, hits.total));
    const hitMarks = await page
      .getByTestId('gallery-peak')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')));
    expect(hitMarks.every((o) => o === 'hit')).toBe(true);
    await page.getByTestId('gallery-outcome-filter').selectOption('all');
    // A subgroup: women only, as many as the API counts.
    const women = await galleryOf({
      runId: aligned.runIds[0]!,
      finding,
      group: { attribute: 'sex', value: 'F' },
      limit: 12,
    });
    await page.getByTestId('gallery-group').selectOption('sex=F');
    await expect.poll(() => page.getByTestId('gallery-page').textContent()).toMatch(new RegExp(`of ${women.total}$`));
    const captions = await page.getByTestId('gallery-item').allTextContents();
    expect(captions.length).toBe(Math.min(12, women.total));
    expect(captions.every((c) => /Sex F/.test(c))).toBe(true);
    await page.getByTestId('gallery-group').selectOption('');
    await expect.poll(() => page.getByTestId('gallery-page').textContent()).toMatch(new RegExp(`of ${all.total}$`));
    if (all.total > 12) {
      await page.getByTestId('gallery-next').click();
      await expect
        .poll(() => page.getByTestId('gallery-page').textContent())
        .toBe(`13–${Math.min(24, all.total)} of ${all.total}`);
      const second = await galleryOf({ runId: aligned.runIds[0]!, finding, limit: 12, offset: 12 });
      await expect
        .poll(() =>
          page
            .getByTestId('gallery-item')
            .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-image-id')))),
        )
        .toEqual(second.items.map((i) => i.imageId));
    }
    await page.getByTestId('gallery').screenshot({ path: screenshotPath('fairness-gallery') });

    // A new age threshold reloads the summary; the table follows the API's numbers for it.
    await page.getByTestId('fairness-age').fill('50');
    await page.getByTestId('fairness-age').press('Enter');
    await page.locator('[data-testid="fairness"][data-state="ready"][data-age-threshold="50"]').waitFor();
    const at50 = await summaryOf({ ageThreshold: 50 });
    const age50 = summit(at50.conditions.find((c) => c.key === levels[0]!.key)!).attributes.find(
      (a) => a.attribute === 'age',
    )!;
    expect(age50.groups.map((g) => g.value).sort()).toEqual(['<50', '>=50']);
    await expect(
      page
        .locator(
          `[data-testid="table2-row"][data-attribute="age"][data-condition="${levels[0]!.key}"] [data-col="aucGap"]`,
        )
        .textContent()
        .then((t) => t?.trim()),
    ).resolves.toBe(shown(age50.gaps.auc));
  }, 180_000);

  it('says which runs a figure needs, and what to do in a workspace without evaluated runs', async () => {
    const page = await opened.open(browser, { width: 1400, height: 1000 });
    // Two runs only (no alignment and 100 %, one seed each): Figs. 3 and 6 draw, Figs. 4 and 5 name their runs.
    const partial = await startHost(['--db', partialDb], env);
    try {
      await page.goto(`${partial.url}#/fairness`);
      await page.locator('[data-testid="fairness"][data-state="ready"]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="figure-fig3"][data-state="drawn"]').waitFor();
      await page.locator('[data-testid="figure-fig6"][data-state="drawn"]').waitFor();
      await expect(page.locator('[data-testid="figure-fig4"]').getAttribute('data-state')).resolves.toBe('missing');
      await expect(page.getByTestId('figure-fig4-needs').textContent()).resolves.toMatch(
        /This figure needs random-alignment runs \(random alignment on, alignment > 0 %, data ratio 100 %\) tested on summit/,
      );
      await expect(page.getByTestId('figure-fig5-needs').textContent()).resolves.toMatch(
        /This figure needs runs at a data ratio below 100 %/,
      );
      // One seed per condition: the mean alone, no ± std.
      await expect(
        page.locator('[data-testid="table2-row"] [data-col="hitRate"]').first().textContent(),
      ).resolves.toMatch(/^\s*(\d+\.\d|—)\s*$/);
      await screenshotWhole(page, 'fairness-partial');
    } finally {
      // The page first, so that it does not log the host going away.
      await page.context().close();
      await partial.stop();
    }

    // A workspace without runs: the empty state says what to do.
    const emptyPage = await opened.open(browser, { width: 1400, height: 1000 });
    const empty = tempDir('aligner-e2e-fairness-empty-');
    const emptyHost = await startHost(['--db', join(empty.path, 'empty.db')], {
      ALIGNER_USER_DATA: join(empty.path, 'user-data'),
      ALIGNER_DB: '',
    });
    try {
      await emptyPage.goto(`${emptyHost.url}#/fairness`);
      await emptyPage.locator('[data-testid="fairness"][data-state="empty"]').waitFor();
      await expect(emptyPage.getByTestId('empty-state').textContent()).resolves.toMatch(
        /No evaluated runs[\s\S]*Test \(out of domain\)[\s\S]*aligner train … --test SOURCE/,
      );
      await emptyPage.screenshot({ path: screenshotPath('fairness-empty') });
    } finally {
      await emptyPage.context().close();
      await emptyHost.stop();
      empty.remove();
    }
  }, 90_000);
});
