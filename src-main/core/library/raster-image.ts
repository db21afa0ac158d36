/**
 * PNG and JPEG chest X-rays (NIH ChestX-ray14, CheXpert, MIMIC-CXR-JPG ship these) decoded to one grey
 * channel, keeping 16-bit PNGs at 16 bits.
 */
import sharp, { type OutputInfo } from 'sharp';

export type RasterFormat = 'png' | 'jpeg';

interface RasterImageBase {
  readonly format: RasterFormat;
  readonly rows: number;
  readonly columns: number;
}

/**
 * One grey channel, row-major, `rows × columns` values, top row first. 16-bit only from a 16-bit PNG
 * (grey or colour); everything else is 8-bit.
 */
export type RasterImage =
  | (RasterImageBase & { readonly bitDepth: 8; readonly pixels: Uint8Array })
  | (RasterImageBase & { readonly bitDepth: 16; readonly pixels: Uint16Array });

export type RasterImageErrorCode = 'empty' | 'unsupported' | 'corrupt' | 'too_large';

/** A file that is not a PNG or JPEG we can decode. The message is one line and names the file. */
export class RasterImageError extends Error {
  constructor(
    readonly code: RasterImageErrorCode,
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'RasterImageError';
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/** The format from the file's first bytes (its extension is not consulted), or null if neither. */
export function detectRasterFormat(bytes: Uint8Array): RasterFormat | null {
  const startsWith = (signature: number[]): boolean => signature.every((b, i) => bytes[i] === b);
  if (startsWith(PNG_SIGNATURE)) return 'png';
  if (startsWith(JPEG_SIGNATURE)) return 'jpeg';
  return null;
}

export interface DecodeRasterOptions {
  /** Names the file in error messages (e.g. its path). Default `'image'`. */
  readonly name?: string;
}

/**
 * Decodes a PNG (8- or 16-bit; grey, grey + alpha, RGB, RGBA or palette) or a JPEG to one grey channel.
 *
 * - Colour becomes luminance with sharp's greyscale conversion; alpha is dropped (the colour values are kept,
 *   not composited onto a background).
 * - 16-bit PNGs stay 16-bit: grey values come back exactly as stored. 16-bit pixels are in host byte order.
 * - A JPEG's EXIF orientation is applied, so rows and columns are what a viewer (and the annotator) shows.
 * - Truncated or damaged data is an error, not a partly grey image; libjpeg's harmless warnings (extraneous
 *   bytes before a marker) are tolerated.
 *
 * @param bytes the whole file.
 * @throws RasterImageError with code `empty`, `unsupported` (not PNG or JPEG by its magic bytes, e.g. a DICOM
 *   or text file), `corrupt` (truncated or undecodable) or `too_large` (over sharp's pixel limit, ~268 Mpx).
 */
export async function decodeRasterImage(bytes: Uint8Array, options: DecodeRasterOptions = {}): Promise<RasterImage> {
  const name = options.name ?? 'image';
  if (bytes.length === 0) throw new RasterImageError('empty', name, `${name} is empty (0 bytes)`);
  const format = detectRasterFormat(bytes);
  if (format === null) {
    throw new RasterImageError('unsupported', name, `${name} is not a PNG or JPEG image (${describeContent(bytes)})`);
  }
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const label = format.toUpperCase();
  try {
    const source = sharp(input, { failOn: 'error' });
    const sixteenBit = (await source.metadata()).depth === 'ushort';
    const pipeline = source.autoOrient().removeAlpha();
    if (sixteenBit) {
      const { data, info } = await pipeline
        .toColourspace('grey16')
        .raw({ depth: 'ushort' })
        .toBuffer({ resolveWithObject: true });
      checkShape(info, 2, name, label);
      // A copy, so the pixels own an aligned buffer of their own (safe to transfer to a worker).
      const pixels = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
      return { format, rows: info.height, columns: info.width, bitDepth: 16, pixels };
    }
    const { data, info } = await pipeline.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    checkShape(info, 1, name, label);
    return {
      format,
      rows: info.height,
      columns: info.width,
      bitDepth: 8,
      pixels: new Uint8Array(data),
    };
  } catch (err) {
    if (err instanceof RasterImageError) throw err;
    const detail = firstLine(err instanceof Error ? err.message : String(err));
    if (/pixel limit/i.test(detail)) {
      throw new RasterImageError('too_large', name, `${name}: ${label} image is too large to decode (${detail})`);
    }
    throw new RasterImageError('corrupt', name, `${name}: corrupt or truncated ${label} image (${detail})`);
  }
}

function checkShape(info: OutputInfo, bytesPerValue: number, name: string, label: string): void {
  if (info.channels !== 1 || info.size !== info.width * info.height * bytesPerValue) {
    throw new RasterImageError(
      'corrupt',
      name,
      `${name}: ${label} decoded to ${info.channels} channels of ${info.width}×${info.height}, expected one grey channel`,
    );
  }
}

function describeContent(bytes: Uint8Array): string {
  if (bytes.length >= 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM') {
    return 'it is a DICOM file; import it as DICOM';
  }
  const head = bytes.subarray(0, 64);
  if (head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))) {
    return 'it looks like text';
  }
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with bytes ${hex}`;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/:\s*$/, '').trim() || 'unknown error';
}
