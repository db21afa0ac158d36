import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reproduction, StudyConfigInput } from '../../src-main/api/study-schemas';
import { readStudyBundle } from '../../src-main/core/study/bundle/read-bundle';

import { runCli, type CliRun } from '../helpers/cli';
import { dicomIdentifiers } from '../helpers/dicom-identifiers';
import { tempDir } from '../helpers/paths';
import { microStudy } from '../helpers/micro-study';
import { learnableNodules, simulateInto, withDb } from '../helpers/trainer-workspace';

/**
 * The reproducibility bundle end to end with the built CLI and the real trainer (wasm, micro): a study with
 * both data ratios and the random arm runs in workspace A and is bundled; workspace B imports the same DICOM
 * files in another order, into sources of other names, without the readers' regions; `aligner study run
 * --bundle` refuses until told to import the bundle's regions, then trains every run and gets test
 * predictions identical to A's. Then what must be refused is: a missing source, an extra image, a changed
 * label, a bundle edited after it was made.
 */
const dir = tempDir('aligner-bundle-');
const env: NodeJS.ProcessEnv = { ALIGNER_USER_DATA: join(dir.path, 'user-data'), ALIGNER_DB: '' };
const dbA = join(dir.path, 'a.db');
const dbB = join(dir.path, 'b.db');
const bundleFile = join(dir.path, 'exports', 'study.tar.gz');
const sites = {
  riverside: join(dir.path, 'riverside'),
  hillcrest: join(dir.path, 'hillcrest'),
  summit: join(dir.path, 'summit'),
};

const study: StudyConfigInput = {
  ...microStudy,
  name: 'bundle sweep',
  levels: [0, 1],
  seeds: [3],
  dataRatios: [1, 0.5],
  randomAlignment: true,
};

