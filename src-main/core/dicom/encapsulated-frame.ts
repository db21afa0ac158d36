import { DicomError, describeThrown } from './dicom-error';
import { dicomParser } from './dicom-parser-lib';
import type { ParsedDicom } from './parse-dicom';

/**
 * The compressed bytes of one frame of encapsulated pixel data (PS3.5 A.4). A single-frame image is
 * all its fragments joined; a multi-frame image is split by the basic offset table, else one
 * fragment per frame when the counts match, else (JPEG-family streams only) at the fragments that
 * end with an EOI/EOC marker.
 *
 * @throws DicomError when the pixel data is not encapsulated, has no fragments, or the frame cannot be found
 */
export function encapsulatedFrame(parsed: ParsedDicom, frame: number): Uint8Array {
  const { dataSet, pixelData, meta } = parsed;
  const fragments = pixelData.fragments;
  if (!pixelData.encapsulatedPixelData || !fragments)
    throw new DicomError(`pixel data is not encapsulated, as transfer syntax ${meta.transferSyntaxUid} requires`);
  if (fragments.length === 0) throw new DicomError('encapsulated pixel data has no fragments');
  const frames = meta.numberOfFrames;
  try {
    if (frames === 1)
      return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData, 0, fragments.length);
    const offsets = pixelData.basicOffsetTable ?? [];
    if (offsets.length === frames) return dicomParser.readEncapsulatedImageFrame(dataSet, pixelData, frame, offsets);
    if (fragments.length === frames) {
      return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData, frame, 1);
    }
    if (parsed.transferSyntax.encoding === 'rle')
      throw new DicomError(`RLE pixel data has ${fragments.length} fragments for ${frames} frames`);
    const table = dicomParser.createJPEGBasicOffsetTable(dataSet, pixelData);
    if (table.length !== frames)
      throw new DicomError(`encapsulated pixel data holds ${table.length} frames, NumberOfFrames says ${frames}`);
    return dicomParser.readEncapsulatedImageFrame(dataSet, pixelData, frame, table);
  } catch (err) {
    if (err instanceof DicomError) throw err;
    throw new DicomError(`cannot find frame ${frame + 1} in the encapsulated pixel data: ${describeThrown(err)}`);
  }
}
