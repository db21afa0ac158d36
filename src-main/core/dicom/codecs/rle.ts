import { DicomError } from '../dicom-error';

/** The image a frame of RLE data must fill. */
export interface RleLayout {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  /** 8, 16 or 32. */
  readonly bitsAllocated: number;
}

/**
 * Decodes one PackBits segment (PS3.5 G.3.1) into `out`: a header byte n of 0..127 copies the next
 * n + 1 bytes, -127..-1 repeats the next byte 1 - n times, -128 does nothing. Stops when `out` is full.
 *
 * @returns how many bytes were written (less than out.length when the segment ends early)
 */
export function decodePackBits(segment: Uint8Array, out: Uint8Array): number {
  let read = 0;
  let written = 0;
  while (read < segment.length && written < out.length) {
    const header = segment[read++] ?? 0;
    if (header < 128) {
      const count = Math.min(header + 1, out.length - written, segment.length - read);
      out.set(segment.subarray(read, read + count), written);
      read += header + 1;
      written += count;
    } else if (header > 128) {
      const count = Math.min(257 - header, out.length - written);
      if (read >= segment.length) break;
      out.fill(segment[read++] ?? 0, written, written + count);
      written += count;
    }
  }
  return written;
}

/**
 * Decodes one frame of DICOM RLE Lossless (PS3.5 Annex G). The frame starts with a 64-byte header:
 * the number of segments and 15 segment offsets (uint32 little endian). There is one segment per
 * byte of each sample, most significant byte first (sample 0 byte 0, sample 0 byte 1, …), and each
 * segment holds that byte of every pixel.
 *
 * @returns [rows × columns × samplesPerPixel] unsigned words, samples of a pixel together
 * @throws DicomError when the header does not match the layout or a segment decodes short
 */
export function decodeRleFrame(frame: Uint8Array, layout: RleLayout): Uint32Array {
  const pixels = layout.rows * layout.columns;
  const bytesPerSample = layout.bitsAllocated / 8;
  if (![1, 2, 4].includes(bytesPerSample))
    throw new DicomError(`RLE with BitsAllocated ${layout.bitsAllocated} is not supported`);
  const expected = layout.samplesPerPixel * bytesPerSample;
  if (frame.length < 64) throw new DicomError(`RLE frame of ${frame.length} bytes is shorter than its 64-byte header`);
  const header = new DataView(frame.buffer, frame.byteOffset, 64);
  const segments = header.getUint32(0, true);
  if (segments !== expected)
    throw new DicomError(
      `RLE frame has ${segments} segments, ${layout.samplesPerPixel} samples × ${bytesPerSample} bytes need ${expected}`,
    );
  const offsets = Array.from({ length: segments }, (_, i) => header.getUint32(4 + 4 * i, true));
  const words = new Uint32Array(pixels * layout.samplesPerPixel);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = offsets[s] ?? 0;
    const end = s + 1 < segments ? (offsets[s + 1] ?? 0) : frame.length;
    if (start < 64 || end < start || end > frame.length)
      throw new DicomError(`RLE segment ${s + 1} has a bad offset ${start} (frame of ${frame.length} bytes)`);
    plane.fill(0);
    const written = decodePackBits(frame.subarray(start, end), plane);
    if (written < pixels) throw new DicomError(`RLE segment ${s + 1} decodes to ${written} bytes, ${pixels} expected`);
    const sample = Math.floor(s / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample));
    const stride = layout.samplesPerPixel;
    for (let p = 0; p < pixels; p++) {
      const index = p * stride + sample;
      words[index] = ((words[index] ?? 0) + (plane[p] ?? 0) * 2 ** shift) >>> 0;
    }
  }
  return words;
}
