/**
 * The data set of a projection radiograph: a DX image "for presentation" (Digital X-Ray Image Storage – For
 * Presentation) or a CR image (Computed Radiography Image Storage), one frame of 16-bit allocated grey values.
 * Carries the modules' type 1 and 2 attributes (patient, general study/series/equipment, general/DX image,
 * DX detector and positioning, image pixel, VOI LUT, SOP common).
 */
import { DicomWriteError } from './dicom-write-error';
import { tag, type DicomElement } from './element';

export const dxForPresentationSopClass = '1.2.840.10008.5.1.4.1.1.1.1';
export const crImageSopClass = '1.2.840.10008.5.1.4.1.1.1';

export interface ProjectionImageSpec {
  readonly modality: 'DX' | 'CR';
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** YYYYMMDD. */
  readonly studyDate: string;
  /** HHMMSS. */
  readonly studyTime: string;
  readonly patientId: string;
  /** DICOM PN, e.g. `SIM^00001`. */
  readonly patientName: string;
  readonly patientSex: 'M' | 'F' | 'O';
  /** Whole years, 0..999. */
  readonly patientAgeYears: number;
  readonly institutionName: string;
  readonly manufacturer: string;
  readonly manufacturerModelName: string;
  readonly studyId: string;
  readonly accessionNumber: string;
  readonly seriesNumber: number;
  readonly instanceNumber: number;
  readonly photometric: 'MONOCHROME1' | 'MONOCHROME2';
  readonly rows: number;
  readonly columns: number;
  /** 1..16; HighBit is bitsStored - 1, values unsigned. */
  readonly bitsStored: number;
  /** Row and column spacing at the detector, mm. */
  readonly pixelSpacingMm: number;
  readonly windowCenter: number;
  readonly windowWidth: number;
  /** Peak kilovoltage, written as KVP. */
  readonly kvp: number;
  /** (0020,4000), e.g. a note that the image is synthetic. */
  readonly imageComments: string;
  /** rows × columns stored values, row-major, each < 2^bitsStored. */
  readonly pixels: Uint16Array;
}

/** A DS value of at most 16 characters. */
function ds(value: number): string {
  const text = String(Math.round(value * 1e6) / 1e6);
  if (text.length > 16) throw new DicomWriteError(`decimal ${value} does not fit a DS value`);
  return text;
}

/**
 * The elements of a DX (for presentation) or CR image.
 * @throws DicomWriteError when the pixels do not match rows × columns or exceed bitsStored
 */
