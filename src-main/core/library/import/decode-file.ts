import { decodeFrame, parseDicom, pixelStatistics, windowToUint8 } from '../../dicom';
import type { DicomMetadata } from '../../dicom';
import { InputError } from '../../input-error';
import { ageYears, normalizeSex } from '../demographics';
import { decodeRasterImage, detectRasterFormat } from '../raster-image';
import type { DecodedForImport, ImageRecord } from './image-record';
import { renderForImport } from './render-for-import';

/**
 * Decodes one file for the import, whatever it is: PNG and JPEG by their magic
 * bytes, everything else as DICOM (with or without the Part 10 preamble). The
 * first frame of a multi-frame file is the image.
 *
 * @throws an error with a one-line message (DicomError, RasterImageError, InputError)
 */
export async function decodeForImport(bytes: Uint8Array, name = 'file'): Promise<DecodedForImport> {
  if (bytes.length === 0) throw new InputError('empty file (0 bytes)');
  return detectRasterFormat(bytes) ? decodeRaster(bytes, name) : decodeDicom(bytes);
}

async function decodeDicom(bytes: Uint8Array): Promise<DecodedForImport> {
  const parsed = parseDicom(bytes);
  const stored = await decodeFrame(parsed, 0);
  const rendered = renderForImport(stored, parsed.meta);
  return { record: dicomRecord(parsed.meta, rendered.stats), gray8: rendered.gray8, window: rendered.window };
}

function dicomRecord(meta: DicomMetadata, stats: ImageRecord['stats']): ImageRecord {
  return {
    format: 'dicom',
    sopInstanceUid: meta.sopInstanceUid,
    studyInstanceUid: meta.studyInstanceUid,
    seriesInstanceUid: meta.seriesInstanceUid,
    patientId: meta.patientId,
    sex: normalizeSex(meta.patientSex),
    ageYears: ageYears({ patientAge: meta.patientAge, birthDate: meta.patientBirthDate, studyDate: meta.studyDate }),
    studyDate: meta.studyDate,
    modality: meta.modality,
    viewPosition: meta.viewPosition,
    bodyPart: meta.bodyPartExamined,
    manufacturer: meta.manufacturer,
    institutionName: meta.institutionName,
    rows: meta.rows,
    cols: meta.columns,
    bitsAllocated: meta.bitsAllocated,
    bitsStored: meta.bitsStored,
    pixelRepresentation: meta.pixelRepresentation,
    photometric: meta.photometricInterpretation,
    transferSyntax: meta.transferSyntaxUid,
    rescaleSlope: meta.rescaleSlope,
    rescaleIntercept: meta.rescaleIntercept,
    windowCenter: meta.windowCenter[0] ?? null,
    windowWidth: meta.windowWidth[0] ?? null,
    pixelSpacing: meta.pixelSpacing,
    numberOfFrames: meta.numberOfFrames,
    stats,
  };
}

/**
 * PNG/JPEG: 8-bit images are shown as stored (window 127.5/256 is the identity);
 * 16-bit PNGs get the full-range window, as a DICOM file without a default does.
 */
async function decodeRaster(bytes: Uint8Array, name: string): Promise<DecodedForImport> {
  const image = await decodeRasterImage(bytes, { name });
  const values = Float32Array.from(image.pixels);
  const stats = pixelStatistics(values);
  const window =
    image.bitDepth === 8
      ? { center: 128, width: 256 }
      : { center: (stats.min + stats.max + 1) / 2, width: Math.max(1, stats.max - stats.min + 1) };
  const gray8 = image.bitDepth === 8 ? image.pixels : windowToUint8(values, window, false);
  const record: ImageRecord = {
    format: image.format,
    sopInstanceUid: null,
    studyInstanceUid: null,
    seriesInstanceUid: null,
    patientId: null,
    sex: 'unknown',
    ageYears: null,
    studyDate: null,
    modality: null,
    viewPosition: null,
    bodyPart: null,
    manufacturer: null,
    institutionName: null,
    rows: image.rows,
    cols: image.columns,
    bitsAllocated: image.bitDepth,
    bitsStored: image.bitDepth,
    pixelRepresentation: 0,
    photometric: 'MONOCHROME2',
    transferSyntax: null,
    rescaleSlope: 1,
    rescaleIntercept: 0,
    windowCenter: null,
    windowWidth: null,
    pixelSpacing: null,
    numberOfFrames: 1,
    stats,
  };
  return { record, gray8, window };
}
