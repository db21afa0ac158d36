import { Decoder as LosslessDecoder } from 'jpeg-lossless-decoder-js';
import { DicomError, describeThrown } from '../dicom-error';
import type { DicomMetadata } from '../metadata';
import { checkFrameSize, type DecodedFrame } from './decoded-frame';
import { readJpegFrameHeader } from './jpeg-markers';

/**
 * jpeg-lossless-decoder-js computes predictor 7 as (Ra + Rb) / 2, a fraction when the sum is odd;
 * T.81 Table H.1 (and libjpeg) mean the arithmetic shift (Ra + Rb) >> 1. Stored into its typed
 * output the fraction truncates toward zero, which is one off wherever a value wraps below 0
 * (signed 16-bit data around 0): found by tests/reference/dicom-roundtrip.test.ts.
 */
class Decoder extends LosslessDecoder {
  override select7(componentOffset = 0): number {
    return (this.getPreviousX(componentOffset) + this.getPreviousY(componentOffset)) >> 1;
  }
}

/**
 * A copy of the stream with four zero bytes before its last EOI marker. The decoder's Huffman
 * lookahead gives up on a code longer than 8 bits once it has seen a marker, even when the bits
 * before the marker hold the whole code: it then drops the image's last pixel (found on RGB data
 * by tests/reference/dicom-roundtrip.test.ts). Zero bytes are plain entropy-coded data that only
 * the lookahead reads.
 */
function padBeforeEndOfImage(frame: Uint8Array): Uint8Array<ArrayBuffer> {
  let end = frame.length;
  for (let at = frame.length - 2; at >= 0; at--) {
    if (frame[at] === 0xff && frame[at + 1] === 0xd9) {
      end = at;
      break;
    }
  }
  const padded = new Uint8Array(frame.length + 4);
  padded.set(frame.subarray(0, end), 0);
  padded.set(frame.subarray(end), end + 4);
  return padded;
}

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
    const copy = padBeforeEndOfImage(frame);
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
