import charls from '@cornerstonejs/codec-charls/decodewasmjs';
import type { DicomMetadata } from '../metadata';
import { checkFrameSize, copySamples, type DecodedFrame } from './decoded-frame';
import { readJpegFrameHeader } from './jpeg-markers';
import { WasmCodec } from './wasm-codec';

const codec = new WasmCodec('JPEG-LS', charls);

/** Decodes a JPEG-LS frame (lossless or near-lossless) with CharLS; colour comes back by pixel. */
export function decodeJpegLs(frame: Uint8Array, meta: DicomMetadata): Promise<DecodedFrame> {
  const header = readJpegFrameHeader(frame);
  checkFrameSize({ width: header.width, height: header.height, components: header.components }, meta, 'JPEG-LS');
  return codec.run((lib) => {
    const decoder = new lib.JpegLSDecoder();
    try {
      decoder.getEncodedBuffer(frame.length).set(frame);
      decoder.decode();
      const info = decoder.getFrameInfo();
      checkFrameSize({ width: info.width, height: info.height, components: info.componentCount }, meta, 'JPEG-LS');
      const count = info.width * info.height * info.componentCount;
      return {
        width: info.width,
        height: info.height,
        components: info.componentCount,
        precision: info.bitsPerSample,
        samples: copySamples(decoder.getDecodedBuffer(), info.bitsPerSample, false, count),
      };
    } finally {
      decoder.delete();
    }
  });
}
