import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFrame, parseDicom } from '../../src-main/core/dicom';
import { buildDicom, greyImageElements, words16 } from '../helpers/dicom-build';
import { requireTool, runReference } from '../helpers/dicom-corpus';
import { prng } from '../helpers/dicom-prng';
import { tempDir } from '../helpers/paths';

/**
 * Synthetic images compressed by dcmtk in every mode it has, then decoded by this library: covers
 * syntaxes and options the pydicom corpus lacks (JPEG lossless predictors 2–7 of 1.2.840.10008.1.2.4.57,
 * JPEG-LS near-lossless .81, signed data, odd sizes, several frames with a basic offset table).
 * Lossless modes must give back the original values exactly; lossy ones must equal pydicom's reading
 * of dcmtk's own decompression (dcmdjpeg, dcmdjpls) within `lossyTolerance`.
 */
const lossyTolerance = 1;

interface Source {
  readonly name: string;
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: 8 | 16;
  readonly bitsStored: number;
  readonly signed: boolean;
  readonly photometric: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  readonly frames: number;
  /** Uniform noise instead of a smooth image: long Huffman codes, every predictor edge case. */
  readonly noise?: boolean;
}

const sources: readonly Source[] = [
  {
    name: 'cr12',
    rows: 45,
    columns: 67,
    bitsAllocated: 16,
    bitsStored: 12,
    signed: false,
    photometric: 'MONOCHROME2',
    frames: 2,
  },
  {
    name: 'ct16s',
    rows: 33,
    columns: 40,
    bitsAllocated: 16,
    bitsStored: 16,
    signed: true,
    photometric: 'MONOCHROME2',
    frames: 1,
  },
  {
    name: 'dx8',
    rows: 29,
    columns: 31,
    bitsAllocated: 8,
    bitsStored: 8,
    signed: false,
    photometric: 'MONOCHROME1',
    frames: 1,
  },
  {
    name: 'rgb8',
    rows: 24,
    columns: 35,
    bitsAllocated: 8,
    bitsStored: 8,
    signed: false,
    photometric: 'RGB',
    frames: 1,
  },
  {
    name: 'noise12',
    rows: 17,
    columns: 23,
    bitsAllocated: 16,
    bitsStored: 12,
    signed: false,
    photometric: 'MONOCHROME2',
    frames: 1,
    noise: true,
  },
  {
    name: 'noise16s',
    rows: 19,
    columns: 21,
    bitsAllocated: 16,
    bitsStored: 16,
    signed: true,
    photometric: 'MONOCHROME2',
    frames: 1,
    noise: true,
  },
  {
    name: 'noisergb',
    rows: 13,
    columns: 15,
    bitsAllocated: 8,
    bitsStored: 8,
    signed: false,
    photometric: 'RGB',
    frames: 1,
    noise: true,
  },
];

const samplesOf = (source: Source): number => (source.photometric === 'RGB' ? 3 : 1);

/** A smooth gradient with a bright disc and noise, spanning most of the stored range. */
function sourceValues(source: Source): number[] {
  const random = prng(source.rows * 1000 + source.columns);
  const low = source.signed ? -(2 ** (source.bitsStored - 1)) : 0;
  const span = 2 ** source.bitsStored - 1;
  const values: number[] = [];
  for (let f = 0; f < source.frames; f++) {
    for (let y = 0; y < source.rows; y++) {
      for (let x = 0; x < source.columns; x++) {
        for (let s = 0; s < samplesOf(source); s++) {
          const disc = (x - source.columns / 2) ** 2 + (y - source.rows / 2) ** 2 < (source.rows / 3) ** 2 ? 0.3 : 0;
          const smooth =
            (0.6 * x) / source.columns + (0.1 * y + 0.2 * s) / source.rows + disc + 0.05 * f + 0.02 * random();
          const t = source.noise ? random() : smooth;
          values.push(low + Math.round(Math.min(1, t) * span));
        }
      }
    }
  }
  return values;
}

