/** How pixel data of a transfer syntax is stored, and which decoder reads it. */
export type PixelEncoding =
  'native' | 'rle' | 'jpeg-baseline' | 'jpeg-extended' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000' | 'unsupported';

export interface TransferSyntax {
  readonly uid: string;
  readonly name: string;
  /** Explicit VR (every syntax but implicit VR little endian). */
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
  /** Whether the data set after the file meta is deflated (zlib raw deflate). */
  readonly deflated: boolean;
  readonly encoding: PixelEncoding;
  /** False for lossy compression: decoded values may differ from the original by a few grey levels. */
  readonly lossless: boolean;
}

const ts = (
  uid: string,
  name: string,
  encoding: PixelEncoding,
  lossless: boolean,
  extra: Partial<Pick<TransferSyntax, 'explicitVr' | 'littleEndian' | 'deflated'>> = {},
): TransferSyntax => ({
  uid,
  name,
  encoding,
  lossless,
  explicitVr: true,
  littleEndian: true,
  deflated: false,
  ...extra,
});

/** PS3.6 Annex A transfer syntaxes this library knows by name; `encoding` says whether it decodes them. */
const known: readonly TransferSyntax[] = [
  ts('1.2.840.10008.1.2', 'Implicit VR Little Endian', 'native', true, { explicitVr: false }),
  ts('1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'native', true),
  ts('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native', true, { deflated: true }),
  ts('1.2.840.10008.1.2.2', 'Explicit VR Big Endian', 'native', true, { littleEndian: false }),
  ts('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle', true),
  ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline', false),
  ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-extended', false),
  ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless', true),
  ts(
    '1.2.840.10008.1.2.4.70',
    'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)',
    'jpeg-lossless',
    true,
  ),
  ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls', true),
  ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless)', 'jpeg-ls', false),
  ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 Lossless Only', 'jpeg-2000', true),
  ts('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg-2000', false),
  ts('1.2.840.10008.1.2.4.52', 'JPEG Extended (Process 3 & 5, retired)', 'unsupported', false),
  ts('1.2.840.10008.1.2.4.53', 'JPEG Spectral Selection (retired)', 'unsupported', false),
  ts('1.2.840.10008.1.2.4.55', 'JPEG Full Progression (retired)', 'unsupported', false),
  ts('1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component Lossless', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component', 'unsupported', false),
  ts('1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level', 'unsupported', false),
  ts('1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile', 'unsupported', false),
  ts('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Lossless', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Lossless', 'unsupported', true),
  ts('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000', 'unsupported', false),
  ts('1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian', 'unsupported', true),
];

const byUid = new Map(known.map((t) => [t.uid, t]));

/**
 * The transfer syntax for `uid`. Unknown UIDs are assumed to be explicit VR little endian
 * (PS3.5 10.1: every syntax but the first three is) with pixel data no decoder reads.
 */
export function transferSyntax(uid: string): TransferSyntax {
  return byUid.get(uid) ?? ts(uid, 'unknown', 'unsupported', false);
}

export const implicitLittleEndian = '1.2.840.10008.1.2';
export const explicitLittleEndian = '1.2.840.10008.1.2.1';
export const explicitBigEndian = '1.2.840.10008.1.2.2';
