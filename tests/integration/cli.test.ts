import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendReportSchema, workspaceInfoSchema } from '../../src-main/api/contract';
import { latestSchemaVersion } from '../../src-main/core/db/migrations';
import { runCli } from '../helpers/cli';
import { bumpSchemaVersion, holdExclusiveLock, sha256File } from '../helpers/db-fixtures';
import { repoRoot, tempDir } from '../helpers/paths';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};
let dir: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = tempDir();
  // Keep the user's real workspace out of reach of every test.
  env = { ALIGNER_USER_DATA: join(dir.path, 'user-data'), ALIGNER_DB: '' };
});
afterEach(() => dir.remove());

/** Asserts the CLI failed with exit code 2 and exactly one line on stderr. */
function expectOneLineFailure(run: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(run.code).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^aligner: error: /);
  expect(lines[0]).toMatch(pattern);
}

describe('aligner CLI', () => {
  it('is the package bin and prints its version', async () => {
    expect(pkg.bin.aligner).toBe('bin/aligner.mjs');
    const run = await runCli(['--version'], env);
    expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect(JSON.parse((await runCli(['--version', '--json'], env)).stdout)).toEqual({ version: pkg.version });
  });

  it('lists its commands in --help', async () => {
    const run = await runCli(['--help'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/workspace info/);
    expect(run.stdout).toMatch(/backend/);
    expect(run.stdout).toMatch(/--db PATH/);
  });

  it('workspace info --json creates the workspace and prints one JSON object', async () => {
    const db = join(dir.path, 'w.db');
    const run = await runCli(['workspace', 'info', '--db', db, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const info = workspaceInfoSchema.parse(JSON.parse(run.stdout));
    expect(info).toMatchObject({ path: db, schemaVersion: latestSchemaVersion, counts: { images: 0 } });
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('workspace info without --json prints readable facts', async () => {
    const db = join(dir.path, 'w.db');
    const run = await runCli(['workspace', 'info', '--db', db], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`workspace  ${db}`);
    expect(run.stdout).toMatch(/images\s+0/);
  });

  it('uses the default workspace in the user-data folder when no --db is given', async () => {
    const run = await runCli(['workspace', 'info', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).path).toBe(join(dir.path, 'user-data', 'workspace.db'));
  });

  it('fails with one line and exit 2 on a folder, and with --json also a JSON error', async () => {
    expectOneLineFailure(await runCli(['workspace', 'info', '--db', dir.path], env), /is a folder/);
    const run = await runCli(['workspace', 'info', '--db', dir.path, '--json'], env);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'is_directory' } });
  });

  it('fails with one line on a corrupt file and does not touch it', async () => {
    const db = join(dir.path, 'broken.db');
    writeFileSync(db, Buffer.alloc(4096, 7));
    const before = sha256File(db);
    expectOneLineFailure(await runCli(['workspace', 'info', '--db', db], env), /not a SQLite database/);
    expect(sha256File(db)).toBe(before);
    expect(existsSync(`${db}-wal`)).toBe(false);
  });

  it('fails with one line on a newer schema', async () => {
    const db = join(dir.path, 'w.db');
    await runCli(['workspace', 'info', '--db', db], env);
    bumpSchemaVersion(db, latestSchemaVersion + 1);
    expectOneLineFailure(await runCli(['workspace', 'info', '--db', db], env), /newer than this app supports/);
  });

  it('fails with one line on a workspace locked by another process', async () => {
    const db = join(dir.path, 'w.db');
    await runCli(['workspace', 'info', '--db', db], env);
    const holder = await holdExclusiveLock(db);
    try {
      expectOneLineFailure(await runCli(['workspace', 'info', '--db', db], env), /locked by another process/);
    } finally {
      holder.kill();
    }
  });

  it('refuses unknown commands and options with exit 2', async () => {
    expectOneLineFailure(await runCli(['frobnicate'], env), /unknown command 'frobnicate'/);
    expectOneLineFailure(await runCli(['workspace', 'info', '--colour'], env), /--colour/);
    expectOneLineFailure(await runCli(['backend', '--backend', 'tpu'], env), /--backend must be one of/);
  });

  it('backend --json reports the chosen backend and every skipped one with a reason', async () => {
    const run = await runCli(['backend', '--json'], env);
    const report = backendReportSchema.parse(JSON.parse(run.stdout));
    expect(run.code).toBe(report.chosen ? 0 : 1);
    expect(report.requested).toBe('auto');
    for (const attempt of report.attempts) {
      expect(attempt.ok).toBe(attempt.backend === report.chosen);
      if (!attempt.ok) expect(attempt.reason).toBeTruthy();
    }
    // auto stops at the first backend that works; the pure-JS cpu backend always does.
    expect(report.chosen).not.toBeNull();
    expect(report.attempts.at(-1)?.backend).toBe(report.chosen);
  });

  it('backend --backend cpu tries only cpu', async () => {
    const run = await runCli(['backend', '--backend', 'cpu', '--json'], env);
    const report = backendReportSchema.parse(JSON.parse(run.stdout));
    expect(report).toMatchObject({ requested: 'cpu', chosen: 'cpu' });
    expect(report.attempts.map((a) => a.backend)).toEqual(['cpu']);
    expect(report.matmulGflops).toBeGreaterThan(0);
  });
});
