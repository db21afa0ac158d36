import { z } from 'zod';
import { decodeFrame } from './decode-pixels';
import { pixelStatistics, toModalityValues } from './modality';
import { parseDicom } from './parse-dicom';

/**
 * What `aligner dicom info` reports about one image: header facts (strings raw, null when absent;
 * no patient name or id) and statistics of the first frame's modality values (after rescale, before
 * windowing).
 */
export const dicomInfoSchema = z.object({
  rows: z.number().int().positive(),
  columns: z.number().int().positive(),
  bitsAllocated: z.number().int(),
  bitsStored: z.number().int(),
  pixelRepresentation: z.union([z.literal(0), z.literal(1)]),
  samplesPerPixel: z.number().int(),
  photometric: z.string().nullable(),
  transferSyntax: z.string(),
  transferSyntaxName: z.string(),
  /** Raw PatientSex (M, F, O) or null. */
  sex: z.string().nullable(),
  /** Raw PatientAge (e.g. 045Y) or null. */
  age: z.string().nullable(),
  modality: z.string().nullable(),
  viewPosition: z.string().nullable(),
  sopInstanceUid: z.string().nullable(),
  numberOfFrames: z.number().int().positive(),
  rescaleSlope: z.number(),
  rescaleIntercept: z.number(),
  windowCenter: z.array(z.number()),
  windowWidth: z.array(z.number()),
  pixelSpacing: z.tuple([z.number(), z.number()]).nullable(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
});
export type DicomInfo = z.infer<typeof dicomInfoSchema>;

/**
 * Parses and decodes the first frame of a DICOM file and summarises it.
 *
 * @throws DicomError for a file this library cannot read
 */
export async function describeDicom(bytes: Uint8Array): Promise<DicomInfo> {
  const parsed = parseDicom(bytes);
  const { meta } = parsed;
  const stats = pixelStatistics(toModalityValues(await decodeFrame(parsed, 0), meta));
  return {
    rows: meta.rows,
    columns: meta.columns,
    bitsAllocated: meta.bitsAllocated,
    bitsStored: meta.bitsStored,
    pixelRepresentation: meta.pixelRepresentation,
    samplesPerPixel: meta.samplesPerPixel,
    photometric: meta.photometricInterpretation,
    transferSyntax: meta.transferSyntaxUid,
    transferSyntaxName: parsed.transferSyntax.name,
    sex: meta.patientSex,
    age: meta.patientAge,
    modality: meta.modality,
    viewPosition: meta.viewPosition,
    sopInstanceUid: meta.sopInstanceUid,
    numberOfFrames: meta.numberOfFrames,
    rescaleSlope: meta.rescaleSlope,
    rescaleIntercept: meta.rescaleIntercept,
    windowCenter: [...meta.windowCenter],
    windowWidth: [...meta.windowWidth],
    pixelSpacing: meta.pixelSpacing ? [meta.pixelSpacing[0], meta.pixelSpacing[1]] : null,
    ...stats,
  };
}
