import type { DataSet } from './dicom-parser-lib';
import { DicomError } from './dicom-error';

/**
 * What the app reads from a DICOM image's header. Strings are trimmed of spaces and NUL padding;
 * an absent or empty string is null, never a made-up value. Image attributes are validated so
 * that decoders can trust them.
 */
export interface DicomMetadata {
  readonly sopInstanceUid: string | null;
  readonly studyInstanceUid: string | null;
  readonly seriesInstanceUid: string | null;
  readonly sopClassUid: string | null;
  readonly patientId: string | null;
  /** Raw PN value, e.g. `Doe^Jane`. */
  readonly patientName: string | null;
  /** Raw PatientSex (`M`, `F`, `O`, or whatever the file holds). */
  readonly patientSex: string | null;
  /** Raw PatientAge (VR AS, e.g. `045Y`); see library/demographics for its meaning. */
  readonly patientAge: string | null;
  readonly patientBirthDate: string | null;
  readonly studyDate: string | null;
  readonly modality: string | null;
  readonly viewPosition: string | null;
  readonly bodyPartExamined: string | null;
  readonly manufacturer: string | null;
  readonly institutionName: string | null;
  /** ≥ 1. */
  readonly rows: number;
  /** ≥ 1. */
  readonly columns: number;
  /** 1, 8, 16 or 32. */
  readonly bitsAllocated: number;
  /** 1..bitsAllocated; BitsAllocated when the file has none. */
  readonly bitsStored: number;
  /** bitsStored - 1..bitsAllocated - 1; bitsStored - 1 when the file has none. */
  readonly highBit: number;
  /** 0 unsigned, 1 two's complement; 0 when the file has none. */
  readonly pixelRepresentation: 0 | 1;
  /** 1 or 3; 1 when the file has none. */
  readonly samplesPerPixel: number;
  /** 0 colour-by-pixel, 1 colour-by-plane; 0 when the file has none. */
  readonly planarConfiguration: 0 | 1;
  /** MONOCHROME1, MONOCHROME2, RGB, YBR_FULL, …; null when the file has none. */
  readonly photometricInterpretation: string | null;
  /** Default 1. */
  readonly rescaleSlope: number;
  /** Default 0. */
  readonly rescaleIntercept: number;
  /** Every WindowCenter value (VM 1-n, e.g. `40\400` → [40, 400]); [] when none. */
  readonly windowCenter: readonly number[];
  /** Every WindowWidth value, paired with windowCenter by index; [] when none. */
  readonly windowWidth: readonly number[];
  /** [row spacing, column spacing] in mm: PixelSpacing, else ImagerPixelSpacing, else null. */
  readonly pixelSpacing: readonly [number, number] | null;
  /** ≥ 1; 1 when the file has none. */
  readonly numberOfFrames: number;
  readonly transferSyntaxUid: string;
}

/** The most values (rows × columns × samples) one frame may have: 2^28, about 1 GiB of Int32. */
export const maxFrameValues = 2 ** 28;

const tags = {
  sopClassUid: 'x00080016',
  sopInstanceUid: 'x00080018',
  studyDate: 'x00080020',
  modality: 'x00080060',
  manufacturer: 'x00080070',
  institutionName: 'x00080080',
  patientName: 'x00100010',
  patientId: 'x00100020',
  patientBirthDate: 'x00100030',
  patientSex: 'x00100040',
  patientAge: 'x00101010',
  bodyPartExamined: 'x00180015',
  imagerPixelSpacing: 'x00181164',
  viewPosition: 'x00185101',
  studyInstanceUid: 'x0020000d',
  seriesInstanceUid: 'x0020000e',
  samplesPerPixel: 'x00280002',
  photometricInterpretation: 'x00280004',
  planarConfiguration: 'x00280006',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  pixelSpacing: 'x00280030',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  sharedFunctionalGroups: 'x52009229',
  pixelMeasures: 'x00289110',
  frameVoiLut: 'x00289132',
  pixelValueTransformation: 'x00289145',
} as const;

const decimalPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const integerPattern = /^[+-]?\d+$/;

