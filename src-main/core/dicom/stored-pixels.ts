import type { DicomMetadata } from './metadata';

/** Int32Array, or Uint32Array for unsigned 32-bit stored values (which Int32 cannot hold). */
export type StoredValues = Int32Array | Uint32Array;

/**
 * One decoded frame: the stored values (PS3.5 8: BitsStored bits, sign-extended when
 * PixelRepresentation is 1), before the modality LUT.
 */
export interface StoredPixels {
  readonly rows: number;
  readonly columns: number;
  /** 1 or 3. */
  readonly samplesPerPixel: number;
  /**
   * What the values are: the file's PhotometricInterpretation, except 'RGB' where the codec turned
   * colour into RGB (JPEG baseline YCbCr, JPEG 2000 YBR_RCT/YBR_ICT). MONOCHROME2 when the file has none.
   */
  readonly photometric: string;
  /** [rows × columns × samplesPerPixel], row-major, samples of a pixel together (planar files are interleaved). */
  readonly values: StoredValues;
}

/**
 * Keeps the low `bits` bits of each word after shifting it down by `shift`, sign-extending them
 * when `signed`. 32-bit unsigned data come back as Uint32Array.
 *
 * @param words [n] raw words (any typed array; negative numbers are taken as two's complement)
 */
export function toStoredValues(words: ArrayLike<number>, bits: number, signed: boolean, shift = 0): StoredValues {
  const n = words.length;
  if (bits >= 32 && !signed) {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = (words[i] ?? 0) >>> shift;
    return out;
  }
  const out = new Int32Array(n);
  if (bits >= 32) {
    for (let i = 0; i < n; i++) out[i] = (words[i] ?? 0) >> shift;
    return out;
  }
  const mask = 2 ** bits - 1;
  const up = 32 - bits;
  for (let i = 0; i < n; i++) {
    const value = ((words[i] ?? 0) >>> shift) & mask;
    out[i] = signed ? (value << up) >> up : value;
  }
  return out;
}

/** Reorders colour-by-plane values (RRR…GGG…BBB…) to colour-by-pixel (RGBRGB…). */
export function interleavePlanes(planar: StoredValues, samples: number): StoredValues {
  const pixels = planar.length / samples;
  const out = planar instanceof Uint32Array ? new Uint32Array(planar.length) : new Int32Array(planar.length);
  for (let s = 0; s < samples; s++) {
    for (let p = 0; p < pixels; p++) out[p * samples + s] = planar[s * pixels + p] ?? 0;
  }
  return out;
}

/** The photometric interpretation values of `meta` describe, MONOCHROME2 when the file has none. */
export function filePhotometric(meta: DicomMetadata): string {
  return meta.photometricInterpretation ?? (meta.samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2');
}
