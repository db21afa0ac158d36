import { describe, expect, it } from 'vitest';
import { DicomError, decodePackBits, decodeRleFrame } from '../../src-main/core/dicom';

/** An RLE frame: the 64-byte header (segment count, offsets) followed by the segments. */
function rleFrame(segments: readonly number[][]): Uint8Array {
  const header = new DataView(new ArrayBuffer(64));
  header.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, i) => {
    header.setUint32(4 + 4 * i, offset, true);
    offset += segment.length;
  });
  return Uint8Array.from([...new Uint8Array(header.buffer), ...segments.flat()]);
}

/** PackBits header bytes: a literal run of n bytes is n - 1, a replicate run of n is 257 - n (i.e. -(n-1)). */
const literal = (bytes: number[]): number[] => [bytes.length - 1, ...bytes];
const replicate = (count: number, byte: number): number[] => [257 - count, byte];

describe('decodePackBits', () => {
  it('copies literal runs, repeats replicate runs and skips -128', () => {
    const out = new Uint8Array(9);
    const written = decodePackBits(
      Uint8Array.from([...literal([1, 2, 3]), 128, ...replicate(4, 9), ...literal([7, 8])]),
      out,
    );
    expect(written).toBe(9);
    expect(Array.from(out)).toEqual([1, 2, 3, 9, 9, 9, 9, 7, 8]);
  });

  it('stops when the output is full (trailing padding is ignored) and reports a short segment', () => {
    const out = new Uint8Array(3);
    expect(decodePackBits(Uint8Array.from([...replicate(5, 4), 0]), out)).toBe(3);
    expect(Array.from(out)).toEqual([4, 4, 4]);
    const long = new Uint8Array(10);
    expect(decodePackBits(Uint8Array.from([...literal([1, 2])]), long)).toBe(2);
    // A literal run whose bytes are cut off copies what is there.
    expect(decodePackBits(Uint8Array.from([5, 1, 2]), long)).toBe(2);
    // The largest runs: 128 literal bytes (header 127) and 128 repeats (header 129).
    const big = new Uint8Array(256);
    const bytes = Array.from({ length: 128 }, (_, i) => i);
    expect(decodePackBits(Uint8Array.from([127, ...bytes, 129, 200]), big)).toBe(256);
    expect(big[127]).toBe(127);
    expect(big[255]).toBe(200);
  });
});

describe('decodeRleFrame', () => {
  it('decodes 8-bit grey: one segment', () => {
    const frame = rleFrame([[...replicate(3, 5), ...literal([6, 7, 8])]]);
    expect(Array.from(decodeRleFrame(frame, { rows: 2, columns: 3, samplesPerPixel: 1, bitsAllocated: 8 }))).toEqual([
      5, 5, 5, 6, 7, 8,
    ]);
  });

  it('decodes 16-bit grey from two segments, most significant byte first', () => {
    const high = [...literal([0x01, 0x00, 0xff, 0x12])];
    const low = [...literal([0x02, 0xff, 0x00, 0x34])];
    const words = decodeRleFrame(rleFrame([high, low]), { rows: 1, columns: 4, samplesPerPixel: 1, bitsAllocated: 16 });
    expect(Array.from(words)).toEqual([0x0102, 0x00ff, 0xff00, 0x1234]);
  });

  it('decodes 32-bit and RGB data, samples of a pixel together', () => {
    const bytes32 = [literal([0xde]), literal([0xad]), literal([0xbe]), literal([0xef])];
    expect(
      Array.from(decodeRleFrame(rleFrame(bytes32), { rows: 1, columns: 1, samplesPerPixel: 1, bitsAllocated: 32 })),
    ).toEqual([0xdeadbeef]);
    const rgb = [literal([255, 0]), literal([128, 1]), replicate(2, 7)];
    expect(
      Array.from(decodeRleFrame(rleFrame(rgb), { rows: 1, columns: 2, samplesPerPixel: 3, bitsAllocated: 8 })),
    ).toEqual([255, 128, 7, 0, 1, 7]);
  });

  it('refuses a header that does not match the image, bad offsets and short segments', () => {
    const layout = { rows: 1, columns: 2, samplesPerPixel: 1, bitsAllocated: 16 } as const;
    expect(() => decodeRleFrame(rleFrame([literal([1, 2])]), layout)).toThrow(
      /^RLE frame has 1 segments, 1 samples × 2 bytes need 2$/,
    );
    expect(() => decodeRleFrame(new Uint8Array(10), layout)).toThrow(DicomError);
    const shortSegment = rleFrame([literal([1, 2]), literal([3])]);
    expect(() => decodeRleFrame(shortSegment, layout)).toThrow(/^RLE segment 2 decodes to 1 bytes, 2 expected$/);
    const badOffset = rleFrame([literal([1, 2]), literal([3, 4])]);
    new DataView(badOffset.buffer).setUint32(8, 5000, true);
    expect(() => decodeRleFrame(badOffset, layout)).toThrow(/^RLE segment 1 has a bad offset/);
  });
});
