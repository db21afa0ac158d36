import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { classificationMetrics } from '../../src-main/core/evaluation';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/paths';

/** `aligner metrics` through the built CLI (out/main/cli.js): the JSON contract and one-line errors with exit 2. */
const work = tempDir('aligner-metrics-cli-');
afterAll(() => work.remove());

const metrics = z.object({
  n: z.number(),
  positives: z.number(),
  auc: z.number().nullable(),
  accuracy: z.number().nullable(),
  f1: z.number().nullable(),
  sensitivity: z.number().nullable(),
  specificity: z.number().nullable(),
  reasons: z.record(z.string(), z.string()).optional(),
});
const interval = z.tuple([z.number(), z.number()]).nullable();
const output = z.object({
  rows: z.number(),
  threshold: z.number(),
  overall: metrics,
  groups: z.record(z.string(), z.record(z.string(), metrics)),
  gaps: z.record(
    z.string(),
    z.object({
      auc: z.number().nullable(),
      accuracy: z.number().nullable(),
      f1: z.number().nullable(),
      sensitivity: z.number().nullable(),
    }),
  ),
  excluded: z.record(z.string(), z.number()),
  intervals: z
    .object({
      overall: z.record(z.string(), interval),
      groups: z.record(z.string(), z.record(z.string(), z.record(z.string(), interval))),
      gaps: z.record(z.string(), z.record(z.string(), interval)),
    })
    .optional(),
});

function write(name: string, text: string): string {
  const path = join(work.path, name);
  writeFileSync(path, text);
  return path;
}

const rows = [
  [0.9, 1, 'F', 71, 'a'],
  [0.2, 0, 'F', 45, 'a'],
  [0.6, 1, 'M', 60, 'a'],
  [0.6, 0, 'M', 30, 'b'],
  [0.3, 0, '', 80, 'b'],
  [0.8, 1, 'F', '', 'b'],
  [0.1, 0, 'M', 52, 'b'],
  [0.45, 1, 'M', 66, 'b'],
] as const;
const csv = write('p.csv', `score,label,sex,age,site\n${rows.map((r) => r.join(',')).join('\n')}\n`);

describe('aligner metrics', () => {
  it('prints overall, per-group metrics, gaps and exclusions as one JSON object', async () => {
    const run = await runCli([
      'metrics',
      '--predictions',
      csv,
      '--group',
      'sex',
      '--group',
      'site',
      '--age-column',
      'age',
      '--bootstrap',
      '0',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const out = output.parse(JSON.parse(run.stdout));
    expect(out.rows).toBe(8);
    expect(out.overall).toEqual(
      classificationMetrics(
        rows.map((r) => r[0]),
        rows.map((r) => r[1]),
      ),
    );
    expect(Object.keys(out.groups)).toEqual(['sex', 'site', 'age']);
    expect(Object.keys(out.groups.age!)).toEqual(['<60', '>=60']);
    expect(out.groups.age!['>=60']!.n).toBe(4);
    expect(out.excluded).toEqual({ sex: 1, site: 0, age: 1 });
    const female = rows.filter((r) => r[2] === 'F');
    expect(out.groups.sex!.F).toEqual(
      classificationMetrics(
        female.map((r) => r[0]),
        female.map((r) => r[1]),
      ),
    );
    expect(out.groups.site!.a!.specificity).toBe(1);
    expect(out.intervals).toBeUndefined();
    expect(out.gaps.sex!.accuracy).toBeCloseTo(
      Math.abs(out.groups.sex!.F!.accuracy! - out.groups.sex!.M!.accuracy!),
      12,
    );
  });

  it('adds seeded bootstrap intervals by default', async () => {
    const args = ['metrics', '--predictions', csv, '--group', 'sex', '--bootstrap', '300', '--seed', '4', '--json'];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const out = output.parse(JSON.parse(a.stdout));
    expect(out.intervals?.overall.auc).not.toBeNull();
    expect(out.intervals?.gaps.sex).toHaveProperty('auc');
  });

  it('gives the same intervals on one thread and on worker threads', async () => {
    let state = 99;
    const random = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const lines = ['score,label,sex,age'];
    for (let i = 0; i < 5000; i++) {
      const label = random() < 0.3 ? 1 : 0;
      lines.push(
        `${(random() * 0.7 + label * 0.3).toFixed(3)},${label},${random() < 0.5 ? 'F' : 'M'},${20 + Math.floor(random() * 70)}`,
      );
    }
    const big = write('threads.csv', `${lines.join('\n')}\n`);
    const args = ['metrics', '--predictions', big, '--group', 'sex', '--age-column', 'age', '--bootstrap', '103'];
    const [one, two] = await Promise.all([
      runCli([...args, '--threads', '1', '--json']),
      runCli([...args, '--threads', '2', '--json']),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(one.stderr).toMatch(/103 bootstrap resamples, 1 thread\)/);
    expect(two.stderr).toMatch(/103 bootstrap resamples, 2 threads\)/);
    expect(two.stdout).toBe(one.stdout);
    expect(output.parse(JSON.parse(one.stdout)).intervals?.groups.age?.['>=60']?.auc).not.toBeNull();
  });

  it.each([
    ['missing column', 'score,lab\n0.1,1\n', /line 1: no column 'label'/],
    ['non-numeric score', 'score,label\n0.1,1\nhigh,0\n', /line 3: column 'score': 'high'/],
    ['NaN score', 'score,label\nNaN,1\n', /line 2: column 'score'/],
    ['bad label', 'score,label\n0.1,yes\n', /line 2: column 'label': 'yes' is not 0 or 1/],
    ['empty file', '', /line 1: the file is empty/],
  ])('refuses a %s with a one-line error and exit code 2', async (_what, text, message) => {
    const run = await runCli(['metrics', '--predictions', write(`bad-${_what.replace(/\W/g, '')}.csv`, text)]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('refuses a missing --predictions and a bad --bootstrap with exit code 2', async () => {
    expect((await runCli(['metrics'])).code).toBe(2);
    const run = await runCli(['metrics', '--predictions', csv, '--bootstrap', '-1', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'invalid_input' } });
  });
});
