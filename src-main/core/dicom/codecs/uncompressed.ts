import { DicomError } from '../dicom-error';
import type { ParsedDicom } from '../parse-dicom';
import { filePhotometric, interleavePlanes, toStoredValues, type StoredPixels } from '../stored-pixels';

const littleEndianHost = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Bytes of one frame of native pixel data and where it starts in the Pixel Data value. */
function frameRange(parsed: ParsedDicom, frame: number, frameBits: number): { start: number; bits: number } {
  const { length } = parsed.pixelData;
  const startBit = frame * frameBits;
  const endByte = Math.ceil((startBit + frameBits) / 8);
  if (endByte > length) {
    const frames = parsed.meta.numberOfFrames;
    throw new DicomError(
      `pixel data too short: ${length} bytes, frame ${frame + 1} of ${frames} needs ${endByte} (${parsed.meta.rows}×${parsed.meta.columns}×${parsed.meta.samplesPerPixel} at ${parsed.meta.bitsAllocated} bits)`,
    );
  }
  return { start: parsed.pixelData.dataOffset + Math.floor(startBit / 8), bits: startBit % 8 };
}

/** Raw words of a frame: 1 bit (packed, least significant bit first), 8, 16 or 32 bits in the syntax's byte order. */
function readWords(parsed: ParsedDicom, frame: number, count: number): Uint32Array | Uint8Array | Uint16Array {
  const { bitsAllocated } = parsed.meta;
  const bytes = parsed.dataSet.byteArray;
  const { start, bits } = frameRange(parsed, frame, count * bitsAllocated);
  if (bitsAllocated === 1) {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const bit = bits + i;
      out[i] = ((bytes[start + (bit >> 3)] ?? 0) >> (bit & 7)) & 1;
    }
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, (count * bitsAllocated) / 8);
  const little = parsed.transferSyntax.littleEndian;
  if (bitsAllocated === 8) {
    const out = new Uint8Array(count);
    // Big endian OW swaps bytes within 16-bit words, 8-bit samples included (PS3.5 7.3).
    const swap = !little && parsed.pixelData.vr === 'OW' ? 1 : 0;
    for (let i = 0; i < count; i++) {
      const j = i ^ swap;
      out[i] = view.getUint8(j < count ? j : i);
    }
    return out;
  }
  if (bitsAllocated === 16) {
    if (little) {
      // Copy the bytes to an aligned buffer and read them as one little-endian typed array (wasm,
      // x86 and ARM are little endian; DataView per sample is several times slower).
      const copy = new Uint8Array(count * 2);
      copy.set(bytes.subarray(start, start + count * 2));
      if (littleEndianHost) return new Uint16Array(copy.buffer);
    }
    const out = new Uint16Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, little);
    return out;
  }
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, little);
  return out;
}

/** YBR_FULL_422 native data: Y1 Y2 Cb Cr per pair of pixels, expanded to Y Cb Cr per pixel (PS3.3 C.7.6.3.1.2). */
function expandYbr422(words: Uint8Array | Uint16Array | Uint32Array, pixels: number): Uint32Array {
  const out = new Uint32Array(pixels * 3);
  for (let pair = 0; pair < pixels / 2; pair++) {
    const cb = words[pair * 4 + 2] ?? 0;
    const cr = words[pair * 4 + 3] ?? 0;
    out[pair * 6] = words[pair * 4] ?? 0;
    out[pair * 6 + 1] = cb;
    out[pair * 6 + 2] = cr;
    out[pair * 6 + 3] = words[pair * 4 + 1] ?? 0;
    out[pair * 6 + 4] = cb;
    out[pair * 6 + 5] = cr;
  }
  return out;
}

/**
 * Decodes one frame of native (uncompressed) pixel data: implicit and explicit VR little endian,
 * explicit big endian, deflated. Handles 1-bit packed data, HighBit below BitsAllocated - 1, colour
 * by plane, and YBR_FULL_422's subsampled layout.
 */
export function decodeNative(parsed: ParsedDicom, frame: number): StoredPixels {
  const { meta } = parsed;
  if (parsed.pixelData.encapsulatedPixelData)
    throw new DicomError(`pixel data is encapsulated but the transfer syntax ${meta.transferSyntaxUid} is not`);
  const pixels = meta.rows * meta.columns;
  const photometric = filePhotometric(meta);
  const subsampled = photometric === 'YBR_FULL_422' && meta.samplesPerPixel === 3;
  if (subsampled && (meta.columns % 2 !== 0 || meta.planarConfiguration !== 0))
    throw new DicomError('YBR_FULL_422 pixel data needs an even number of columns and colour by pixel');
  const count = subsampled ? pixels * 2 : pixels * meta.samplesPerPixel;
  let words: ArrayLike<number> = readWords(parsed, frame, count);
  if (subsampled) words = expandYbr422(words as Uint8Array, pixels);
  const shift = meta.bitsAllocated === 1 ? 0 : meta.highBit + 1 - meta.bitsStored;
  let values = toStoredValues(words, meta.bitsStored, meta.pixelRepresentation === 1, shift);
  if (meta.samplesPerPixel > 1 && meta.planarConfiguration === 1)
    values = interleavePlanes(values, meta.samplesPerPixel);
  return { rows: meta.rows, columns: meta.columns, samplesPerPixel: meta.samplesPerPixel, photometric, values };
}