export function projectionImageDataSet(spec: ProjectionImageSpec): DicomElement[] {
  const { rows, columns, pixels, bitsStored } = spec;
  if (
    !Number.isInteger(rows) ||
    !Number.isInteger(columns) ||
    rows < 1 ||
    columns < 1 ||
    rows > 0xffff ||
    columns > 0xffff
  )
    throw new DicomWriteError(`image size ${columns}×${rows} is not 1..65535 on each side`);
  if (pixels.length !== rows * columns)
    throw new DicomWriteError(`pixel data has ${pixels.length} values, expected ${rows}×${columns}`);
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > 16)
    throw new DicomWriteError(`BitsStored ${bitsStored} is not 1..16`);
  const limit = 2 ** bitsStored;
  for (let i = 0; i < pixels.length; i++) {
    if ((pixels[i] ?? 0) >= limit)
      throw new DicomWriteError(`pixel ${i} value ${pixels[i]} exceeds ${bitsStored} bits`);
  }
  if (!Number.isInteger(spec.patientAgeYears) || spec.patientAgeYears < 0 || spec.patientAgeYears > 999)
    throw new DicomWriteError(`PatientAge ${spec.patientAgeYears} is not 0..999 years`);
  const dx = spec.modality === 'DX';
  const monochrome1 = spec.photometric === 'MONOCHROME1';
  const spacing = `${ds(spec.pixelSpacingMm)}\\${ds(spec.pixelSpacingMm)}`;
  const elements: DicomElement[] = [
    { tag: tag(0x0008, 0x0008), vr: 'CS', value: 'DERIVED\\PRIMARY' },
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: dx ? dxForPresentationSopClass : crImageSopClass },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: spec.sopInstanceUid },
    { tag: tag(0x0008, 0x0020), vr: 'DA', value: spec.studyDate },
    { tag: tag(0x0008, 0x0023), vr: 'DA', value: spec.studyDate },
    { tag: tag(0x0008, 0x0030), vr: 'TM', value: spec.studyTime },
    { tag: tag(0x0008, 0x0033), vr: 'TM', value: spec.studyTime },
    { tag: tag(0x0008, 0x0050), vr: 'SH', value: spec.accessionNumber },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: spec.modality },
    { tag: tag(0x0008, 0x0070), vr: 'LO', value: spec.manufacturer },
    { tag: tag(0x0008, 0x0080), vr: 'LO', value: spec.institutionName },
    { tag: tag(0x0008, 0x0090), vr: 'PN', value: '' },
    { tag: tag(0x0008, 0x1090), vr: 'LO', value: spec.manufacturerModelName },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: spec.patientName },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: spec.patientId },
    { tag: tag(0x0010, 0x0030), vr: 'DA', value: '' },
    { tag: tag(0x0010, 0x0040), vr: 'CS', value: spec.patientSex },
    { tag: tag(0x0010, 0x1010), vr: 'AS', value: `${String(spec.patientAgeYears).padStart(3, '0')}Y` },
    { tag: tag(0x0018, 0x0015), vr: 'CS', value: 'CHEST' },
    { tag: tag(0x0018, 0x0060), vr: 'DS', value: ds(spec.kvp) },
    { tag: tag(0x0018, 0x1164), vr: 'DS', value: spacing },
    { tag: tag(0x0018, 0x5101), vr: 'CS', value: 'PA' },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: spec.studyInstanceUid },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: spec.seriesInstanceUid },
    { tag: tag(0x0020, 0x0010), vr: 'SH', value: spec.studyId },
    { tag: tag(0x0020, 0x0011), vr: 'IS', value: String(spec.seriesNumber) },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: String(spec.instanceNumber) },
    // A PA chest shown as if facing the patient: rows run to the patient's left, columns to the feet.
    { tag: tag(0x0020, 0x0020), vr: 'CS', value: 'L\\F' },
    { tag: tag(0x0020, 0x4000), vr: 'LT', value: spec.imageComments },
    { tag: tag(0x0028, 0x0002), vr: 'US', value: [1] },
    { tag: tag(0x0028, 0x0004), vr: 'CS', value: spec.photometric },
    { tag: tag(0x0028, 0x0010), vr: 'US', value: [rows] },
    { tag: tag(0x0028, 0x0011), vr: 'US', value: [columns] },
    { tag: tag(0x0028, 0x0030), vr: 'DS', value: spacing },
    { tag: tag(0x0028, 0x0100), vr: 'US', value: [16] },
    { tag: tag(0x0028, 0x0101), vr: 'US', value: [bitsStored] },
    { tag: tag(0x0028, 0x0102), vr: 'US', value: [bitsStored - 1] },
    { tag: tag(0x0028, 0x0103), vr: 'US', value: [0] },
    { tag: tag(0x0028, 0x0301), vr: 'CS', value: 'NO' },
    { tag: tag(0x0028, 0x1050), vr: 'DS', value: ds(spec.windowCenter) },
    { tag: tag(0x0028, 0x1051), vr: 'DS', value: ds(spec.windowWidth) },
    { tag: tag(0x0028, 0x1052), vr: 'DS', value: '0' },
    { tag: tag(0x0028, 0x1053), vr: 'DS', value: '1' },
    { tag: tag(0x0028, 0x2110), vr: 'CS', value: '00' },
    { tag: tag(0x7fe0, 0x0010), vr: 'OW', value: pixels },
  ];
  if (dx) {
    elements.push(
      { tag: tag(0x0008, 0x0068), vr: 'CS', value: 'FOR PRESENTATION' },
      { tag: tag(0x0018, 0x7004), vr: 'CS', value: 'SCINTILLATOR' },
      { tag: tag(0x0020, 0x0062), vr: 'CS', value: 'U' },
      { tag: tag(0x0028, 0x1040), vr: 'CS', value: 'LOG' },
      // Stored values rise with attenuation (less beam) in MONOCHROME2, fall in MONOCHROME1.
      { tag: tag(0x0028, 0x1041), vr: 'SS', value: [monochrome1 ? 1 : -1] },
      { tag: tag(0x0028, 0x1054), vr: 'LO', value: 'US' },
      { tag: tag(0x2050, 0x0020), vr: 'CS', value: monochrome1 ? 'INVERSE' : 'IDENTITY' },
    );
  }
  return elements;
}
