import { describe, expect, it } from 'vitest';
import { decodeFrame, parseDicom } from '../../src-main/core/dicom';
import {
  crImageSopClass,
  DicomWriteError,
  dxForPresentationSopClass,
  encodeElement,
  explicitVrLittleEndian,
  implementationClassUid,
  isValidUid,
  projectionImageDataSet,
  tag,
  uidFromParts,
  writePart10,
  type DicomElement,
  type ProjectionImageSpec,
} from '../../src-main/core/dicom-write';

const bytes = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const le16 = (n: number): number[] => [n & 0xff, n >> 8];
const le32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];

describe('encodeElement (explicit VR little endian)', () => {
  it('pads a UI value with NUL and text with a space to an even length', () => {
    expect([...encodeElement({ tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.2.3' })]).toEqual([
      0x08,
      0x00,
      0x18,
      0x00,
      ...bytes('UI'),
      ...le16(6),
      ...bytes('1.2.3'),
      0x00,
    ]);
    expect([...encodeElement({ tag: tag(0x0010, 0x0020), vr: 'LO', value: 'ABC' })]).toEqual([
      0x10,
      0x00,
      0x20,
      0x00,
      ...bytes('LO'),
      ...le16(4),
      ...bytes('ABC '),
    ]);
    expect([...encodeElement({ tag: tag(0x0010, 0x0030), vr: 'DA', value: '' })]).toEqual([
      0x10,
      0x00,
      0x30,
      0x00,
      ...bytes('DA'),
      ...le16(0),
    ]);
  });

  it('uses the 4-byte length form for OB, OW, UN, UT and SQ', () => {
    const ob = encodeElement({ tag: tag(0x0009, 0x0010), vr: 'OB', value: Uint8Array.of(1, 2, 3) });
    expect([...ob]).toEqual([0x09, 0x00, 0x10, 0x00, ...bytes('OB'), 0, 0, ...le32(4), 1, 2, 3, 0]);
    const ow = encodeElement({ tag: tag(0x7fe0, 0x0010), vr: 'OW', value: Uint16Array.of(0x0102, 0x0fff) });
    expect([...ow]).toEqual([0xe0, 0x7f, 0x10, 0x00, ...bytes('OW'), 0, 0, ...le32(4), 0x02, 0x01, 0xff, 0x0f]);
    const ut = encodeElement({ tag: tag(0x0040, 0xa160), vr: 'UT', value: 'x' });
    expect([...ut.subarray(4, 12)]).toEqual([...bytes('UT'), 0, 0, ...le32(2)]);
    const item: DicomElement[] = [{ tag: tag(0x0008, 0x0100), vr: 'SH', value: 'AB' }];
    const sq = encodeElement({ tag: tag(0x0008, 0x1032), vr: 'SQ', value: [item] });
    // Header (12) + item header (8) + element (8 + 2).
    expect([...sq.subarray(4, 12)]).toEqual([...bytes('SQ'), 0, 0, ...le32(18)]);
    expect([...sq.subarray(12, 20)]).toEqual([0xfe, 0xff, 0x00, 0xe0, ...le32(10)]);
  });

  it('writes US, SS and UL values little endian', () => {
    expect([...encodeElement({ tag: tag(0x0028, 0x0010), vr: 'US', value: [512] })].slice(6)).toEqual([
      ...le16(2),
      ...le16(512),
    ]);
    expect([...encodeElement({ tag: tag(0x0028, 0x1041), vr: 'SS', value: [-1] })].slice(8)).toEqual([0xff, 0xff]);
  });

  it.each([
    [{ tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.02.3' }, /not a UID/],
    [{ tag: tag(0x0008, 0x0018), vr: 'UI', value: `1.${'2'.repeat(70)}` }, /longer than 64/],
    [{ tag: tag(0x0018, 0x0015), vr: 'CS', value: 'chest' }, /not a code string/],
    [{ tag: tag(0x0010, 0x1010), vr: 'AS', value: '45Y' }, /not an age string/],
    [{ tag: tag(0x0028, 0x1050), vr: 'DS', value: '1.23456789012345678' }, /longer than 16/],
    [{ tag: tag(0x0020, 0x0013), vr: 'IS', value: '1.5' }, /not an integer string/],
    [{ tag: tag(0x0008, 0x0020), vr: 'DA', value: '2025-01-01' }, /longer than 8|not a date/],
    [{ tag: tag(0x0010, 0x0020), vr: 'LO', value: 'Zoë' }, /default repertoire/],
    [{ tag: tag(0x0028, 0x0010), vr: 'US', value: [70000] }, /not a whole number in 0..65535/],
  ] as [DicomElement, RegExp][])('refuses an invalid %s value', (element, message) => {
    expect(() => encodeElement(element)).toThrow(DicomWriteError);
    expect(() => encodeElement(element)).toThrow(message);
  });
});

describe('uidFromParts', () => {
  it('is deterministic, valid, at most 64 characters, and differs for different parts', () => {
    const a = uidFromParts('instance', 'seed', 'riverside', 1);
    expect(uidFromParts('instance', 'seed', 'riverside', 1)).toBe(a);
    expect(a).toMatch(/^2\.25\.[1-9]\d*$/);
    expect(isValidUid(a)).toBe(true);
    expect(a.length).toBeLessThanOrEqual(64);
    const others = new Set([1, 2, 3, 4, 5].map((i) => uidFromParts('instance', 'seed', 'riverside', i)));
    expect(others.size).toBe(5);
    // Parts are length-prefixed: ('ab', 'c') and ('a', 'bc') are different names.
    expect(uidFromParts('ab', 'c')).not.toBe(uidFromParts('a', 'bc'));
  });

  it('is a version 8 UUID with the RFC variant', () => {
    const hex = BigInt(uidFromParts('x').slice(5)).toString(16).padStart(32, '0');
    expect(hex[12]).toBe('8');
    expect(['8', '9', 'a', 'b']).toContain(hex[16]);
  });
});

function spec(overrides: Partial<ProjectionImageSpec> = {}): ProjectionImageSpec {
  const rows = 48;
  const columns = 40;
  const pixels = new Uint16Array(rows * columns);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) % 4096;
  return {
    modality: 'DX',
    sopInstanceUid: uidFromParts('sop'),
    studyInstanceUid: uidFromParts('study'),
    seriesInstanceUid: uidFromParts('series'),
    studyDate: '20250314',
    studyTime: '093015',
    patientId: 'riverside-abc123-00007',
    patientName: 'SIMULATED^RIVERSIDE 00007',
    patientSex: 'F',
    patientAgeYears: 7,
    institutionName: 'Riverside General Hospital',
    manufacturer: 'Aligner Workstation simulator',
    manufacturerModelName: 'SimDX 500',
    studyId: '00007',
    accessionNumber: '',
    seriesNumber: 1,
    instanceNumber: 3,
    photometric: 'MONOCHROME2',
    rows,
    columns,
    bitsStored: 12,
    pixelSpacingMm: 0.83984375,
    windowCenter: 1500,
    windowWidth: 2801,
    kvp: 120,
    imageComments: 'synthetic',
    pixels,
    ...overrides,
  };
}

function write(s: ProjectionImageSpec): Uint8Array {
  return writePart10(projectionImageDataSet(s), {
    sopClassUid: s.modality === 'DX' ? dxForPresentationSopClass : crImageSopClass,
    sopInstanceUid: s.sopInstanceUid,
  });
}

describe('writePart10 + projectionImageDataSet', () => {
  it('writes a preamble, DICM and file meta whose group length counts the rest of group 0002', () => {
    const file = write(spec());
    expect([...file.subarray(0, 128)].every((b) => b === 0)).toBe(true);
    expect(String.fromCharCode(...file.subarray(128, 132))).toBe('DICM');
    const view = new DataView(file.buffer, file.byteOffset);
    expect([view.getUint16(132, true), view.getUint16(134, true)]).toEqual([0x0002, 0x0000]);
    const groupLength = view.getUint32(140, true);
    // The element after group 0002 ends starts at 144 + groupLength and belongs to group 0008.
    expect(view.getUint16(144 + groupLength, true)).toBe(0x0008);
    let at = 144;
    while (at < 144 + groupLength) {
      expect(view.getUint16(at, true)).toBe(0x0002);
      const vr = String.fromCharCode(file[at + 4] ?? 0, file[at + 5] ?? 0);
      at += ['OB', 'OW', 'UN', 'SQ', 'UT'].includes(vr)
        ? 12 + view.getUint32(at + 8, true)
        : 8 + view.getUint16(at + 6, true);
    }
    expect(at).toBe(144 + groupLength);
  });

  it('round-trips every attribute and every pixel through our DICOM reader', async () => {
    const s = spec();
    const file = write(s);
    const parsed = parseDicom(file);
    expect(parsed.meta).toMatchObject({
      sopInstanceUid: s.sopInstanceUid,
      studyInstanceUid: s.studyInstanceUid,
      seriesInstanceUid: s.seriesInstanceUid,
      sopClassUid: dxForPresentationSopClass,
      patientId: s.patientId,
      patientName: s.patientName,
      patientSex: 'F',
      patientAge: '007Y',
      studyDate: s.studyDate,
      modality: 'DX',
      viewPosition: 'PA',
      bodyPartExamined: 'CHEST',
      manufacturer: s.manufacturer,
      institutionName: s.institutionName,
      rows: s.rows,
      columns: s.columns,
      bitsAllocated: 16,
      bitsStored: 12,
      highBit: 11,
      pixelRepresentation: 0,
      samplesPerPixel: 1,
      photometricInterpretation: 'MONOCHROME2',
      rescaleSlope: 1,
      rescaleIntercept: 0,
      windowCenter: [1500],
      windowWidth: [2801],
      pixelSpacing: [0.839844, 0.839844],
      numberOfFrames: 1,
      transferSyntaxUid: explicitVrLittleEndian,
    });
    expect(Buffer.from(file).includes(implementationClassUid)).toBe(true);
    const stored = await decodeFrame(parsed);
    expect(Array.from(stored.values)).toEqual(Array.from(s.pixels));
  });

  it('writes CR and MONOCHROME1 images with their own SOP class and presentation attributes', () => {
    const s = spec({ modality: 'CR', photometric: 'MONOCHROME1' });
    const parsed = parseDicom(write(s));
    expect(parsed.meta.sopClassUid).toBe(crImageSopClass);
    expect(parsed.meta.photometricInterpretation).toBe('MONOCHROME1');
    // DX-only attributes are not in a CR image.
    expect(parsed.dataSet.string('x20500020')).toBeUndefined();
    const dx = parseDicom(write(spec({ photometric: 'MONOCHROME1' })));
    expect(dx.dataSet.string('x20500020')).toBe('INVERSE');
    expect(dx.dataSet.int16('x00281041')).toBe(1);
  });

  it('refuses pixels that do not fit the header, and data set elements of group 0002', () => {
    expect(() => write(spec({ pixels: new Uint16Array(10) }))).toThrow(/expected 48×40/);
    const big = spec().pixels.slice();
    big[5] = 4096;
    expect(() => write(spec({ pixels: big }))).toThrow(/exceeds 12 bits/);
    expect(() =>
      writePart10([{ tag: tag(0x0002, 0x0010), vr: 'UI', value: '1.2' }], {
        sopClassUid: '1.2',
        sopInstanceUid: '1.3',
      }),
    ).toThrow(/file meta/);
    expect(() => writePart10([], { sopClassUid: '1.2', sopInstanceUid: '01.3' })).toThrow(/SOPInstanceUID/);
    const twice: DicomElement[] = [
      { tag: tag(0x0010, 0x0020), vr: 'LO', value: 'a' },
      { tag: tag(0x0010, 0x0020), vr: 'LO', value: 'b' },
    ];
    expect(() => writePart10(twice, { sopClassUid: '1.2', sopInstanceUid: '1.3' })).toThrow(/given twice/);
  });
});
