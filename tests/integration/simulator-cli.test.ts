import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/paths';

let dir: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = tempDir();
  // Keep the user's real workspace out of reach.
  env = { ALIGNER_USER_DATA: join(dir.path, 'user-data'), ALIGNER_DB: '' };
});
afterEach(() => dir.remove());

describe('aligner simulate', () => {
  it('writes a cohort and answers one JSON object, with progress on stderr', async () => {
    const out = join(dir.path, 'cohort');
    const run = await runCli(['simulate', '--out', out, '--n', '8', '--size', '128', '--seed', 'cli', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const answer = JSON.parse(run.stdout) as Record<string, unknown> & {
      sexCounts: { F: number; M: number };
      prevalence: Record<string, number>;
      shortcut: { subgroups: { name: string }[] };
    };
    expect(answer).toMatchObject({ out, n: 8, site: 'riverside', format: 'dicom', size: 128, cancelled: false });
    expect(answer.imagesPerSecond).toBeGreaterThan(0);
    expect(answer.sexCounts.F + answer.sexCounts.M).toBe(8);
    expect(Object.keys(answer.prevalence)).toEqual(['nodule', 'effusion', 'edema']);
    expect(answer.shortcut.subgroups.map((g) => g.name)).toEqual(['F', 'M']);
    expect(answer).not.toHaveProperty('imported');
    expect(run.stderr).toMatch(/^simulate: \d+\/8 images/m);
    expect(readdirSync(out).sort()).toEqual([
      'annotations.json',
      'labels.csv',
      ...Array.from({ length: 8 }, (_, i) => `riverside-0000${i + 1}.dcm`),
    ]);
  });

  it('imports the cohort into a workspace through the normal import path with --into-db', async () => {
    const out = join(dir.path, 'ood');
    const db = join(dir.path, 'w.db');
    const run = await runCli(
      [
        'simulate',
        '--out',
        out,
        '--n',
        '6',
        '--size',
        '128',
        '--site',
        'summit',
        '--ood',
        '--into-db',
        '--db',
        db,
        '--json',
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const answer = JSON.parse(run.stdout) as {
      imported: { imported: number; failed: unknown[]; source: string };
      regionsImported: number;
      annotatedImages: number;
      shortcut: { mode: string; otherMode: string };
    };
    expect(answer.imported).toMatchObject({ imported: 6, failed: [], source: 'summit' });
    // The readers' regions of annotations.json are stored too, one or more per annotated image.
    expect(answer.regionsImported).toBeGreaterThanOrEqual(answer.annotatedImages);
    expect(answer.shortcut).toMatchObject({ mode: 'none', otherMode: 'random' });
    const info = JSON.parse((await runCli(['workspace', 'info', '--db', db, '--json'], env)).stdout) as {
      counts: { images: number; sources: number; annotations: number };
    };
    expect(info.counts).toMatchObject({ images: 6, sources: 1, annotations: answer.regionsImported });
    // --ood defaults the new source's role to ood-test: importing more with another role is refused.
    const again = await runCli(
      [
        'simulate',
        '--out',
        join(dir.path, 'more'),
        '--n',
        '1',
        '--size',
        '128',
        '--site',
        'summit',
        '--into-db',
        '--db',
        db,
        '--role',
        'train',
      ],
      env,
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists with role ood-test/);
  });

  it('prints a readable summary without --json', async () => {
    const run = await runCli(
      ['simulate', '--out', join(dir.path, 'text'), '--n', '3', '--size', '128', '--format', 'png'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^wrote 3 png images \(128×128, site riverside\)/);
    expect(run.stdout).toMatch(/marker in F \(label\)/);
  });

  it.each([
    [[], /--out DIR is required/],
    [['--n', 'ten'], /--n must be a whole number; got 'ten'/],
    [['--n', '0'], /--n: must be a whole number in \[1, 1000000\]/],
    [['--site', 'mars'], /--site must be one of riverside, hillcrest, lakeside, summit; got 'mars'/],
    [['--shortcut-strength', '2'], /--shortcut-strength: must be in \[0, 1\]/],
    [['--shortcut-mode', 'always'], /--shortcut-mode must be one of label, reversed, random, none/],
    [['--prevalence', 'nodule=0.5,tumour=0.1'], /--prevalence: "tumour=0.1" is not FINDING=P/],
    [['--format', 'png', '--photometric', 'MONOCHROME1'], /--photometric: MONOCHROME1 needs format dicom/],
    [['--findings', 'nodule,cardiomegaly'], /--findings: 'cardiomegaly' is not one of nodule, effusion, edema/],
    [['--age-range', '60'], /--age-range must be MIN-MAX/],
    [['--ood', '--shortcut-mode', 'label'], /--ood sets --shortcut-mode none/],
    [['--source', 'x'], /--source and --role need --into-db/],
    [['--into-db', '--role', 'banana'], /--role must be one of train, validation, ood-test/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const out = args.length === 0 ? [] : ['--out', join(dir.path, 'never')];
    const run = await runCli(['simulate', ...out, ...args], env);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^aligner: error: /);
    expect(lines[0]).toMatch(message);
    expect(readdirSync(dir.path)).not.toContain('never');
  });

  it('refuses an output folder that is not empty', async () => {
    const out = join(dir.path, 'full');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const run = await runCli(['simulate', '--out', out, '--n', '1', '--json'], env);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'invalid_input' } });
    expect(run.stderr).toMatch(/is not empty/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });
});
