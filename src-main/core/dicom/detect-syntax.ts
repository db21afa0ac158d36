import { explicitBigEndian, explicitLittleEndian, implicitLittleEndian } from './transfer-syntax';

const valueRepresentations = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

/** Whether the two bytes at `offset` spell a PS3.5 value representation. */
export function isValueRepresentation(bytes: Uint8Array, offset: number): boolean {
  if (offset + 2 > bytes.length) return false;
  return valueRepresentations.has(String.fromCharCode(bytes[offset] ?? 0, bytes[offset + 1] ?? 0));
}

/**
 * Guesses the transfer syntax of a data set that starts at `offset` with no file meta information
 * to say it (ACR-NEMA style files, or a meta header without (0002,0010)), from its first element:
 * the byte order that gives the smaller group number, and explicit VR when a VR follows the tag.
 * Returns null when the bytes do not look like a first element of a data set: its group must be even,
 * 0x0002 to 0x0028 (a data set starts with its lowest group, almost always 0x0008), and its value
 * must fit in the file.
 */
export function guessDataSetSyntax(bytes: Uint8Array, offset: number): string | null {
  if (offset + 8 > bytes.length) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, bytes.length - offset);
  const groupLe = view.getUint16(0, true);
  const groupBe = view.getUint16(0, false);
  const littleEndian = groupLe <= groupBe;
  const group = littleEndian ? groupLe : groupBe;
  if (group < 0x0002 || group > 0x0028 || group % 2 !== 0) return null;
  const explicit = isValueRepresentation(bytes, offset + 4);
  const remaining = bytes.length - offset - 8;
  if (explicit) {
    const vr = String.fromCharCode(bytes[offset + 4] ?? 0, bytes[offset + 5] ?? 0);
    const longForm = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV'].includes(vr);
    if (!longForm && view.getUint16(6, littleEndian) > remaining) return null;
    return littleEndian ? explicitLittleEndian : explicitBigEndian;
  }
  // Implicit VR is little endian only.
  if (!littleEndian) return null;
  const length = view.getUint32(4, true);
  if (length !== 0xffffffff && length > remaining) return null;
  return implicitLittleEndian;
}