function writeSource(source: Source, dir: string): string {
  const values = sourceValues(source);
  const pixelData = source.bitsAllocated === 8 ? Uint8Array.from(values) : words16(values);
  const bytes = buildDicom({
    elements: [
      { tag: [0x0008, 0x0016], vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
      { tag: [0x0008, 0x0018], vr: 'UI', value: `1.2.826.0.1.3680043.2.1143.${source.rows}.${source.columns}` },
      { tag: [0x0008, 0x0060], vr: 'CS', value: 'OT' },
      ...greyImageElements({
        rows: source.rows,
        columns: source.columns,
        bitsAllocated: source.bitsAllocated,
        bitsStored: source.bitsStored,
        signed: source.signed,
        photometric: source.photometric,
        samplesPerPixel: samplesOf(source),
        ...(source.frames > 1 ? { frames: source.frames } : {}),
      }),
    ],
    pixelData,
  });
  const path = join(dir, `${source.name}.dcm`);
  writeFileSync(path, bytes);
  return path;
}

interface Mode {
  readonly label: string;
  readonly encoder: 'dcmcjpeg' | 'dcmcjpls' | 'dcmcrle';
  readonly options: readonly string[];
  readonly lossless: boolean;
  readonly decoder?: 'dcmdjpeg' | 'dcmdjpls';
  /** Which sources the mode applies to (JPEG lossy is 8 or 12 bits only). */
  readonly applies: (source: Source) => boolean;
}

const everySource = (): boolean => true;
const dctDepth = (s: Source): boolean => s.bitsStored === 8 || s.bitsStored === 12;
const modes: readonly Mode[] = [
  { label: 'JPEG lossless SV1 (.70)', encoder: 'dcmcjpeg', options: ['+e1'], lossless: true, applies: everySource },
  ...[2, 3, 4, 5, 6, 7].map((sv): Mode => ({
    label: `JPEG lossless predictor ${sv} (.57)`,
    encoder: 'dcmcjpeg',
    options: ['+el', '+sv', String(sv)],
    lossless: true,
    applies: everySource,
  })),
  {
    label: 'JPEG extended (.51)',
    encoder: 'dcmcjpeg',
    options: ['+ee', '+q', '80'],
    lossless: false,
    decoder: 'dcmdjpeg',
    applies: dctDepth,
  },
  {
    label: 'JPEG baseline (.50)',
    encoder: 'dcmcjpeg',
    options: ['+eb', '+q', '60'],
    lossless: false,
    decoder: 'dcmdjpeg',
    applies: (s) => s.bitsStored === 8,
  },
  { label: 'JPEG-LS lossless (.80)', encoder: 'dcmcjpls', options: ['+el'], lossless: true, applies: everySource },
  {
    label: 'JPEG-LS near-lossless (.81)',
    encoder: 'dcmcjpls',
    options: ['+en', '+md', '3'],
    lossless: false,
    decoder: 'dcmdjpls',
    applies: (s) => !s.signed, // dcmcjpls: "Unsupported pixel representation for near-lossless JPEG-LS
  },
  { label: 'RLE (.5)', encoder: 'dcmcrle', options: [], lossless: true, applies: everySource },
];

for (const tool of ['dcmcjpeg', 'dcmcjpls', 'dcmcrle', 'dcmdjpeg', 'dcmdjpls']) requireTool(tool);
const work = tempDir('aligner-dicom-roundtrip-');
afterAll(() => work.remove());
const measured: string[] = [];
afterAll(() => console.log(`round trips (max |ours - reference|):\n  ${measured.join('\n  ')}`));

async function decodeAllFrames(path: string): Promise<{ values: number[]; syntax: string }> {
  const parsed = parseDicom(readFileSync(path));
  const values: number[] = [];
  for (let f = 0; f < parsed.meta.numberOfFrames; f++) values.push(...(await decodeFrame(parsed, f)).values);
  return { values, syntax: parsed.meta.transferSyntaxUid };
}

function maxDifference(a: readonly number[], b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

const cases = sources.flatMap((source) =>
  modes.filter((m) => m.applies(source)).map((mode) => [source, mode] as const),
);

describe('dcmtk-compressed synthetic images', () => {
  it.each(cases.map(([source, mode]) => [`${source.name} ${mode.label}`, source, mode] as const))(
    '%s',
    async (label, source, mode) => {
      const original = writeSource(source, work.path);
      const compressed = join(work.path, `${label.replace(/[^\w]+/g, '_')}.dcm`);
      execFileSync(mode.encoder, [...mode.options, original, compressed], { stdio: ['ignore', 'ignore', 'pipe'] });
      const ours = await decodeAllFrames(compressed);
      expect(ours.syntax).not.toBe('1.2.840.10008.1.2.1');
      const expected = sourceValues(source);
      if (mode.lossless) {
        const diff = maxDifference(ours.values, expected);
        measured.push(`${label} (${ours.syntax}): ${diff} vs the original`);
        expect(diff).toBe(0);
        return;
      }
      const decompressed = join(work.path, `${label.replace(/[^\w]+/g, '_')}-dcmtk.dcm`);
      execFileSync(mode.decoder ?? 'dcmdjpeg', [compressed, decompressed], { stdio: ['ignore', 'ignore', 'pipe'] });
      const out = join(work.path, `${label.replace(/[^\w]+/g, '_')}.f64`);
      expect(JSON.parse(runReference(['dump', decompressed, out]))).toHaveProperty('shape');
      const bytes = readFileSync(out);
      const reference = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
      const diff = maxDifference(ours.values, reference);
      measured.push(
        `${label} (${ours.syntax}): ${diff} vs dcmtk, ${maxDifference(ours.values, expected)} vs the original`,
      );
      expect(diff).toBeLessThanOrEqual(lossyTolerance);
    },
  );
});
