import { DicomError } from '../dicom-error';

/** What a JPEG (or JPEG-LS) frame header says about the image. */
export interface JpegFrameHeader {
  /** The SOF marker's low byte: 0xc0 baseline, 0xc1 extended, 0xc2 progressive, 0xc3 lossless, 0xf7 JPEG-LS, … */
  readonly marker: number;
  /** Bits per sample (P). */
  readonly precision: number;
  readonly height: number;
  readonly width: number;
  readonly components: number;
}

/** SOFn markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC), plus JPEG-LS SOF55 (F7). */
function isStartOfFrame(marker: number): boolean {
  return (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
}

/**
 * Finds the frame header of a JPEG stream by walking its marker segments, so that a decoder can
 * be chosen and the size checked before anything is allocated.
 *
 * @throws DicomError when the bytes are not a JPEG stream or end before a frame header
 */
export function readJpegFrameHeader(bytes: Uint8Array): JpegFrameHeader {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8)
    throw new DicomError('compressed frame is not a JPEG stream (no SOI marker)');
  let position = 2;
  while (position + 4 <= bytes.length) {
    if (bytes[position] !== 0xff) throw new DicomError(`JPEG stream has no marker at byte ${position}`);
    const marker = bytes[position + 1] ?? 0;
    if (marker === 0xff) {
      position += 1; // fill byte
      continue;
    }
    const length = ((bytes[position + 2] ?? 0) << 8) | (bytes[position + 3] ?? 0);
    if (isStartOfFrame(marker)) {
      if (position + 10 > bytes.length) break;
      return {
        marker,
        precision: bytes[position + 4] ?? 0,
        height: ((bytes[position + 5] ?? 0) << 8) | (bytes[position + 6] ?? 0),
        width: ((bytes[position + 7] ?? 0) << 8) | (bytes[position + 8] ?? 0),
        components: bytes[position + 9] ?? 0,
      };
    }
    if (marker === 0xda || marker === 0xd9 || length < 2) break;
    position += 2 + length;
  }
  throw new DicomError('JPEG stream has no frame header');
}
