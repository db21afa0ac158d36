import { Decoder } from 'jpeg-lossless-decoder-js';
import { DicomError, describeThrown } from '../dicom-error';
import type { DicomMetadata } from '../metadata';
import { checkFrameSize, type DecodedFrame } from './decoded-frame';
import { readJpegFrameHeader } from './jpeg-markers';

/**
 * Decodes a lossless JPEG (process 14, any predictor; DICOM 1.2.840.10008.1.2.4.57 and .70) with
 * jpeg-lossless-decoder-js. The frame header is checked first so a corrupt size allocates nothing.
 */
export function decodeJpegLossless(frame: Uint8Array, meta: DicomMetadata): DecodedFrame {
  const header = readJpegFrameHeader(frame);
  if (header.marker !== 0xc3)
    throw new DicomError(`JPEG stream is not lossless (SOF 0xFF${header.marker.toString(16)})`);
  checkFrameSize({ width: header.width, height: header.height, components: header.components }, meta, 'JPEG lossless');
  if (header.precision < 2 || header.precision > 16)
    throw new DicomError(`JPEG lossless precision ${header.precision} is out of range`);
  let samples: Uint8Array | Uint16Array;
  try {
    // The decoder reads from an ArrayBuffer: hand it one holding just this frame (a copy, since
    // `frame` may be a view into a larger Buffer).
    const copy = new Uint8Array(frame);
    samples = new Decoder().decode(copy.buffer, 0, copy.length, header.precision > 8 ? 2 : 1);
  } catch (err) {
    throw new DicomError(`JPEG lossless decoder failed: ${describeThrown(err)}`);
  }
  const count = header.width * header.height * header.components;
  if (samples.length < count) throw new DicomError(`JPEG lossless decoder gave ${samples.length} samples for ${count}`);
  return {
    width: header.width,
    height: header.height,
    components: header.components,
    precision: header.precision,
    samples: samples.length === count ? samples : samples.slice(0, count),
  };
}
