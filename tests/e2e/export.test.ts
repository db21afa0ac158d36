import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readExportedModel } from '../../src-main/core/export/read-exported-model';
import { readStudyBundle } from '../../src-main/core/study/bundle/read-bundle';
import { launchChromium, OpenedPages, screenshotPath } from '../helpers/browser';
import { buildExportWorkspace, trainMicro, type ExportWorkspace, type TrainAnswer } from '../helpers/export-workspace';
import { tempDir } from '../helpers/paths';
import { startHost, type RunningHost } from '../helpers/web-host';

/**
 * The Export view end to end: a run trained by the real CLI, exported from the browser host's page to folders
 * on the host (here, this machine), the files read back from disk.
 */
let browser: Browser;
let host: RunningHost;
let dir: ReturnType<typeof tempDir>;
let trained: TrainAnswer;
let ws: ExportWorkspace;
const opened = new OpenedPages();

beforeAll(async () => {
  dir = tempDir('aligner-e2e-export-');
  ws = await buildExportWorkspace(dir.path);
  trained = await trainMicro(ws, 'nodule,effusion');
  [browser, host] = await Promise.all([launchChromium(), startHost(['--db', ws.db], ws.env)]);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  dir?.remove();
});
afterEach(async () => {
  expect(await opened.closeAll(), 'errors in the browser').toEqual([]);
});

