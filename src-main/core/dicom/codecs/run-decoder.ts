import type { DicomMetadata } from '../metadata';
import { checkFrameSize, copySamples, type DecodedFrame } from './decoded-frame';

/**
 * Runs one of the cornerstone emscripten decoders (CharLS, libjpeg-turbo,
 * OpenJPEG) on a frame: copy the encoded bytes in, decode, check the decoded
 * size against the header, copy the samples out, and always free the decoder.
 *
 * @param label names the codec in errors
 * @param afterDecode an extra check of the frame info (e.g. an empty image) before the size check
 */
export function runEmscriptenDecoder(
  decoder: EmscriptenDecoder,
  frame: Uint8Array,
  meta: DicomMetadata,
  label: string,
  afterDecode?: (info: CodecFrameInfo) => void,
): DecodedFrame {
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    decoder.decode();
    const info = decoder.getFrameInfo();
    afterDecode?.(info);
    checkFrameSize({ width: info.width, height: info.height, components: info.componentCount }, meta, label);
    const count = info.width * info.height * info.componentCount;
    return {
      width: info.width,
      height: info.height,
      components: info.componentCount,
      precision: info.bitsPerSample,
      samples: copySamples(decoder.getDecodedBuffer(), info.bitsPerSample, info.isSigned === true, count),
    };
  } finally {
    decoder.delete();
  }
}