/** A string value with spaces and NUL padding trimmed; null when absent or empty. */
function text(ds: DataSet, tag: string): string | null {
  const value = ds.string(tag);
  if (value === undefined) return null;
  const trimmed = value.replace(/^[\s\0]+|[\s\0]+$/g, '');
  return trimmed === '' ? null : trimmed;
}

/** The values of a multi-valued string element (DS, IS), split on backslashes and trimmed. */
function stringValues(ds: DataSet, tag: string): string[] {
  const raw = text(ds, tag);
  return raw === null ? [] : raw.split('\\').map((v) => v.replace(/^[\s\0]+|[\s\0]+$/g, ''));
}

/** A DS value as a number, or null when it does not parse. */
function toDecimal(value: string | undefined): number | null {
  if (value === undefined || !decimalPattern.test(value)) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/** DS values that parse as numbers; unparsable ones are left out. */
function decimals(ds: DataSet, tag: string): number[] {
  return stringValues(ds, tag)
    .map(toDecimal)
    .filter((v): v is number => v !== null);
}

/** WindowCenter/WindowWidth pairs by index, leaving out pairs where either does not parse. */
function windows(ds: DataSet): { centers: number[]; widths: number[] } {
  const centers = stringValues(ds, tags.windowCenter);
  const widths = stringValues(ds, tags.windowWidth);
  const pairs = { centers: [] as number[], widths: [] as number[] };
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    const center = toDecimal(centers[i]);
    const width = toDecimal(widths[i]);
    if (center === null || width === null) continue;
    pairs.centers.push(center);
    pairs.widths.push(width);
  }
  return pairs;
}

/** A US value; null when absent or shorter than 2 bytes. */
function unsigned16(ds: DataSet, tag: string): number | null {
  const element = ds.elements[tag];
  if (!element || element.length < 2) return null;
  return ds.uint16(tag) ?? null;
}

/** A single DS value: `fallback` when absent, a DicomError naming the attribute when it is not a number. */
function decimal(ds: DataSet, tag: string, name: string, fallback: number): number {
  const values = stringValues(ds, tag);
  const first = values[0];
  if (first === undefined || first === '') return fallback;
  const value = toDecimal(first);
  if (value === null) throw new DicomError(`${name} '${first}' is not a number`);
  return value;
}

/** The first item's data set of each sequence along `path`, or null (enhanced multi-frame functional groups). */
function nestedItem(ds: DataSet, path: readonly string[]): DataSet | null {
  let current: DataSet | null = ds;
  for (const tag of path) {
    const item: DataSet | undefined = current?.elements[tag]?.items?.[0]?.dataSet;
    current = item ?? null;
  }
  return current;
}

function required(value: number | null, name: string, check: (v: number) => boolean, rule: string): number {
  if (value === null) throw new DicomError(`${name} is missing`);
  if (!check(value)) throw new DicomError(`${name} ${value} is not ${rule}`);
  return value;
}

function spacing(ds: DataSet): readonly [number, number] | null {
  const shared = nestedItem(ds, [tags.sharedFunctionalGroups, tags.pixelMeasures]);
  for (const [source, tag] of [
    [ds, tags.pixelSpacing],
    [shared, tags.pixelSpacing],
    [ds, tags.imagerPixelSpacing],
  ] as const) {
    if (!source) continue;
    const values = decimals(source, tag);
    const [row, column] = values;
    if (values.length === 2 && row !== undefined && column !== undefined && row > 0 && column > 0) return [row, column];
  }
  return null;
}

function frames(ds: DataSet): number {
  const raw = stringValues(ds, tags.numberOfFrames)[0];
  if (raw === undefined || raw === '') return 1;
  if (!integerPattern.test(raw) || Number(raw) < 1)
    throw new DicomError(`NumberOfFrames '${raw}' is not a whole number ≥ 1`);
  return Number(raw);
}

/**
 * Reads and validates the attributes of {@link DicomMetadata} from a parsed data set.
 * Throws DicomError naming the attribute when an image attribute is missing or out of range.
 */
