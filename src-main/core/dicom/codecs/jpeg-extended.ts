import { DicomError } from '../dicom-error';
import { makeIdct } from './idct-islow';
import { BitReader, buildHuffmanTable, extend, type HuffmanTable } from './jpeg-huffman';

/** T.81 Figure A.6: the zig-zag position of each natural-order coefficient, plus libjpeg's 16 safety entries. */
const naturalOrder = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]);

interface Component {
  readonly id: number;
  readonly quantTable: number;
}

export interface DecodedGray {
  readonly width: number;
  readonly height: number;
  readonly precision: number;
  /** [height × width] samples. */
  readonly samples: Uint16Array;
}

const u16 = (bytes: Uint8Array, at: number): number => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);

/**
 * Decodes a one-component DCT-based sequential JPEG with Huffman coding (ITU T.81 processes 1, 2
 * and 4: baseline and extended, 8- or 12-bit), the stream of DICOM's JPEG Extended transfer syntax
 * (1.2.840.10008.1.2.4.51), which the libjpeg-turbo build in use cannot read at 12 bits. Entropy
 * decoding follows T.81 Annex F and the IDCT is libjpeg's integer one ({@link makeIdct}), so samples
 * equal libjpeg's (dcmtk's dcmdjpeg) for valid streams; corrupt entropy data decodes as libjpeg
 * does (zeros after a premature marker, 0 for a bad code) rather than failing.
 *
 * @throws DicomError for other JPEG processes, more than one component, or a malformed marker segment
 */
export function decodeJpegExtended(bytes: Uint8Array): DecodedGray {
  const quant: Uint16Array[] = [];
  const dcTables: HuffmanTable[] = [];
  const acTables: HuffmanTable[] = [];
  let restartInterval = 0;
  let frame: { precision: 8 | 12; width: number; height: number; component: Component } | null = null;
  let samples: Uint16Array | null = null;
  let position = 2;
  if (u16(bytes, 0) !== 0xffd8) throw new DicomError('compressed frame is not a JPEG stream (no SOI marker)');

  while (position + 4 <= bytes.length) {
    if (bytes[position] !== 0xff) {
      position += 1; // garbage between segments: libjpeg skips it with a warning
      continue;
    }
    const marker = bytes[position + 1] ?? 0;
    if (marker === 0xff) {
      position += 1;
      continue;
    }
    if (marker === 0xd9) break;
    const length = u16(bytes, position + 2);
    const segment = bytes.subarray(position + 4, position + 2 + length);
    if (length < 2 || position + 2 + length > bytes.length)
      throw new DicomError('JPEG stream has a truncated marker segment');
    switch (marker) {
      case 0xc0:
      case 0xc1: {
        const precision = segment[0];
        if (precision !== 8 && precision !== 12)
          throw new DicomError(`JPEG precision ${precision} is not 8 or 12 bits`);
        const componentCount = segment[5] ?? 0;
        if (componentCount !== 1)
          throw new DicomError(`JPEG Extended with ${componentCount} components is not supported (grey only)`);
        // One component: a non-interleaved scan of single blocks, whatever its sampling factors say.
        frame = {
          precision,
          height: u16(segment, 1),
          width: u16(segment, 3),
          component: { id: segment[6] ?? 0, quantTable: segment[8] ?? 0 },
        };
        if (frame.width === 0 || frame.height === 0) throw new DicomError('JPEG frame has no size');
        break;
      }
      case 0xc2:
      case 0xc3:
      case 0xc5:
      case 0xc6:
      case 0xc7:
      case 0xc9:
      case 0xca:
      case 0xcb:
      case 0xcd:
      case 0xce:
      case 0xcf:
        throw new DicomError(
          `JPEG process with SOF marker 0xFF${marker.toString(16).toUpperCase()} is not a sequential DCT one`,
        );
      case 0xc4:
        readHuffmanTables(segment, dcTables, acTables);
        break;
      case 0xdb:
        readQuantTables(segment, quant);
        break;
      case 0xdd:
        restartInterval = u16(segment, 0);
        break;
      case 0xda: {
        if (!frame) throw new DicomError('JPEG scan before the frame header');
        samples ??= new Uint16Array(frame.width * frame.height);
        const count = segment[0] ?? 0;
        if (count !== 1 || segment[1] !== frame.component.id)
          throw new DicomError('JPEG scan does not code the one component');
        const tables = segment[2] ?? 0;
        const dc = dcTables[tables >> 4];
        const ac = acTables[tables & 15];
        const q = quant[frame.component.quantTable];
        if (!dc || !ac || !q) throw new DicomError('JPEG scan uses an undefined Huffman or quantisation table');
        position = decodeScan(bytes, position + 2 + length, { ...frame, dc, ac, quant: q, restartInterval }, samples);
        continue;
      }
      default:
        break; // APPn, COM, DNL and the like carry nothing we need
    }
    position += 2 + length;
  }
  if (!frame || !samples) throw new DicomError('JPEG stream has no scan');
  return { width: frame.width, height: frame.height, precision: frame.precision, samples };
}

