import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EventMessage } from '../../src-main/api/contract';
import { runCli } from '../helpers/cli';
import { makeDxFiles } from '../helpers/dx-files';
import { cliPath, requireBuild, tempDir } from '../helpers/paths';
import { startHost, type RunningHost } from '../helpers/web-host';

const dir = tempDir();
const env = { ALIGNER_USER_DATA: join(dir.path, 'user-data') };
const folder = join(dir.path, 'dicom');
const fileCount = 40;
let files: string[] = [];
beforeAll(() => {
  // Big enough that a hard kill lands mid-import even on a fast machine.
  files = makeDxFiles(folder, fileCount, 1024, 800, 21);
});
afterAll(() => dir.remove());

describe('aligner import (CLI)', () => {
  it('prints the documented JSON summary', async () => {
    const db = join(dir.path, 'cli.db');
    const run = await runCli(
      ['import', files[0] ?? '', files[1] ?? '', '--source', 'site-a', '--role', 'validation', '--db', db, '--json'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ imported: 2, duplicates: 0, failed: [], source: 'site-a' });
    const again = await runCli(
      ['import', files[0] ?? '', '--source', 'site-a', '--role', 'validation', '--db', db, '--json'],
      env,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, duplicates: 1, failed: [] });
    const wrongRole = await runCli(
      ['import', files[0] ?? '', '--source', 'site-a', '--role', 'train', '--db', db],
      env,
    );
    expect(wrongRole.code).toBe(2);
    expect(wrongRole.stderr.trim()).toMatch(/^aligner: error: source 'site-a' exists with role validation/);
    const none = await runCli(['import', '--db', db], env);
    expect(none.code).toBe(2);
  });

  it('reads a labels CSV of another layout through --labels-mapping, and refuses a bad mapping', async () => {
    const db = join(dir.path, 'mapped.db');
    const csv = join(dir.path, 'mapped.csv');
    const names = files.slice(0, 2).map((f) => f.split('/').pop());
    writeFileSync(
      csv,
      `filename,pid,gender,age_years,nodule_flag,mass_flag,effusion_flag\n${names[0]},p1,female,70,0,1,0\n${names[1]},p2,male,45,0,,-1\n`,
    );
    const mapping = join(dir.path, 'mapping.json');
    writeFileSync(
      mapping,
      JSON.stringify({
        file: 'filename',
        patientId: 'pid',
        sex: 'gender',
        age: 'age_years',
        findings: { nodule: ['nodule_flag', 'mass_flag'], effusion: ['effusion_flag'] },
      }),
    );
    const run = await runCli(
      [
        'import',
        files[0] ?? '',
        files[1] ?? '',
        '--source',
        's',
        '--labels',
        csv,
        '--labels-mapping',
        mapping,
        '--uncertain',
        'positive',
        '--db',
        db,
        '--json',
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const check = new Database(db, { readonly: true });
    const labels = check
      .prepare(
        'SELECT i.original_name AS name, l.finding, l.value FROM labels l JOIN images i ON i.id = l.image_id ORDER BY 1, 2',
      )
      .all();
    check.close();
    expect(labels).toEqual([
      { name: names[0], finding: 'effusion', value: 0 },
      { name: names[0], finding: 'nodule', value: 1 },
      { name: names[1], finding: 'effusion', value: 1 },
      { name: names[1], finding: 'nodule', value: 0 },
    ]);
    writeFileSync(mapping, JSON.stringify({ file: 'filename', findings: {} }));
    const bad = await runCli(
      ['import', files[0] ?? '', '--source', 's', '--labels', csv, '--labels-mapping', mapping, '--db', db],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/findings/);
  });

  it('leaves a consistent workspace when killed mid-way, and a re-run completes it', async () => {
    requireBuild();
    const db = join(dir.path, 'killed.db');
    const child = spawn(process.execPath, [cliPath, 'import', folder, '--source', 'site-a', '--db', db, '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Kill hard once a few files are in: no chance to finish a transaction politely.
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        const match = new RegExp(`import: (\\d+)/${fileCount}`).exec(chunk.toString());
        if (match && Number(match[1]) >= 5) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    await new Promise((resolve) => child.once('exit', resolve));

    const check = new Database(db);
    const partial = check.prepare('SELECT count(*) FROM images').pluck().get() as number;
    expect(partial).toBeGreaterThanOrEqual(5);
    expect(partial).toBeLessThan(fileCount);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    const incomplete = check
      .prepare(
        `SELECT count(*) FROM images i WHERE NOT EXISTS (SELECT 1 FROM image_cache c WHERE c.image_id = i.id)
           OR NOT EXISTS (SELECT 1 FROM thumbnails t WHERE t.image_id = i.id)`,
      )
      .pluck()
      .get();
    expect(incomplete).toBe(0);
    check.close();

    const rerun = await runCli(['import', folder, '--source', 'site-a', '--db', db, '--json'], env);
    const summary = JSON.parse(rerun.stdout) as { imported: number; duplicates: number; failed: unknown[] };
    expect(summary.failed).toEqual([]);
    expect(summary.duplicates).toBe(partial);
    expect(summary.imported + summary.duplicates).toBe(fileCount);
  });
});

describe('import through the API', () => {
  let host: RunningHost;
  beforeAll(async () => {
    host = await startHost(['--db', join(dir.path, 'api.db')], env);
  });
  afterAll(async () => {
    await host.stop();
  });

  async function call(
    name: string,
    body: unknown,
  ): Promise<{ status: number; json: { ok: boolean; value?: unknown; error?: unknown } }> {
    const response = await fetch(new URL(`/api/${name}`, host.url), { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as { ok: boolean } };
  }

  it('streams progress and a summary over /events, and the worklist shows the images', async () => {
    const socket = new WebSocket(new URL('/events', host.url.replace('http', 'ws')));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const messages: EventMessage[] = [];
    const finished = new Promise<EventMessage>((resolve) =>
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as EventMessage;
        messages.push(message);
        if (message.event === 'importFinished') resolve(message);
      }),
    );
    const started = await call('importStart', { paths: [folder], source: 'site-b', role: 'ood-test' });
    expect(started.status).toBe(200);
    const jobId = (started.json.value as { jobId: string }).jobId;
    const end = await finished;
    socket.close();
    expect(end).toMatchObject({
      event: 'importFinished',
      payload: { jobId, error: null, summary: { imported: fileCount, failed: [] } },
    });
    const progress = messages.filter((m) => m.event === 'importProgress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ payload: { jobId, done: fileCount, total: fileCount } });

    const page = await call('worklistQuery', { filter: { role: 'ood-test' }, limit: 10 });
    expect(page.json.value).toMatchObject({ total: fileCount });
    const sources = await call('sourcesList', {});
    expect(sources.json.value).toEqual([
      expect.objectContaining({ name: 'site-b', role: 'ood-test', imageCount: fileCount }),
    ]);
  });

  it('validates import input and names the field', async () => {
    expect(await call('importStart', { paths: [], source: 'x' })).toMatchObject({
      status: 400,
      json: { ok: false, error: { field: 'paths' } },
    });
    expect(await call('importStart', { paths: ['/tmp'], source: 'x', role: 'test' })).toMatchObject({
      status: 400,
      json: { ok: false, error: { field: 'role' } },
    });
    expect(await call('worklistQuery', { limit: 100000 })).toMatchObject({
      status: 400,
      json: { error: { field: 'limit' } },
    });
    expect(await call('importCancel', { jobId: 'no-such-job' })).toMatchObject({
      status: 200,
      json: { value: { cancelled: false } },
    });
  });

  it('answers pickPaths as unavailable in the browser host', async () => {
    expect(await call('pickPaths', { kind: 'folders' })).toMatchObject({
      status: 503,
      json: { error: { code: 'unavailable' } },
    });
  });
});
