import { describe, expect, it } from 'vitest';
import { DicomError, decodeFrame, parseDicom } from '../../src-main/core/dicom';
import { InputError } from '../../src-main/core/input-error';
import { buildDicom, greyImageElements, words16, type ElementSpec } from '../helpers/dicom-build';
import { readCorpusFile } from '../helpers/dicom-corpus';

const explicitLe = '1.2.840.10008.1.2.1';
const implicitLe = '1.2.840.10008.1.2';
const explicitBe = '1.2.840.10008.1.2.2';

const patient: ElementSpec[] = [
  { tag: [0x0008, 0x0018], vr: 'UI', value: '1.2.826.0.1.3680043.2.1143.1' },
  { tag: [0x0008, 0x0060], vr: 'CS', value: 'DX' },
  { tag: [0x0010, 0x0040], vr: 'CS', value: 'F' },
  { tag: [0x0010, 0x1010], vr: 'AS', value: '045Y' },
  { tag: [0x0018, 0x5101], vr: 'CS', value: 'PA' },
];

/** A 2×3 image with stored values 0..5 (or `values`). */
function smallImage(syntax = explicitLe, extra: ElementSpec[] = [], values = [0, 1, 2, 3, 4, 5]) {
  return buildDicom({
    transferSyntax: syntax,
    elements: [...greyImageElements({ rows: 2, columns: 3, bitsStored: 12 }), ...patient, ...extra],
    pixelData: words16(values, syntax !== explicitBe),
  });
}

/** Asserts `run` throws a one-line DicomError (also an InputError) whose message matches `pattern`. */
function expectDicomError(run: () => unknown, pattern: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(DicomError);
  expect(thrown).toBeInstanceOf(InputError);
  const message = (thrown as Error).message;
  expect(message).not.toContain('\n');
  expect(message).toMatch(pattern);
}