describe('Export view', () => {
  it("exports a finished run's model and predictions to paths on the host, and says why a path is refused", async () => {
    // The refused path answers 400, which Chromium logs as a failed resource load.
    const page = await opened.open(browser, { width: 1280, height: 1000 }, [/status of 400 \(Bad Request\)/]);
    await page.goto(`${host.url}#/export`);
    const id = trained.runId;
    const card = page.getByTestId(`export-run-${id}`);
    await card.waitFor();
    await expect(card.textContent()).resolves.toMatch(/nodule, effusion · micro · alignment 50 %/);
    // The suggested folder is beside the workspace file.
    await expect(page.getByTestId(`export-model-dir-${id}`).inputValue()).resolves.toBe(
      join(dir.path, 'exports', `run-${id}-model`),
    );

    const modelDir = join(dir.path, 'from-the-page', 'model');
    await page.getByTestId(`export-model-dir-${id}`).fill(modelDir);
    await page.getByTestId(`export-model-start-${id}`).click();
    const result = page.getByTestId(`export-model-result-${id}`);
    await result.waitFor();
    for (const name of ['model.json', 'weights.bin', 'metadata.json']) {
      expect(existsSync(join(modelDir, name)), name).toBe(true);
      await expect(result.textContent()).resolves.toContain(join(modelDir, name));
    }
    const exported = readExportedModel(modelDir);
    expect(exported.config.findings).toEqual(['nodule', 'effusion']);
    expect(exported.metadata.runId).toBe(id);

    const csv = join(dir.path, 'from-the-page', 'effusion.csv');
    await expect(page.getByTestId(`export-predictions-path-${id}`).inputValue()).resolves.toBe(
      join(dir.path, 'exports', `run-${id}-nodule-predictions.csv`),
    );
    await page.getByTestId(`export-predictions-finding-${id}`).selectOption('effusion');
    await expect(page.getByTestId(`export-predictions-path-${id}`).inputValue()).resolves.toBe(
      join(dir.path, 'exports', `run-${id}-effusion-predictions.csv`),
    );
    await page.getByTestId(`export-predictions-path-${id}`).fill('relative.csv');
    await page.getByTestId(`export-predictions-start-${id}`).click();
    await expect
      .poll(async () => page.getByTestId(`export-predictions-error-${id}`).textContent())
      .toMatch(/out: out must be an absolute path on the host machine/);

    await page.getByTestId(`export-predictions-path-${id}`).fill(csv);
    await page.getByTestId(`export-predictions-start-${id}`).click();
    await expect
      .poll(async () => page.getByTestId(`export-predictions-result-${id}`).textContent())
      .toMatch(/^Wrote 30 predictions for effusion \(\d+ positive,\s+\d+ negative\) to/);
    await expect(page.getByTestId(`export-predictions-error-${id}`).count()).resolves.toBe(0);
    const [header, ...rows] = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(header).toBe('score,label,finding,source,sex,age,image,view');
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.split(',')[2] === 'effusion')).toBe(true);
    await page.screenshot({ path: screenshotPath('export-done'), fullPage: true });
  }, 120_000);

  it('writes a study report from the Study report card and from the study in Runs / Studies', async () => {
    // The run becomes a study's, as the study runner records one (studies row, runs.study_id).
    const db = new Database(ws.db);
    let studyId: number;
    try {
      const config = {
        name: 'page study',
        finding: 'effusion',
        train: ['riverside'],
        validation: 'hillcrest',
        test: ['summit'],
        levels: [0.5],
        seeds: [0],
        preset: 'micro',
      };
      studyId = Number(
        db.prepare('INSERT INTO studies (name, config) VALUES (?, ?)').run(config.name, JSON.stringify(config))
          .lastInsertRowid,
      );
      db.prepare('UPDATE runs SET study_id = ? WHERE id = ?').run(studyId, trained.runId);
    } finally {
      db.close();
    }
    const page = await opened.open(browser, { width: 1280, height: 1000 });
    await page.goto(`${host.url}#/export`);
    await page.getByTestId('study-report').waitFor();
    await expect(page.getByTestId('study-report-id').inputValue()).resolves.toBe(String(studyId));
    await expect(page.getByTestId('study-report-dir').inputValue()).resolves.toBe(
      join(dir.path, 'exports', `study-${studyId}-report`),
    );
    const out = join(dir.path, 'from-the-page', 'study-report');
    await page.getByTestId('study-report-dir').fill(out);
    await page.getByTestId('study-report-start').click();
    await expect
      .poll(async () => page.getByTestId('study-report-result').textContent(), { timeout: 60_000 })
      .toMatch(new RegExp(`Wrote the report of study ${studyId} \\(effusion, 1 of 1 runs\\) to\\s+${out}`));
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { finding: string; runs: unknown[] };
    expect(summary).toMatchObject({ finding: 'effusion', runs: [expect.objectContaining({ runId: trained.runId })] });
    await page.screenshot({ path: screenshotPath('export-study-report'), fullPage: true });

    // Where studies are listed: the study's Write report button, to the suggested folder beside the workspace.
    await page.goto(`${host.url}#/runs`);
    const study = page.locator(`[data-testid="study-card"][data-study-id="${studyId}"]`);
    await study.getByTestId('study-report-write').click();
    const suggested = join(dir.path, 'exports', `study-${studyId}-report`);
    await expect
      .poll(async () => study.getByTestId('study-report-written').textContent(), { timeout: 60_000 })
      .toContain(`to ${suggested}:`);
    expect(existsSync(join(suggested, 'report.html'))).toBe(true);

    // And its Write bundle button: the reproducibility bundle beside the workspace, read back from disk.
    await study.getByTestId('study-bundle-write').click();
    const bundleFile = join(dir.path, 'exports', `study-${studyId}-bundle.tar.gz`);
    await expect
      .poll(async () => study.getByTestId('study-bundle-written').textContent(), { timeout: 60_000 })
      .toContain(`to ${bundleFile} (1 runs,`);
    const bundle = readStudyBundle(bundleFile);
    expect(bundle.manifest.study).toMatchObject({ id: studyId, config: { name: 'page study', finding: 'effusion' } });
    const stored = new Database(ws.db, { readonly: true });
    const testAuc = stored.prepare('SELECT test_auc FROM runs WHERE id = ?').pluck().get(trained.runId) as number;
    stored.close();
    expect(bundle.manifest.runs).toEqual([
      expect.objectContaining({ status: 'done', testAuc, predictionsSha256: expect.stringMatching(/^[0-9a-f]{64}$/) }),
    ]);
  }, 120_000);
});
