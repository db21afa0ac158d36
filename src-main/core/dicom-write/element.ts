/**
 * Data elements and their explicit VR little endian encoding (PS3.5 §7.1.2): tag, VR, then a 2-byte length,
 * or for OB/OW/UN/SQ/UT 2 reserved bytes and a 4-byte length; every value padded to an even length.
 */
import { DicomWriteError } from './dicom-write-error';
import { checkNumberValues, checkTextValue, longFormVrs, padByte, type NumberVr, type TextVr } from './vr';

/** A tag as one number, `0xGGGGEEEE`. */
export type Tag = number;

export type DicomElement =
  | { readonly tag: Tag; readonly vr: TextVr; readonly value: string }
  | { readonly tag: Tag; readonly vr: NumberVr; readonly value: readonly number[] }
  | { readonly tag: Tag; readonly vr: 'OB' | 'UN'; readonly value: Uint8Array }
  | { readonly tag: Tag; readonly vr: 'OW'; readonly value: Uint16Array }
  /** Items, each a list of elements. Written with defined lengths. */
  | { readonly tag: Tag; readonly vr: 'SQ'; readonly value: readonly (readonly DicomElement[])[] };

/** `0xGGGGEEEE` from group and element numbers. */
export function tag(group: number, element: number): Tag {
  return ((group & 0xffff) * 0x10000 + (element & 0xffff)) >>> 0;
}

/** `(GGGG,EEEE)`, as dcmdump prints it. */
export function tagName(t: Tag): string {
  const hex = t.toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const ascii = new TextEncoder();

/** The value's bytes, padded to an even length; checks the value first. */
function valueBytes(element: DicomElement): Uint8Array {
  const where = tagName(element.tag);
  switch (element.vr) {
    case 'US':
    case 'SS':
    case 'UL': {
      checkNumberValues(element.vr, element.value, where);
      const size = element.vr === 'UL' ? 4 : 2;
      const out = new Uint8Array(element.value.length * size);
      const view = new DataView(out.buffer);
      element.value.forEach((v, i) => {
        if (element.vr === 'UL') view.setUint32(i * 4, v, true);
        else if (element.vr === 'SS') view.setInt16(i * 2, v, true);
        else view.setUint16(i * 2, v, true);
      });
      return out;
    }
    case 'OW': {
      const words = element.value;
      if (littleEndianHost) return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
      const out = new Uint8Array(words.length * 2);
      const view = new DataView(out.buffer);
      for (let i = 0; i < words.length; i++) view.setUint16(i * 2, words[i] ?? 0, true);
      return out;
    }
    case 'OB':
    case 'UN':
      return padded(element.value, padByte(element.vr));
    case 'SQ':
      return encodeItems(element.value);
    default: {
      checkTextValue(element.vr, element.value, where);
      return padded(ascii.encode(element.value), padByte(element.vr));
    }
  }
}

function padded(bytes: Uint8Array, pad: number): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = pad;
  return out;
}

/** Items (FFFE,E000) of defined length, each holding its elements in tag order. */
function encodeItems(items: readonly (readonly DicomElement[])[]): Uint8Array {
  const parts = items.map((elements) => {
    const body = encodeDataSet(elements);
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    view.setUint16(0, 0xfffe, true);
    view.setUint16(2, 0xe000, true);
    view.setUint32(4, body.length, true);
    return concatBytes([header, body]);
  });
  return concatBytes(parts);
}

/** One element in explicit VR little endian. */
export function encodeElement(element: DicomElement): Uint8Array {
  const value = valueBytes(element);
  const long = longFormVrs.has(element.vr);
  if (!long && value.length > 0xfffe)
    throw new DicomWriteError(`${tagName(element.tag)}: ${element.vr} value of ${value.length} bytes is too long`);
  if (value.length > 0xfffffffe)
    throw new DicomWriteError(`${tagName(element.tag)}: value of ${value.length} bytes is too long`);
  const headerLength = long ? 12 : 8;
  const out = new Uint8Array(headerLength + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, element.tag >>> 16, true);
  view.setUint16(2, element.tag & 0xffff, true);
  out[4] = element.vr.charCodeAt(0);
  out[5] = element.vr.charCodeAt(1);
  if (long) view.setUint32(8, value.length, true);
  else view.setUint16(6, value.length, true);
  out.set(value, headerLength);
  return out;
}

/**
 * A data set: its elements sorted by tag (PS3.5 §7.1), each encoded.
 * @throws DicomWriteError for a repeated tag or an invalid value
 */
export function encodeDataSet(elements: readonly DicomElement[]): Uint8Array {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < sorted.length; i++) {
    const t = sorted[i]?.tag;
    if (t !== undefined && t === sorted[i - 1]?.tag) throw new DicomWriteError(`${tagName(t)} is given twice`);
  }
  return concatBytes(sorted.map(encodeElement));
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