function answerOf<T>(run: CliRun): T {
  const line = run.stdout.trim();
  if (!line.startsWith('{')) throw new Error(`no JSON answer on stdout:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line) as T;
}

async function cli(args: readonly string[]): Promise<CliRun> {
  return runCli([...args, '--json'], env);
}

/** Imports a site's DICOM files with its labels, as a co-author would (no regions). */
async function importSite(db: string, site: keyof typeof sites, source: string, role: string): Promise<void> {
  const run = await cli([
    'import',
    sites[site],
    '--source',
    source,
    '--role',
    role,
    '--labels',
    join(sites[site], 'labels.csv'),
    '--db',
    db,
  ]);
  expect(run.code, run.stderr).toBe(0);
}

function predictionsByKey(db: string, runId: number): Map<string, number> {
  return withDb(db, (d) => {
    const rows = d
      .prepare(
        `SELECT i.blob_sha256 AS key, p.score FROM predictions p JOIN images i ON i.id = p.image_id WHERE p.run_id = ?`,
      )
      .all(runId) as { key: string; score: number }[];
    return new Map(rows.map((r) => [r.key, r.score]));
  });
}

const studyRuns = (db: string, studyId: number): { id: number; testAuc: number | null; status: string }[] =>
  withDb(
    db,
    (d) =>
      d.prepare('SELECT id, test_auc AS testAuc, status FROM runs WHERE study_id = ? ORDER BY id').all(studyId) as {
        id: number;
        testAuc: number | null;
        status: string;
      }[],
  );

let studyA: number;

/** The readers who drew regions on the training site in workspace A. */
const trainingReaders = (): string[] =>
  withDb(
    dbA,
    (d) =>
      d
        .prepare(
          `SELECT DISTINCT a.annotator FROM annotations a JOIN images i ON i.id = a.image_id
           JOIN sources s ON s.id = i.source_id WHERE s.name = 'riverside' ORDER BY 1`,
        )
        .pluck()
        .all() as string[],
  );

beforeAll(async () => {
  const simulate = (site: keyof typeof sites, n: number, seed: number, ...extra: string[]): Promise<void> =>
    simulateInto(
      dbA,
      ['--out', sites[site], '--site', site, '--n', `${n}`, '--seed', `${seed}`, ...learnableNodules, ...extra],
      env,
    );
  await simulate('riverside', 40, 1, '--annotate-fraction', '1', '--annotators', '2');
  await simulate('hillcrest', 16, 2, '--shortcut-mode', 'none', '--role', 'validation');
  await simulate('summit', 16, 3, '--ood', '--role', 'ood-test', '--annotate-fraction', '1');
  const file = join(dir.path, 'study.json');
  writeFileSync(file, JSON.stringify(study));
  const run = await cli(['study', 'run', file, '--db', dbA]);
  expect(run.code, run.stderr).toBe(0);
  studyA = answerOf<{ studyId: number }>(run).studyId;
  // The simulator names its readers reader-1, reader-2 …: give them people's names, as a hospital's would be.
  const db = new Database(dbA);
  const people = ['Dr. Grace Hopper', 'Dr. Ada Lovelace', 'Dr. Alan Turing', 'Dr. Emmy Noether', 'Dr. Kurt Godel'];
  const names = db.prepare('SELECT DISTINCT annotator FROM annotations ORDER BY 1').pluck().all() as string[];
  expect(names.length).toBeLessThanOrEqual(people.length);
  names.forEach((name, i) =>
    db.prepare('UPDATE annotations SET annotator = ? WHERE annotator = ?').run(people[i], name),
  );
  db.close();
  // Workspace B: the same files, test site first, training site last, other source names, no regions.
  await importSite(dbB, 'summit', 'external', 'ood-test');
  await importSite(dbB, 'hillcrest', 'tuning', 'validation');
  await importSite(dbB, 'riverside', 'site-a', 'train');
}, 300_000);

afterAll(() => dir.remove());

describe('aligner study bundle', () => {
  it('writes one archive that GNU tar lists and unpacks, with the membership, seeds, version and results', async () => {
    const run = await cli(['study', 'bundle', String(studyA), '--out', bundleFile, '--db', dbA]);
    expect(run.code, run.stderr).toBe(0);
    expect(answerOf(run)).toMatchObject({ studyId: studyA, outFile: bundleFile, runs: 6, images: 72 });
    const listed = execFileSync('tar', ['-tzf', bundleFile], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(['bundle.json', 'study.json', 'images.csv', 'subsets.csv', 'regions.json', 'README.txt']);

    const bundle = readStudyBundle(bundleFile);
    const { manifest } = bundle;
    expect(manifest.study.config).toMatchObject({ ...study, levels: [0, 1], seeds: [3] });
    expect(manifest.appVersion).toMatch(/^\d+\.\d+\.\d+/);
    // Queue order: per data ratio, per seed: level 0, level 1 (human), level 1 (random).
    expect(manifest.runs.map((r) => [r.dataRatio, r.level, r.randomAlignment, r.seed])).toEqual([
      [1, 0, false, 3],
      [1, 1, false, 3],
      [1, 1, true, 3],
      [0.5, 0, false, 3],
      [0.5, 1, false, 3],
      [0.5, 1, true, 3],
    ]);
    const stored = studyRuns(dbA, studyA);
    expect(manifest.runs.map((r) => r.testAuc)).toEqual(stored.map((r) => r.testAuc));
    expect(manifest.runs.every((r) => r.status === 'done' && r.backend === 'wasm' && r.predictionsSha256)).toBe(true);

    // Every image by the SHA-256 of its file: `sha256sum` of the DICOM file gives its key.
    const keysOnDisk = new Map<string, string>();
    for (const [site, folder] of Object.entries(sites)) {
      for (const f of readdirSync(folder).filter((n) => n.endsWith('.dcm'))) {
        const sum = execFileSync('sha256sum', [join(folder, f)], { encoding: 'utf8' }).split(' ')[0] as string;
        keysOnDisk.set(sum, site);
      }
    }
    expect(bundle.images).toHaveLength(72);
    for (const image of bundle.images) expect(keysOnDisk.get(image.key)).toBe(image.source);
    // Subsets: all training images at ratio 1, half (per label stratum) at 0.5, nested; the aligned ones are
    // the annotated positives at level 1, none at level 0, the same images for both arms.
    const sizes = bundle.subsets.map((s) => [s.train.length, s.aligned.size]);
    expect(sizes.slice(0, 3).map(([n]) => n)).toEqual([40, 40, 40]);
    expect(sizes[3]?.[0]).toBeLessThanOrEqual(21);
    expect(sizes[0]?.[1]).toBe(0);
    expect(sizes[1]?.[1]).toBe(manifest.sources[0]?.positives);
    expect([...(bundle.subsets[2]?.aligned ?? [])].sort()).toEqual([...(bundle.subsets[1]?.aligned ?? [])].sort());
    expect(bundle.subsets[4]?.train.every((k) => bundle.subsets[1]?.train.includes(k))).toBe(true);
    expect(manifest.runs.map((r) => r.trainImages)).toEqual(bundle.subsets.map((s) => s.train.length));
    // The training site's readers, pseudonymised.
    const readers = new Set(Object.values(bundle.regions.images).flatMap((list) => list.map((r) => r.reader)));
    expect(trainingReaders().length).toBeGreaterThan(1);
    expect([...readers].sort()).toEqual(trainingReaders().map((_, i) => `reader-${i + 1}`));
  });

  it('holds no patient name, patient id, birth date, UID or file name, and no reader name', () => {
    const unpacked = join(dir.path, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', bundleFile, '-C', unpacked]);
    const { identifiers, named } = dicomIdentifiers(Object.values(sites));
    expect(named).toBe(72);
    const readerNames = withDb(
      dbA,
      (d) => d.prepare('SELECT DISTINCT annotator FROM annotations').pluck().all() as string[],
    );
    expect(readerNames.length).toBeGreaterThan(1);
    const leaks: string[] = [];
    for (const name of readdirSync(unpacked)) {
      const text = readFileSync(join(unpacked, name), 'utf8').toLowerCase();
      for (const id of [...identifiers, ...readerNames.map((r) => r.toLowerCase())]) {
        // As a token: a birth date's 8 digits inside a longer number (a coordinate, a hash) are not that date.
        if (new RegExp(`(?<![0-9a-z])${escapeRegExp(id)}(?![0-9a-z])`).test(text)) leaks.push(`${name}: ${id}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

describe('aligner study run --bundle', () => {
  it("refuses while the training images lack the bundle's regions, and queues nothing", async () => {
    const run = await cli(['study', 'run', '--bundle', bundleFile, '--db', dbB]);
    expect(run.code).toBe(2);
    expect(answerOf<{ error: { message: string } }>(run).error.message).toMatch(
      /the regions differ on \d+ training images .*--import-regions/,
    );
    expect(withDb(dbB, (d) => d.prepare('SELECT count(*) FROM studies').pluck().get())).toBe(0);
    expect(withDb(dbB, (d) => d.prepare('SELECT count(*) FROM annotations').pluck().get())).toBe(0);
  });

  it('with --import-regions re-runs the study elsewhere: identical predictions for every run', async () => {
    const run = await cli(['study', 'run', '--bundle', bundleFile, '--import-regions', '--db', dbB]);
    expect(run.code, run.stderr).toBe(0);
    const answer = answerOf<{ studyId: number; runs: number; done: number; reproduction: Reproduction }>(run);
    expect(answer).toMatchObject({ runs: 6, done: 6 });
    expect(run.stderr).toMatch(/riverside → site-a, hillcrest → tuning, summit → external/);
    expect(run.stderr).toMatch(/added \d+ regions from the bundle to \d+ training images/);
    expect(answer.reproduction).toMatchObject({ compared: 6, identical: 6, maxAbsTestAucDiff: 0 });
    // Not just the digests: every test image's score, image by image.
    const here = studyRuns(dbB, answer.studyId);
    studyRuns(dbA, studyA).forEach((theirs, i) => {
      const ours = here[i] as (typeof here)[number];
      expect(ours.testAuc).toBe(theirs.testAuc);
      const a = predictionsByKey(dbA, theirs.id);
      expect(a.size).toBe(16);
      expect(predictionsByKey(dbB, ours.id)).toEqual(a);
    });
    // The image ids differ between the two workspaces: the match was by content.
    const idOf = (db: string): number =>
      withDb(
        db,
        (d) =>
          d
            .prepare("SELECT min(i.id) FROM images i JOIN sources s ON s.id = i.source_id WHERE s.role = 'train'")
            .pluck()
            .get() as number,
      );
    expect(idOf(dbB)).not.toBe(idOf(dbA));
    const readers = withDb(dbB, (d) =>
      d.prepare('SELECT DISTINCT annotator FROM annotations ORDER BY 1').pluck().all(),
    );
    expect(readers).toEqual(trainingReaders().map((_, i) => `bundle:reader-${i + 1}`));
  }, 240_000);

  it('refuses a workspace without the test images, with another label, or with an extra image', async () => {
    const dbC = join(dir.path, 'c.db');
    await importSite(dbC, 'riverside', 'riverside', 'train');
    await importSite(dbC, 'hillcrest', 'hillcrest', 'validation');
    let run = await cli(['study', 'run', '--bundle', bundleFile, '--db', dbC]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /source 'summit' \(test, 16 images\): 16 images are not in this workspace \([0-9a-f]{12}…, .*\): import the same files/,
    );

    // A changed label.
    await importSite(dbC, 'summit', 'summit', 'ood-test');
    const flip = (): void => {
      const db = new Database(dbC);
      db.prepare(
        `UPDATE labels SET value = 1 - value WHERE finding = 'nodule' AND image_id = (SELECT min(i.id) FROM images i
           JOIN sources s ON s.id = i.source_id JOIN labels l ON l.image_id = i.id AND l.finding = 'nodule'
           WHERE s.name = 'summit')`,
      ).run();
      db.close();
    };
    flip();
    run = await cli(['study', 'run', '--bundle', bundleFile, '--import-regions', '--db', dbC]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/the 'nodule' labels differ on 1 image \([0-9a-f]{12}…: bundle [01]\)/);
    flip();

    // One more image (of another cohort) in the test source.
    const other = join(dir.path, 'other');
    run = await runCli(
      ['simulate', '--out', other, '--site', 'lakeside', '--n', '1', '--seed', '9', '--size', '128'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    run = await cli(['import', other, '--source', 'summit', '--role', 'ood-test', '--db', dbC]);
    expect(run.code, run.stderr).toBe(0);
    run = await cli(['study', 'run', '--bundle', bundleFile, '--import-regions', '--db', dbC]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /source 'summit' \(test, 16 images\): source 'summit' here holds 1 image the bundle does not list/,
    );
    // Nothing queued, no region added by any of the refusals.
    expect(withDb(dbC, (d) => d.prepare('SELECT count(*) FROM studies').pluck().get())).toBe(0);
    expect(withDb(dbC, (d) => d.prepare('SELECT count(*) FROM annotations').pluck().get())).toBe(0);
  }, 120_000);

  it('reads a bundle re-packed with GNU tar, and refuses one whose files were edited', () => {
    const unpacked = join(dir.path, 'unpacked');
    const repacked = join(dir.path, 'repacked.tar.gz');
    const files = ['bundle.json', 'study.json', 'images.csv', 'subsets.csv', 'regions.json', 'README.txt'];
    execFileSync('tar', ['-czf', repacked, '-C', unpacked, ...files]);
    expect(readStudyBundle(repacked).manifest).toEqual(readStudyBundle(bundleFile).manifest);

    const csv = readFileSync(join(unpacked, 'images.csv'), 'utf8');
    writeFileSync(join(unpacked, 'images.csv'), csv.replace(/,train,0,/, ',train,1,'));
    execFileSync('tar', ['-czf', repacked, '-C', unpacked, ...files]);
    expect(() => readStudyBundle(repacked)).toThrow(/images\.csv was changed after the bundle was made/);
    writeFileSync(join(dir.path, 'not-a-bundle.tar.gz'), 'hello');
    expect(() => readStudyBundle(join(dir.path, 'not-a-bundle.tar.gz'))).toThrow(/not a study bundle/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
