import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dicomInfoSchema } from '../../src-main/core/dicom';
import { runCli, type CliRun } from '../helpers/cli';
import { buildDicom, greyImageElements, words16 } from '../helpers/dicom-build';
import { corpusPath, runReference } from '../helpers/dicom-corpus';
import { tempDir } from '../helpers/paths';

let dir: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = tempDir('aligner-dicom-cli-');
  env = { ALIGNER_USER_DATA: join(dir.path, 'user-data'), ALIGNER_DB: '' };
});
afterEach(() => dir.remove());

/** Asserts exit code 2 and exactly one stderr line `aligner: error: <file>: <reason>`. */
function expectFileError(run: CliRun, file: string, reason: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]?.startsWith(`aligner: error: ${file}: `), lines[0]).toBe(true);
  expect(lines[0]?.slice(`aligner: error: ${file}: `.length)).toMatch(reason);
}

const referenceStats = z.object({
  rows: z.number(),
  columns: z.number(),
  bitsAllocated: z.number(),
  bitsStored: z.number(),
  photometric: z.string().nullable(),
  sex: z.string().nullable(),
  age: z.string().nullable(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
});

describe('aligner dicom info', () => {
  it.each(['MR_small.dcm', 'CT_small.dcm', 'dicomdirtests/77654033/CR1/6154', 'JPEG2000.dcm', 'MR_small_RLE.dcm'])(
    '--json on %s agrees with pydicom and keeps stdout to one JSON line',
    async (name) => {
      const path = corpusPath(name);
      const run = await runCli(['dicom', 'info', path, '--json'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      const info = dicomInfoSchema.parse(JSON.parse(run.stdout));
      const reference = referenceStats.parse(JSON.parse(runReference(['stats', path])));
      const { min, max, mean, ...facts } = reference;
      expect(info).toMatchObject(facts);
      for (const [ours, theirs] of [
        [info.min, min],
        [info.max, max],
        [info.mean, mean],
      ] as const) {
        expect(Math.abs(ours - theirs), `${ours} vs ${theirs}`).toBeLessThanOrEqual(
          1e-5 * Math.max(1, Math.abs(theirs)),
        );
      }
      // No workspace is needed, so none is made.
      expect(existsSync(join(dir.path, 'user-data', 'workspace.db'))).toBe(false);
    },
  );

  it('prints readable facts without --json', async () => {
    const run = await runCli(['dicom', 'info', corpusPath('CT_small.dcm')], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^size\s+128×128, 1 frame\(s\)/m);
    expect(run.stdout).toMatch(/^transfer syntax 1\.2\.840\.10008\.1\.2\.1 \(Explicit VR Little Endian\)$/m);
    expect(run.stdout).toMatch(/^sex \/ age\s+O \/ 000Y$/m);
  });

  it('is listed in --help', async () => {
    const run = await runCli(['--help'], env);
    expect(run.stdout).toMatch(/dicom info/);
    expect(run.stdout).toMatch(/dicom render/);
  });
});

describe('aligner dicom render', () => {
  it('writes a greyscale PNG of the image’s size and reports the window', async () => {
    const out = join(dir.path, 'cr.png');
    const run = await runCli(
      ['dicom', 'render', corpusPath('dicomdirtests/77654033/CR1/6154'), '--out', out, '--json'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const reply = JSON.parse(run.stdout) as {
      rows: number;
      columns: number;
      window: { center: number; width: number };
      inverted: boolean;
    };
    expect(reply).toMatchObject({ rows: 16, columns: 16, window: { center: 1600, width: 2800 }, inverted: true });
    const meta = await sharp(out).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 16, height: 16, channels: 1 });
  });

  it('applies --window and --frame', async () => {
    const a = join(dir.path, 'a.png');
    const b = join(dir.path, 'b.png');
    const file = corpusPath('rtdose.dcm');
    expect((await runCli(['dicom', 'render', file, '--out', a, '--window', '1000000,100000'], env)).code).toBe(0);
    expect(
      (await runCli(['dicom', 'render', file, '--out', b, '--window=1000000,100000', '--frame', '14'], env)).code,
    ).toBe(0);
    const [pa, pb] = await Promise.all([a, b].map((p) => sharp(p).toColourspace('b-w').raw().toBuffer()));
    expect(pa?.equals(pb ?? Buffer.alloc(0))).toBe(false);
    const run = await runCli(['dicom', 'render', file, '--out', a, '--frame', '15'], env);
    expectFileError(run, file, /^frame 15 is out of range: the image has 15 frames$/);
  });

  it('refuses bad options with exit 2 and one line', async () => {
    const file = corpusPath('MR_small.dcm');
    const out = join(dir.path, 'x.png');
    for (const [args, pattern] of [
      [['dicom', 'render', file], /--out PNG is required/],
      [
        ['dicom', 'render', file, '--out', out, '--window', '40,0'],
        /--window must be CENTER,WIDTH with WIDTH ≥ 1; got '40,0'/,
      ],
      [['dicom', 'render', file, '--out', out, '--window', 'wide'], /--window must be CENTER,WIDTH/],
      [['dicom', 'render', file, '--out', out, '--frame', '-1'], /--frame/],
      [['dicom', 'info'], /give one DICOM file/],
      [['dicom', 'info', file, file], /give one DICOM file, not 2/],
    ] as const) {
      const run = await runCli([...args], env);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(pattern);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('aligner dicom on bad files', () => {
  it('names the file and the reason, exit 2, one line; with --json also a JSON error', async () => {
    const empty = join(dir.path, 'empty.dcm');
    writeFileSync(empty, new Uint8Array(0));
    const text = join(dir.path, 'notes.dcm');
    writeFileSync(text, 'this is not a DICOM file\n'.repeat(30));
    const unsupported = join(dir.path, 'mpeg.dcm');
    writeFileSync(
      unsupported,
      buildDicom({
        transferSyntax: '1.2.840.10008.1.2.4.100',
        elements: greyImageElements({ rows: 1, columns: 1 }),
        pixelData: words16([0]),
      }),
    );
    const folder = join(dir.path, 'folder');
    mkdirSync(folder);
    const truncated = corpusPath('MR_truncated.dcm');
    const cases: [string, RegExp][] = [
      [empty, /^not a DICOM file: the file is empty$/],
      [text, /^not a DICOM file/],
      [
        unsupported,
        /^unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.4\.100 \(MPEG2 Main Profile \/ Main Level\)$/,
      ],
      [truncated, new RegExp(`^truncated at byte ${readFileSync(truncated).length}\\b`)],
      [join(dir.path, 'missing.dcm'), /^no such file$/],
      [folder, /^is a folder/],
      [corpusPath('rtplan.dcm'), /^no pixel data$/],
    ];
    for (const [file, reason] of cases) {
      expectFileError(await runCli(['dicom', 'info', file], env), file, reason);
      const out = join(dir.path, 'out.png');
      expectFileError(await runCli(['dicom', 'render', file, '--out', out], env), file, reason);
      expect(existsSync(out)).toBe(false);
    }
    const json = await runCli(['dicom', 'info', text, '--json'], env);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'invalid_input' } });
  });
});
