import { DicomError } from '../dicom-error';

/** A Huffman table as ITU T.81 F.2.2.3 decodes it: per code length, the largest code and where its values start. */
export interface HuffmanTable {
  /** [18]: the largest code of each length 1..16 (-1 when none); [17] is a sentinel. */
  readonly maxCode: Int32Array;
  /** [17]: index into `values` of the first code of each length, minus that code. */
  readonly valueOffset: Int32Array;
  readonly values: Uint8Array;
  /** [2^lookupBits]: (length << 8 | value) for the code that the next `lookupBits` bits start with, 0 when longer. */
  readonly lookup: Uint16Array;
}

const lookupBits = 9;

/**
 * Builds a table from a DHT segment's 16 counts and its values (T.81 Annex C).
 * @throws DicomError when the counts describe more codes than fit, or a DC value exceeds 15 (as libjpeg checks)
 */
export function buildHuffmanTable(counts: Uint8Array, values: Uint8Array, isDc: boolean): HuffmanTable {
  const maxCode = new Int32Array(18).fill(-1);
  const valueOffset = new Int32Array(17);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    const count = counts[length - 1] ?? 0;
    if (count > 0) {
      valueOffset[length] = index - code;
      code += count;
      index += count;
      maxCode[length] = code - 1;
    }
    if (code > 1 << length) throw new DicomError('JPEG stream has a bad Huffman table');
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  if (isDc && values.some((v) => v > 15)) throw new DicomError('JPEG stream has a bad DC Huffman table');
  // Codes of up to lookupBits bits decode with one table look-up.
  const lookup = new Uint16Array(1 << lookupBits);
  code = 0;
  index = 0;
  for (let length = 1; length <= lookupBits; length++) {
    for (let n = 0; n < (counts[length - 1] ?? 0); n++, code++, index++) {
      const first = code << (lookupBits - length);
      lookup.fill((length << 8) | (values[index] ?? 0), first, first + (1 << (lookupBits - length)));
    }
    code <<= 1;
  }
  return { maxCode, valueOffset, values, lookup };
}

/**
 * Reads the entropy-coded bits of a scan: unstuffs 0xFF00, stops at a marker and then, as libjpeg
 * does with a corrupt or short stream, supplies zero bits.
 */
export class BitReader {
  private position: number;
  private buffer = 0;
  private bits = 0;
  /** The marker byte (0xD0–0xD7 restart, else other) that stopped reading, or -1. */
  marker = -1;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.position = start;
  }

  private fill(): void {
    while (this.bits <= 24) {
      let byte = 0;
      if (this.marker < 0 && this.position < this.bytes.length) {
        byte = this.bytes[this.position] ?? 0;
        if (byte === 0xff) {
          let next = this.bytes[this.position + 1] ?? 0xd9;
          let skip = 1;
          while (next === 0xff) next = this.bytes[this.position + ++skip] ?? 0xd9;
          if (next === 0) {
            this.position += 2;
          } else {
            this.marker = next;
            this.position += skip + 1;
            byte = 0;
          }
        } else {
          this.position += 1;
        }
      }
      this.buffer = ((this.buffer << 8) | byte) >>> 0;
      this.bits += 8;
    }
  }

  /** The next `n` bits (0 ≤ n ≤ 16) as an unsigned number. */
  receive(n: number): number {
    if (n === 0) return 0;
    if (this.bits < n) this.fill();
    this.bits -= n;
    return (this.buffer >>> this.bits) & ((1 << n) - 1);
  }

  /** One Huffman-coded symbol; 0 on an invalid code (libjpeg's JWRN_HUFF_BAD_CODE). */
  decode(table: HuffmanTable): number {
    if (this.bits < lookupBits) this.fill();
    const entry = table.lookup[(this.buffer >>> (this.bits - lookupBits)) & ((1 << lookupBits) - 1)] ?? 0;
    if (entry !== 0) {
      this.bits -= entry >> 8;
      return entry & 0xff;
    }
    let code = this.receive(1);
    let length = 1;
    while (code > (table.maxCode[length] ?? 0x7fffffff)) {
      code = (code << 1) | this.receive(1);
      length++;
    }
    if (length > 16) return 0;
    return table.values[(table.valueOffset[length] ?? 0) + code] ?? 0;
  }

  /**
   * At a restart interval's end: drops the bits left in the byte and moves past the next restart
   * marker (or stays put at another marker).
   */
  restart(): void {
    this.bits = 0;
    this.buffer = 0;
    if (this.marker >= 0xd0 && this.marker <= 0xd7) {
      this.marker = -1;
      return;
    }
    if (this.marker >= 0) return;
    while (this.position + 1 < this.bytes.length) {
      if (this.bytes[this.position] === 0xff) {
        const next = this.bytes[this.position + 1] ?? 0;
        if (next >= 0xd0 && next <= 0xd7) {
          this.position += 2;
          return;
        }
        if (next !== 0 && next !== 0xff) return;
      }
      this.position += 1;
    }
  }
}

/** T.81 F.12 EXTEND: the signed value of `bits` received as an `s`-bit magnitude category. */
export function extend(bits: number, s: number): number {
  return s > 0 && bits < 1 << (s - 1) ? bits - (1 << s) + 1 : bits;
}
