import { DicomError } from '../dicom-error';
import type { DicomMetadata } from '../metadata';

/** What a codec produced for one frame, before masking to stored values. */
export interface DecodedFrame {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  /** Bits per sample in the codestream (JPEG precision). */
  readonly precision: number;
  /** [height × width × components] samples, components of a pixel together. */
  readonly samples: Uint8Array | Uint16Array | Int16Array | Uint32Array;
}

/**
 * Checks a codec's frame against the DICOM header, so a file whose codestream disagrees with its
 * Rows, Columns or SamplesPerPixel fails with both sizes named instead of giving a scrambled image.
 *
 * @param codec the decoder's name for the message, e.g. 'JPEG 2000'
 */
export function checkFrameSize(
  frame: Pick<DecodedFrame, 'width' | 'height' | 'components'>,
  meta: DicomMetadata,
  codec: string,
): void {
  if (frame.width !== meta.columns || frame.height !== meta.rows || frame.components !== meta.samplesPerPixel) {
    throw new DicomError(
      `${codec} frame is ${frame.width}×${frame.height} with ${frame.components} components; the header says ${meta.columns}×${meta.rows} with ${meta.samplesPerPixel}`,
    );
  }
}

/**
 * Copies samples out of an emscripten decoder's buffer (which the next decode overwrites) as 8- or
 * 16-bit values, signed when the codec says so.
 *
 * @param buffer the decoder's output bytes, little endian
 */
export function copySamples(
  buffer: Uint8Array,
  bitsPerSample: number,
  signed: boolean,
  count: number,
): Uint8Array | Uint16Array | Int16Array {
  if (bitsPerSample <= 8) {
    if (buffer.length < count) throw new DicomError(`decoder gave ${buffer.length} bytes for ${count} samples`);
    return Uint8Array.from(buffer.subarray(0, count));
  }
  if (buffer.length < count * 2)
    throw new DicomError(`decoder gave ${buffer.length} bytes for ${count} 16-bit samples`);
  const bytes = new Uint8Array(buffer.subarray(0, count * 2));
  return signed ? new Int16Array(bytes.buffer, 0, count) : new Uint16Array(bytes.buffer, 0, count);
}