describe('parseDicom', () => {
  it.each([
    ['explicit VR little endian', explicitLe],
    ['implicit VR little endian', implicitLe],
    ['explicit VR big endian', explicitBe],
  ])('reads %s and decodes its pixels', async (_name, syntax) => {
    const parsed = parseDicom(smallImage(syntax));
    expect(parsed.meta).toMatchObject({
      rows: 2,
      columns: 3,
      bitsAllocated: 16,
      bitsStored: 12,
      transferSyntaxUid: syntax,
    });
    expect(Array.from((await decodeFrame(parsed)).values)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads the metadata the app needs, raw, with defaults only for numbers', () => {
    const meta = parseDicom(smallImage()).meta;
    expect(meta).toMatchObject({
      sopInstanceUid: '1.2.826.0.1.3680043.2.1143.1',
      modality: 'DX',
      patientSex: 'F',
      patientAge: '045Y',
      viewPosition: 'PA',
      photometricInterpretation: 'MONOCHROME2',
      rescaleSlope: 1,
      rescaleIntercept: 0,
      numberOfFrames: 1,
      windowCenter: [],
      windowWidth: [],
      pixelSpacing: null,
    });
    for (const absent of [
      'studyInstanceUid',
      'patientId',
      'patientName',
      'institutionName',
      'bodyPartExamined',
    ] as const)
      expect(meta[absent]).toBeNull();
  });

  it('reads multi-valued windows, rescale, and falls back to ImagerPixelSpacing', () => {
    const meta = parseDicom(
      smallImage(explicitLe, [
        { tag: [0x0028, 0x1050], vr: 'DS', value: '40\\400' },
        { tag: [0x0028, 0x1051], vr: 'DS', value: '350\\2000' },
        { tag: [0x0028, 0x1052], vr: 'DS', value: '-1024' },
        { tag: [0x0028, 0x1053], vr: 'DS', value: '0.5' },
        { tag: [0x0018, 0x1164], vr: 'DS', value: '0.139\\0.14' },
      ]),
    ).meta;
    expect(meta).toMatchObject({
      windowCenter: [40, 400],
      windowWidth: [350, 2000],
      rescaleIntercept: -1024,
      rescaleSlope: 0.5,
      pixelSpacing: [0.139, 0.14],
    });
  });

  it('prefers PixelSpacing to ImagerPixelSpacing and treats blank strings as absent', () => {
    const meta = parseDicom(
      smallImage(explicitLe, [
        { tag: [0x0028, 0x0030], vr: 'DS', value: '0.2\\0.3' },
        { tag: [0x0018, 0x1164], vr: 'DS', value: '0.139\\0.14' },
        { tag: [0x0010, 0x0020], vr: 'LO', value: '  ' },
      ]),
    ).meta;
    expect(meta.pixelSpacing).toEqual([0.2, 0.3]);
    expect(meta.patientId).toBeNull();
  });

  it('falls back to the shared functional groups of enhanced images for spacing, rescale and window', () => {
    const shared: ElementSpec = {
      tag: [0x5200, 0x9229],
      vr: 'SQ',
      value: {
        items: [
          [
            {
              tag: [0x0028, 0x9110],
              vr: 'SQ',
              value: { items: [[{ tag: [0x0028, 0x0030], vr: 'DS', value: '0.15\\0.16' }]] },
            },
            {
              tag: [0x0028, 0x9132],
              vr: 'SQ',
              value: {
                items: [
                  [
                    { tag: [0x0028, 0x1050], vr: 'DS', value: '2000' },
                    { tag: [0x0028, 0x1051], vr: 'DS', value: '4000' },
                  ],
                ],
              },
            },
            {
              tag: [0x0028, 0x9145],
              vr: 'SQ',
              value: {
                items: [
                  [
                    { tag: [0x0028, 0x1052], vr: 'DS', value: '-10' },
                    { tag: [0x0028, 0x1053], vr: 'DS', value: '2' },
                  ],
                ],
              },
            },
          ],
        ],
      },
    };
    const meta = parseDicom(smallImage(explicitLe, [shared])).meta;
    expect(meta).toMatchObject({
      pixelSpacing: [0.15, 0.16],
      windowCenter: [2000],
      windowWidth: [4000],
      rescaleIntercept: -10,
      rescaleSlope: 2,
    });
  });

  it('reads a data set without preamble (implicit and explicit big endian), and file meta without preamble', async () => {
    for (const syntax of [implicitLe, explicitLe, explicitBe]) {
      const bare = buildDicom({
        transferSyntax: syntax,
        preamble: false,
        elements: [...patient, ...greyImageElements({ rows: 1, columns: 2 })],
        pixelData: words16([7, 9], syntax !== explicitBe),
      });
      const parsed = parseDicom(bare);
      expect(parsed.meta.transferSyntaxUid).toBe(syntax);
      expect(Array.from((await decodeFrame(parsed)).values)).toEqual([7, 9]);
    }
    const withPreamble = smallImage();
    const noPreamble = withPreamble.subarray(132);
    expect(parseDicom(noPreamble).meta.transferSyntaxUid).toBe(explicitLe);
  });

  it('guesses the syntax when the file meta has no TransferSyntaxUID', () => {
    const file = buildDicom({
      transferSyntax: implicitLe,
      omitTransferSyntax: true,
      elements: [...patient, ...greyImageElements({ rows: 1, columns: 1 })],
      pixelData: words16([3]),
    });
    expect(parseDicom(file).meta.transferSyntaxUid).toBe(implicitLe);
  });
});

describe('parseDicom on bad input', () => {
  it('refuses an empty file', () => {
    expectDicomError(() => parseDicom(new Uint8Array(0)), /^not a DICOM file: the file is empty$/);
  });

  it('refuses files that are not DICOM', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    expectDicomError(() => parseDicom(png), /^not a DICOM file/);
    const text = new TextEncoder().encode('patient_id,sex,age\n1,F,45\n'.repeat(20));
    expectDicomError(() => parseDicom(text), /^not a DICOM file/);
    expectDicomError(() => parseDicom(new Uint8Array(300)), /^not a DICOM file/);
  });

  it('reports pydicom’s truncated MR file as truncated at its last byte', () => {
    const bytes = readCorpusFile('MR_truncated.dcm');
    expectDicomError(
      () => parseDicom(bytes),
      new RegExp(`^truncated at byte ${bytes.length}: \\(7FE0,0010\\) declares 8192 bytes`),
    );
  });

  it('reports a file cut anywhere as truncated or unreadable, never another error', () => {
    const whole = smallImage();
    for (let end = 1; end < whole.length; end += 7) {
      expect(() => parseDicom(whole.subarray(0, end)), `cut at ${end}`).toThrow(DicomError);
    }
    expectDicomError(() => parseDicom(whole.subarray(0, whole.length - 3)), /^truncated at byte \d+/);
  });

  it('refuses unsupported and unknown transfer syntaxes by UID and name', () => {
    expectDicomError(
      () => parseDicom(smallImage('1.2.840.10008.1.2.4.100')),
      /^unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.4\.100 \(MPEG2 Main Profile \/ Main Level\)$/,
    );
    expectDicomError(() => parseDicom(smallImage('1.2.3.4')), /^unsupported transfer syntax 1\.2\.3\.4 \(unknown\)$/);
  });

  it('refuses a data set without pixel data', () => {
    const file = buildDicom({ elements: [...patient, ...greyImageElements({ rows: 2, columns: 2 })] });
    expectDicomError(() => parseDicom(file), /^no pixel data$/);
  });

  it('names a missing or out-of-range image attribute', () => {
    const without = (tag: number) =>
      buildDicom({
        elements: greyImageElements({ rows: 2, columns: 2 }).filter((e) => e.tag[1] !== tag),
        pixelData: words16([1, 2, 3, 4]),
      });
    expectDicomError(() => parseDicom(without(0x0010)), /^Rows is missing$/);
    expectDicomError(() => parseDicom(without(0x0100)), /^BitsAllocated is missing$/);
    const badBits = buildDicom({
      elements: greyImageElements({ rows: 1, columns: 1, bitsAllocated: 12 }),
      pixelData: words16([1]),
    });
    expectDicomError(() => parseDicom(badBits), /^BitsAllocated 12 is not one of 1, 8, 16, 32$/);
    const badFrames = smallImage(explicitLe, [{ tag: [0x0028, 0x0008], vr: 'IS', value: '1A' }]);
    expectDicomError(() => parseDicom(badFrames), /^NumberOfFrames '1A' is not a whole number/);
    const badSlope = smallImage(explicitLe, [{ tag: [0x0028, 0x1053], vr: 'DS', value: 'one' }]);
    expectDicomError(() => parseDicom(badSlope), /^RescaleSlope 'one' is not a number$/);
  });
});

