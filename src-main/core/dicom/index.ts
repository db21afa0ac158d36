/**
 * The DICOM library: parse a file, decode a frame to stored values, apply the modality LUT and a VOI
 * window, render 8-bit grey and PNG. Everything a caller needs is exported here; the codec modules
 * under codecs/ are internal.
 */
export { DicomError } from './dicom-error';
export { parseDicom, type ParsedDicom } from './parse-dicom';
export type { DicomMetadata } from './metadata';
export { transferSyntax, type TransferSyntax, type PixelEncoding } from './transfer-syntax';
export { decodeFrame } from './decode-pixels';
export type { StoredPixels, StoredValues } from './stored-pixels';
export { toModalityValues, pixelStatistics, type PixelStatistics } from './modality';
export { windowToUint8, defaultWindow, type VoiWindow } from './window';
export { renderToGray8, renderStoredPixels, type RenderOptions, type Gray8Image } from './render';
export { encodePng } from './encode-png';
export { describeDicom, dicomInfoSchema, type DicomInfo } from './dicom-info';
export { decodeRleFrame, decodePackBits, type RleLayout } from './codecs/rle';