function readHuffmanTables(segment: Uint8Array, dcTables: HuffmanTable[], acTables: HuffmanTable[]): void {
  let at = 0;
  while (at + 17 <= segment.length) {
    const info = segment[at] ?? 0;
    const counts = segment.subarray(at + 1, at + 17);
    const total = counts.reduce((sum, n) => sum + n, 0);
    if (total > 256 || at + 17 + total > segment.length) throw new DicomError('JPEG stream has a bad Huffman table');
    const isDc = info >> 4 === 0;
    const table = buildHuffmanTable(counts, Uint8Array.from(segment.subarray(at + 17, at + 17 + total)), isDc);
    (isDc ? dcTables : acTables)[info & 3] = table;
    at += 17 + total;
  }
}

function readQuantTables(segment: Uint8Array, tables: Uint16Array[]): void {
  let at = 0;
  while (at < segment.length) {
    const info = segment[at] ?? 0;
    const wide = info >> 4 === 1;
    const table = new Uint16Array(64);
    for (let k = 0; k < 64; k++) {
      const value = wide ? u16(segment, at + 1 + 2 * k) : (segment[at + 1 + k] ?? 0);
      table[naturalOrder[k] ?? 63] = value;
    }
    tables[info & 3] = table;
    at += 1 + (wide ? 128 : 64);
  }
}

interface ScanSetup {
  readonly precision: 8 | 12;
  readonly width: number;
  readonly height: number;
  readonly dc: HuffmanTable;
  readonly ac: HuffmanTable;
  readonly quant: Uint16Array;
  readonly restartInterval: number;
}

/** Decodes a single-component scan into `samples`; returns the position after its entropy-coded data. */
function decodeScan(bytes: Uint8Array, start: number, scan: ScanSetup, samples: Uint16Array): number {
  const { width, height } = scan;
  const blocksWide = Math.ceil(width / 8);
  const blocksHigh = Math.ceil(height / 8);
  const paddedWidth = blocksWide * 8;
  const block = new Uint16Array(paddedWidth * 8);
  const coefficients = new Int16Array(64);
  const idct = makeIdct(scan.precision);
  const reader = new BitReader(bytes, start);
  let predictor = 0;
  let untilRestart = scan.restartInterval;
  for (let by = 0; by < blocksHigh; by++) {
    for (let bx = 0; bx < blocksWide; bx++) {
      if (scan.restartInterval > 0) {
        if (untilRestart === 0) {
          reader.restart();
          predictor = 0;
          untilRestart = scan.restartInterval;
        }
        untilRestart--;
      }
      coefficients.fill(0);
      const s = reader.decode(scan.dc);
      predictor += s === 0 ? 0 : extend(reader.receive(s), s);
      predictor |= 0;
      coefficients[0] = predictor;
      for (let k = 1; k < 64; k++) {
        const rs = reader.decode(scan.ac);
        const run = rs >> 4;
        const size = rs & 15;
        if (size === 0) {
          if (run !== 15) break;
          k += 15;
          continue;
        }
        k += run;
        coefficients[naturalOrder[k] ?? 63] = extend(reader.receive(size), size);
      }
      idct.run(coefficients, scan.quant, block, bx * 8, paddedWidth);
    }
    const rowsHere = Math.min(8, height - by * 8);
    for (let y = 0; y < rowsHere; y++) {
      samples.set(block.subarray(y * paddedWidth, y * paddedWidth + width), (by * 8 + y) * width);
    }
  }
  return findNextMarker(bytes, start);
}

/** The position of the first marker (other than RSTn or stuffing) at or after `from`. */
function findNextMarker(bytes: Uint8Array, from: number): number {
  for (let at = from; at + 1 < bytes.length; at++) {
    if (bytes[at] !== 0xff) continue;
    const next = bytes[at + 1] ?? 0;
    if (next !== 0 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) return at;
  }
  return bytes.length;
}
