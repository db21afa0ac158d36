/**
 * Writes small synthetic DICOM files for tests: Part 10 (or bare data sets), implicit or explicit VR,
 * little or big endian, native or encapsulated pixel data. Only what the tests need, kept simple.
 */

export type Vr = 'AS' | 'CS' | 'DA' | 'DS' | 'IS' | 'LO' | 'PN' | 'SH' | 'UI' | 'US' | 'UL' | 'OB' | 'OW' | 'SQ';

export interface ElementSpec {
  /** [group, element]. */
  readonly tag: readonly [number, number];
  readonly vr: Vr;
  /** Strings (backslash for multiple values), numbers for US/UL, bytes for OB/OW, items (element lists) for SQ. */
  readonly value:
    string | number | readonly number[] | Uint8Array | { readonly items: readonly (readonly ElementSpec[])[] };
}

export interface DicomSpec {
  readonly transferSyntax?: string;
  /** Part 10 preamble and file meta (default true). */
  readonly preamble?: boolean;
  /** Leave TransferSyntaxUID out of the file meta. */
  readonly omitTransferSyntax?: boolean;
  readonly elements: readonly ElementSpec[];
  /** Native pixel data bytes (OW), or the fragments of encapsulated pixel data. */
  readonly pixelData?: Uint8Array | { readonly fragments: readonly Uint8Array[]; readonly offsets?: readonly number[] };
}

const longVrs = new Set(['OB', 'OW', 'SQ', 'UN', 'UT']);

function valueBytes(spec: ElementSpec, explicit: boolean, little: boolean): Uint8Array {
  const { vr, value } = spec;
  if (typeof value === 'object' && 'items' in value) {
    return concat(
      value.items.map((elements) => item(0xe000, concat(elements.map((e) => element(e, explicit, little))), little)),
    );
  }
  if (value instanceof Uint8Array) return value.length % 2 === 0 ? value : Uint8Array.from([...value, 0]);
  if (vr === 'US' || vr === 'UL') {
    const values = typeof value === 'number' ? [value] : (value as readonly number[]);
    const size = vr === 'US' ? 2 : 4;
    const out = new Uint8Array(values.length * size);
    const view = new DataView(out.buffer);
    values.forEach((v, i) => (size === 2 ? view.setUint16(i * 2, v, little) : view.setUint32(i * 4, v, little)));
    return out;
  }
  const text = String(value);
  const padded = text.length % 2 === 0 ? text : text + (vr === 'UI' ? '\0' : ' ');
  return Uint8Array.from(padded, (c) => c.charCodeAt(0));
}

function element(spec: ElementSpec, explicit: boolean, little: boolean, undefinedLength = false): Uint8Array {
  const value = valueBytes(spec, explicit, little);
  const long = longVrs.has(spec.vr);
  const headerLength = !explicit ? 8 : long ? 12 : 8;
  const out = new Uint8Array(headerLength + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, spec.tag[0], little);
  view.setUint16(2, spec.tag[1], little);
  const length = undefinedLength ? 0xffffffff : value.length;
  if (!explicit) view.setUint32(4, length, little);
  else {
    out[4] = spec.vr.charCodeAt(0);
    out[5] = spec.vr.charCodeAt(1);
    if (long) view.setUint32(8, length, little);
    else view.setUint16(6, length, little);
  }
  out.set(value, headerLength);
  return out;
}

function item(tag: number, payload: Uint8Array, little = true): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfffe, little);
  view.setUint16(2, tag, little);
  view.setUint32(4, payload.length, little);
  out.set(payload, 8);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Builds a DICOM file from `spec`; elements are written sorted by tag. */
export function buildDicom(spec: DicomSpec): Uint8Array {
  const syntax = spec.transferSyntax ?? '1.2.840.10008.1.2.1';
  const explicit = syntax !== '1.2.840.10008.1.2';
  const little = syntax !== '1.2.840.10008.1.2.2';
  const sorted = [...spec.elements].sort((a, b) => a.tag[0] - b.tag[0] || a.tag[1] - b.tag[1]);
  const parts = sorted.map((e) => element(e, explicit, little));
  const pixels = spec.pixelData;
  if (pixels instanceof Uint8Array) {
    parts.push(element({ tag: [0x7fe0, 0x0010], vr: 'OW', value: pixels }, explicit, little));
  } else if (pixels) {
    const table = new Uint8Array((pixels.offsets ?? []).length * 4);
    (pixels.offsets ?? []).forEach((o, i) => new DataView(table.buffer).setUint32(i * 4, o, true));
    const sequence = concat([
      item(0xe000, table),
      ...pixels.fragments.map((f) => item(0xe000, f.length % 2 === 0 ? f : concat([f, new Uint8Array(1)]))),
      item(0xe0dd, new Uint8Array(0)),
    ]);
    parts.push(element({ tag: [0x7fe0, 0x0010], vr: 'OB', value: new Uint8Array(0) }, explicit, little, true));
    parts.push(sequence);
  }
  const body = concat(parts);
  if (spec.preamble === false) return body;
  const meta = [
    element({ tag: [0x0002, 0x0001], vr: 'OB', value: Uint8Array.from([0, 1]) }, true, true),
    element({ tag: [0x0002, 0x0002], vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' }, true, true),
    element({ tag: [0x0002, 0x0003], vr: 'UI', value: '1.2.3.4.5' }, true, true),
    ...(spec.omitTransferSyntax ? [] : [element({ tag: [0x0002, 0x0010], vr: 'UI', value: syntax }, true, true)]),
  ];
  const metaBody = concat(meta);
  const groupLength = element({ tag: [0x0002, 0x0000], vr: 'UL', value: metaBody.length }, true, true);
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concat([preamble, groupLength, metaBody, body]);
}

/** The image attributes of a grey image, for `buildDicom`'s elements. */
export function greyImageElements(options: {
  rows: number;
  columns: number;
  bitsAllocated?: number;
  bitsStored?: number;
  highBit?: number;
  signed?: boolean;
  photometric?: string;
  samplesPerPixel?: number;
  planarConfiguration?: number;
  frames?: number;
}): ElementSpec[] {
  const bitsAllocated = options.bitsAllocated ?? 16;
  const bitsStored = options.bitsStored ?? bitsAllocated;
  const samples = options.samplesPerPixel ?? 1;
  return [
    { tag: [0x0028, 0x0002], vr: 'US', value: samples },
    { tag: [0x0028, 0x0004], vr: 'CS', value: options.photometric ?? 'MONOCHROME2' },
    ...(samples > 1 ? [{ tag: [0x0028, 0x0006], vr: 'US', value: options.planarConfiguration ?? 0 } as const] : []),
    ...(options.frames ? [{ tag: [0x0028, 0x0008], vr: 'IS', value: String(options.frames) } as const] : []),
    { tag: [0x0028, 0x0010], vr: 'US', value: options.rows },
    { tag: [0x0028, 0x0011], vr: 'US', value: options.columns },
    { tag: [0x0028, 0x0100], vr: 'US', value: bitsAllocated },
    { tag: [0x0028, 0x0101], vr: 'US', value: bitsStored },
    { tag: [0x0028, 0x0102], vr: 'US', value: options.highBit ?? bitsStored - 1 },
    { tag: [0x0028, 0x0103], vr: 'US', value: options.signed ? 1 : 0 },
  ];
}

/** 16-bit words as little- (default) or big-endian bytes. */
export function words16(values: readonly number[], little = true): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, v & 0xffff, little));
  return out;
}
