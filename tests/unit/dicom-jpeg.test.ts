import { describe, expect, it } from 'vitest';
import { makeIdct } from '../../src-main/core/dicom/codecs/idct-islow';
import { withDicomColourSpace } from '../../src-main/core/dicom/codecs/jpeg-colour-markers';
import { decodeJpegExtended } from '../../src-main/core/dicom/codecs/jpeg-extended';
import { BitReader, buildHuffmanTable, extend } from '../../src-main/core/dicom/codecs/jpeg-huffman';
import { readJpegFrameHeader } from '../../src-main/core/dicom/codecs/jpeg-markers';
import { DicomError } from '../../src-main/core/dicom';
import { prng } from '../helpers/dicom-prng';

/** The textbook 2-D IDCT (T.81 A.3.3) in floating point, plus the level shift, clamped. */
function referenceIdct(coefficients: Int16Array, quant: Uint16Array, precision: number): number[] {
  const c = (k: number): number => (k === 0 ? Math.SQRT1_2 : 1);
  const out: number[] = [];
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      let sum = 0;
      for (let v = 0; v < 8; v++) {
        for (let u = 0; u < 8; u++) {
          const f = (coefficients[v * 8 + u] ?? 0) * (quant[v * 8 + u] ?? 0);
          sum +=
            c(u) * c(v) * f * Math.cos(((2 * x + 1) * u * Math.PI) / 16) * Math.cos(((2 * y + 1) * v * Math.PI) / 16);
        }
      }
      const max = (1 << precision) - 1;
      out.push(Math.min(max, Math.max(0, Math.round(sum / 4) + (1 << (precision - 1)))));
    }
  }
  return out;
}