export function readMetadata(ds: DataSet, transferSyntaxUid: string): DicomMetadata {
  const rows = required(unsigned16(ds, tags.rows), 'Rows', (v) => v >= 1, 'at least 1');
  const columns = required(unsigned16(ds, tags.columns), 'Columns', (v) => v >= 1, 'at least 1');
  const bitsAllocated = required(
    unsigned16(ds, tags.bitsAllocated),
    'BitsAllocated',
    (v) => [1, 8, 16, 32].includes(v),
    'one of 1, 8, 16, 32',
  );
  const bitsStored = required(
    unsigned16(ds, tags.bitsStored) ?? bitsAllocated,
    'BitsStored',
    (v) => v >= 1 && v <= bitsAllocated,
    `between 1 and BitsAllocated (${bitsAllocated})`,
  );
  const highBit = required(
    unsigned16(ds, tags.highBit) ?? bitsStored - 1,
    'HighBit',
    (v) => v >= bitsStored - 1 && v < bitsAllocated,
    `between BitsStored - 1 (${bitsStored - 1}) and BitsAllocated - 1 (${bitsAllocated - 1})`,
  );
  const pixelRepresentation = required(
    unsigned16(ds, tags.pixelRepresentation) ?? 0,
    'PixelRepresentation',
    (v) => v === 0 || v === 1,
    '0 or 1',
  ) as 0 | 1;
  const samplesPerPixel = required(
    unsigned16(ds, tags.samplesPerPixel) ?? 1,
    'SamplesPerPixel',
    (v) => v === 1 || v === 3,
    '1 or 3',
  );
  // Meaningless for one sample per pixel, where writers leave anything in it.
  const planarConfiguration = required(
    samplesPerPixel === 1 ? 0 : (unsigned16(ds, tags.planarConfiguration) ?? 0),
    'PlanarConfiguration',
    (v) => v === 0 || v === 1,
    '0 or 1',
  ) as 0 | 1;
  const numberOfFrames = frames(ds);
  if (rows * columns * samplesPerPixel > maxFrameValues)
    throw new DicomError(`image too large: ${rows}×${columns}×${samplesPerPixel} values per frame`);

  const voi = nestedItem(ds, [tags.sharedFunctionalGroups, tags.frameVoiLut]);
  const transform = nestedItem(ds, [tags.sharedFunctionalGroups, tags.pixelValueTransformation]);
  const rescaleSource = ds.elements[tags.rescaleSlope] || !transform ? ds : transform;
  const windowSource = ds.elements[tags.windowCenter] || !voi ? ds : voi;
  const window = windows(windowSource);

  return {
    sopInstanceUid: text(ds, tags.sopInstanceUid),
    studyInstanceUid: text(ds, tags.studyInstanceUid),
    seriesInstanceUid: text(ds, tags.seriesInstanceUid),
    sopClassUid: text(ds, tags.sopClassUid),
    patientId: text(ds, tags.patientId),
    patientName: text(ds, tags.patientName),
    patientSex: text(ds, tags.patientSex),
    patientAge: text(ds, tags.patientAge),
    patientBirthDate: text(ds, tags.patientBirthDate),
    studyDate: text(ds, tags.studyDate),
    modality: text(ds, tags.modality),
    viewPosition: text(ds, tags.viewPosition),
    bodyPartExamined: text(ds, tags.bodyPartExamined),
    manufacturer: text(ds, tags.manufacturer),
    institutionName: text(ds, tags.institutionName),
    rows,
    columns,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    samplesPerPixel,
    planarConfiguration,
    photometricInterpretation: text(ds, tags.photometricInterpretation),
    rescaleSlope: decimal(rescaleSource, tags.rescaleSlope, 'RescaleSlope', 1),
    rescaleIntercept: decimal(rescaleSource, tags.rescaleIntercept, 'RescaleIntercept', 0),
    windowCenter: window.centers,
    windowWidth: window.widths,
    pixelSpacing: spacing(ds),
    numberOfFrames,
    transferSyntaxUid,
  };
}