describe('decodeFrame', () => {
  it('masks to BitsStored below HighBit and sign-extends signed data', async () => {
    // 12 bits stored at bits 13..2 (HighBit 13), with junk in the bits around them.
    const stored = [0, 1, 2047, 2048, 4095, 100];
    const words = stored.map((v, i) => (v << 2) | (i % 4) | (i % 2 ? 0xc000 : 0));
    const signed = buildDicom({
      elements: greyImageElements({ rows: 2, columns: 3, bitsStored: 12, highBit: 13, signed: true }),
      pixelData: words16(words),
    });
    const values = Array.from((await decodeFrame(parseDicom(signed))).values);
    expect(values).toEqual([0, 1, 2047, -2048, -1, 100]);
    const unsigned = buildDicom({
      elements: greyImageElements({ rows: 2, columns: 3, bitsStored: 12, highBit: 13 }),
      pixelData: words16(words),
    });
    expect(Array.from((await decodeFrame(parseDicom(unsigned))).values)).toEqual(stored);
  });

  it('interleaves colour by plane and picks frames', async () => {
    const planar = buildDicom({
      elements: greyImageElements({
        rows: 1,
        columns: 2,
        bitsAllocated: 8,
        samplesPerPixel: 3,
        photometric: 'RGB',
        planarConfiguration: 1,
        frames: 2,
      }),
      pixelData: Uint8Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]),
    });
    const parsed = parseDicom(planar);
    const first = await decodeFrame(parsed, 0);
    expect(first).toMatchObject({ samplesPerPixel: 3, photometric: 'RGB' });
    expect(Array.from(first.values)).toEqual([1, 3, 5, 2, 4, 6]);
    expect(Array.from((await decodeFrame(parsed, 1)).values)).toEqual([10, 30, 50, 20, 40, 60]);
    await expect(decodeFrame(parsed, 2)).rejects.toThrow(/^frame 2 is out of range: the image has 2 frames$/);
  });

  it('refuses pixel data shorter than the header says, and unsupported photometrics', async () => {
    const short = buildDicom({ elements: greyImageElements({ rows: 2, columns: 2 }), pixelData: words16([1, 2]) });
    await expect(decodeFrame(parseDicom(short))).rejects.toThrow(
      /^pixel data too short: 4 bytes, frame 1 of 1 needs 8/,
    );
    const palette = buildDicom({
      elements: greyImageElements({ rows: 1, columns: 2, bitsAllocated: 8, photometric: 'PALETTE COLOR' }),
      pixelData: Uint8Array.from([1, 2]),
    });
    await expect(decodeFrame(parseDicom(palette))).rejects.toThrow(/^unsupported photometric PALETTE COLOR/);
  });
});