describe('integer IDCT (libjpeg islow)', () => {
  it('turns a DC-only block into a flat block of DC × q / 8 + centre', () => {
    const coefficients = new Int16Array(64);
    coefficients[0] = 10;
    const quant = new Uint16Array(64).fill(8);
    const out = new Uint16Array(64);
    makeIdct(12).run(coefficients, quant, out, 0, 8);
    expect(Array.from(out)).toEqual(new Array(64).fill(2048 + 10));
  });

  it.each([8, 12] as const)('stays within 1 of the floating-point IDCT at %i bits', (precision) => {
    const random = prng(precision);
    const idct = makeIdct(precision);
    const quant = Uint16Array.from({ length: 64 }, (_, k) => 1 + (k % 7));
    const scale = precision === 8 ? 60 : 900;
    let worst = 0;
    for (let trial = 0; trial < 200; trial++) {
      const coefficients = Int16Array.from({ length: 64 }, (_, k) =>
        random() < 1 / (1 + k / 4) ? Math.round((random() - 0.5) * scale) : 0,
      );
      const out = new Uint16Array(64);
      idct.run(coefficients, quant, out, 0, 8);
      const expected = referenceIdct(coefficients, quant, precision);
      out.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (expected[i] ?? 0)))));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('Huffman decoding', () => {
  it('extends magnitude categories to signed values (T.81 F.12)', () => {
    expect([extend(0, 1), extend(1, 1), extend(0, 3), extend(3, 3), extend(4, 3), extend(7, 3)]).toEqual([
      -1, 1, -7, -4, 4, 7,
    ]);
    expect(extend(0, 0)).toBe(0);
  });

  it('decodes canonical codes, unstuffs 0xFF00 and reads zeros after a marker', () => {
    // Two codes of length 1 are impossible to extend; one of length 1 ('0' → 5), two of length 2 ('10' → 6, '11' → 7).
    const counts = new Uint8Array(16);
    counts[0] = 1;
    counts[1] = 2;
    const table = buildHuffmanTable(counts, Uint8Array.from([5, 6, 7]), false);
    // Bits 0 10 11 101, then 0xFF stuffed as 0xFF 0x00, then the EOI marker 0xFF 0xD9.
    const reader = new BitReader(Uint8Array.from([0b01011101, 0xff, 0x00, 0xff, 0xd9]), 0);
    expect([reader.decode(table), reader.decode(table), reader.decode(table)]).toEqual([5, 6, 7]);
    expect(reader.receive(3)).toBe(0b101);
    expect(reader.receive(8)).toBe(0xff);
    expect(reader.receive(16)).toBe(0);
    expect(reader.marker).toBe(0xd9);
  });

  it('refuses over-full tables and DC categories above 15', () => {
    const counts = new Uint8Array(16);
    counts[0] = 3;
    expect(() => buildHuffmanTable(counts, Uint8Array.from([1, 2, 3]), false)).toThrow(DicomError);
    const one = new Uint8Array(16);
    one[0] = 1;
    expect(() => buildHuffmanTable(one, Uint8Array.from([16]), true)).toThrow(/bad DC Huffman table/);
  });
});

describe('JPEG markers', () => {
  const sof = (marker: number, precision: number, height: number, width: number, components: number) => [
    0xff,
    marker,
    0,
    8 + 3 * components,
    precision,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    components,
    ...Array.from({ length: components }, (_, i) => [i + 1, 0x11, 0]).flat(),
  ];

  it('finds the frame header after other segments', () => {
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2, ...sof(0xc1, 12, 300, 200, 1), 0xff, 0xd9]);
    expect(readJpegFrameHeader(jpeg)).toEqual({ marker: 0xc1, precision: 12, height: 300, width: 200, components: 1 });
    expect(() => readJpegFrameHeader(Uint8Array.from([0x00, 0x01, 2, 3]))).toThrow(/not a JPEG stream/);
    expect(() => readJpegFrameHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]))).toThrow(/no frame header/);
  });

  it('makes libjpeg follow DICOM’s photometric: Adobe transform 0 for RGB, 1 for YCbCr', () => {
    const body = [...sof(0xc0, 8, 1, 1, 3), 0xff, 0xd9];
    const plain = Uint8Array.from([0xff, 0xd8, ...body]);
    const rgb = withDicomColourSpace(plain, false);
    expect(Array.from(rgb.subarray(0, 9))).toEqual([0xff, 0xd8, 0xff, 0xee, 0, 14, 0x41, 0x64, 0x6f]);
    expect(rgb[17]).toBe(0);
    expect(Array.from(rgb.subarray(18))).toEqual(body);
    expect(withDicomColourSpace(plain, true)[17]).toBe(1);
    const jfif = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 7, 0x4a, 0x46, 0x49, 0x46, 0, ...body]);
    const renamed = withDicomColourSpace(jfif, false);
    expect(String.fromCharCode(...renamed.subarray(22, 26))).toBe('XFIF');
    const adobe = Uint8Array.from([
      0xff,
      0xd8,
      0xff,
      0xee,
      0,
      14,
      0x41,
      0x64,
      0x6f,
      0x62,
      0x65,
      0,
      0x64,
      0,
      0,
      0,
      0,
      1,
      ...body,
    ]);
    expect(withDicomColourSpace(adobe, true)).toBe(adobe);
    expect(withDicomColourSpace(adobe, false)[17]).toBe(0);
  });

  it('decodes a hand-made 12-bit stream with a restart interval, resetting the DC predictor at each restart', () => {
    // 16×8 pixels = two blocks, DC only, restart interval 1. Quantisation 8 everywhere, so each block
    // is flat at 2048 + DC. DC table: '00' → category 4, '01' → category 3; AC table: '00' → EOB.
    const quant = [0xff, 0xdb, 0, 67, 0, ...new Array(64).fill(8)];
    const dcTable = [0xff, 0xc4, 0, 21, 0x00, 0, 2, ...new Array(14).fill(0), 4, 3];
    const acTable = [0xff, 0xc4, 0, 20, 0x10, 0, 1, ...new Array(14).fill(0), 0];
    const frame = [0xff, 0xc1, 0, 11, 12, 0, 8, 0, 16, 1, 1, 0x11, 0];
    const restart = [0xff, 0xdd, 0, 4, 0, 1];
    const scan = [0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 63, 0];
    // Block 1: '00' + 1010 (+10) + '00' EOB = 0x28. RST0. Block 2: '01' + 010 (-5) + '00' EOB + 1 pad = 0x51.
    const entropy = [0x28, 0xff, 0xd0, 0x51];
    const jpeg = Uint8Array.from([
      0xff,
      0xd8,
      ...quant,
      ...dcTable,
      ...acTable,
      ...frame,
      ...restart,
      ...scan,
      ...entropy,
      0xff,
      0xd9,
    ]);
    const decoded = decodeJpegExtended(jpeg);
    expect(decoded).toMatchObject({ width: 16, height: 8, precision: 12 });
    for (let y = 0; y < 8; y++) {
      expect(Array.from(decoded.samples.subarray(y * 16, y * 16 + 16))).toEqual([
        ...new Array(8).fill(2058),
        ...new Array(8).fill(2043),
      ]);
    }
  });

  it('decodeJpegExtended refuses streams it does not handle, with a one-line DicomError', () => {
    expect(() => decodeJpegExtended(Uint8Array.from([0xff, 0xd8, ...sof(0xc2, 12, 8, 8, 1), 0xff, 0xd9]))).toThrow(
      /not a sequential DCT one/,
    );
    expect(() => decodeJpegExtended(Uint8Array.from([0xff, 0xd8, ...sof(0xc1, 12, 8, 8, 3), 0xff, 0xd9]))).toThrow(
      /3 components is not supported/,
    );
    expect(() => decodeJpegExtended(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]))).toThrow(/no scan/);
  });
});
