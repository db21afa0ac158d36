/**
 * A minimal DICOM Part 10 writer: explicit VR little endian data sets with checked values, the file meta
 * information, deterministic UIDs, and the data set of a DX or CR projection image.
 */
export { DicomWriteError } from './dicom-write-error';
export { tag, tagName, encodeElement, encodeDataSet, type DicomElement, type Tag } from './element';
export { isValidUid, longFormVrs, type Vr, type TextVr, type NumberVr } from './vr';
export { writePart10, explicitVrLittleEndian, implementationClassUid, implementationVersionName } from './part10';
export type { Part10Meta } from './part10';
export { uidFromParts } from './uid';
export {
  projectionImageDataSet,
  dxForPresentationSopClass,
  crImageSopClass,
  type ProjectionImageSpec,
} from './projection-image';
