/**
 * What the import knows about one image after decoding it, whatever its format:
 * the columns of the `images` row and the windowed 8-bit pixels at full
 * resolution from which the model-size cache and the thumbnail are made.
 */
export interface ImageRecord {
  readonly format: 'dicom' | 'png' | 'jpeg';
  readonly sopInstanceUid: string | null;
  readonly studyInstanceUid: string | null;
  readonly seriesInstanceUid: string | null;
  /** The raw patient id; stored only as a keyed pseudonym. */
  readonly patientId: string | null;
  readonly sex: 'M' | 'F' | 'other' | 'unknown';
  readonly ageYears: number | null;
  readonly studyDate: string | null;
  readonly modality: string | null;
  readonly viewPosition: string | null;
  readonly bodyPart: string | null;
  readonly manufacturer: string | null;
  readonly institutionName: string | null;
  readonly rows: number;
  readonly cols: number;
  readonly bitsAllocated: number | null;
  readonly bitsStored: number | null;
  readonly pixelRepresentation: number | null;
  readonly photometric: string | null;
  readonly transferSyntax: string | null;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  /** The file's default VOI window (first value), null when it has none. */
  readonly windowCenter: number | null;
  readonly windowWidth: number | null;
  /** Row and column spacing in mm, null when unknown. */
  readonly pixelSpacing: readonly [number, number] | null;
  readonly numberOfFrames: number;
  /** Statistics of the modality values (after rescale, before windowing). */
  readonly stats: { readonly min: number; readonly max: number; readonly mean: number };
}

export interface DecodedForImport {
  readonly record: ImageRecord;
  /** Windowed display pixels, rows × cols, row-major (MONOCHROME1 already inverted). */
  readonly gray8: Uint8Array;
  /** The window that produced `gray8`. */
  readonly window: { readonly center: number; readonly width: number };
}
