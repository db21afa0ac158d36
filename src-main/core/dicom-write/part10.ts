/**
 * DICOM Part 10 files (PS3.10 §7.1): a 128-byte preamble of zeros, `DICM`, the file meta information
 * (group 0002, explicit VR little endian, led by its group length), then the data set.
 */
import { DicomWriteError } from './dicom-write-error';
import { concatBytes, encodeDataSet, tag, type DicomElement } from './element';
import { isValidUid } from './vr';

/** The only transfer syntax the writer encodes: explicit VR little endian. */
export const explicitVrLittleEndian = '1.2.840.10008.1.2.1';

/** Identifies files written by this writer ((0002,0012)): a fixed UID under the UUID arc 2.25. */
export const implementationClassUid = '2.25.35666145234161002636917503151417878044';
export const implementationVersionName = 'ALIGNER_SIM_1';

export interface Part10Meta {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

/**
 * Writes a Part 10 file in explicit VR little endian.
 *
 * @param dataSet the data set's elements (any order; no group 0002 elements)
 * @throws DicomWriteError for an invalid UID, a group 0002 element in the data set, or an invalid value
 */
export function writePart10(dataSet: readonly DicomElement[], meta: Part10Meta): Uint8Array {
  for (const [name, uid] of [
    ['SOPClassUID', meta.sopClassUid],
    ['SOPInstanceUID', meta.sopInstanceUid],
  ] as const) {
    if (!isValidUid(uid)) throw new DicomWriteError(`${name} "${uid}" is not a valid UID`);
  }
  if (dataSet.some((e) => e.tag >>> 16 <= 0x0002))
    throw new DicomWriteError('group 0000-0002 elements belong to the file meta information, not the data set');
  const metaBody = encodeDataSet([
    { tag: tag(0x0002, 0x0001), vr: 'OB', value: Uint8Array.of(0x00, 0x01) },
    { tag: tag(0x0002, 0x0002), vr: 'UI', value: meta.sopClassUid },
    { tag: tag(0x0002, 0x0003), vr: 'UI', value: meta.sopInstanceUid },
    { tag: tag(0x0002, 0x0010), vr: 'UI', value: explicitVrLittleEndian },
    { tag: tag(0x0002, 0x0012), vr: 'UI', value: implementationClassUid },
    { tag: tag(0x0002, 0x0013), vr: 'SH', value: implementationVersionName },
  ]);
  const groupLength = encodeDataSet([{ tag: tag(0x0002, 0x0000), vr: 'UL', value: [metaBody.length] }]);
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concatBytes([preamble, groupLength, metaBody, encodeDataSet(dataSet)]);
}
