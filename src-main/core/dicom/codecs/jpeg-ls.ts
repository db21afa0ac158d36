import charls from '@cornerstonejs/codec-charls/decodewasmjs';
import type { DicomMetadata } from '../metadata';
import { checkFrameSize, type DecodedFrame } from './decoded-frame';
import { runEmscriptenDecoder } from './run-decoder';
import { readJpegFrameHeader } from './jpeg-markers';
import { WasmCodec } from './wasm-codec';

const codec = new WasmCodec('JPEG-LS', charls);

/** Decodes a JPEG-LS frame (lossless or near-lossless) with CharLS; colour comes back by pixel. */
export function decodeJpegLs(frame: Uint8Array, meta: DicomMetadata): Promise<DecodedFrame> {
  const header = readJpegFrameHeader(frame);
  checkFrameSize({ width: header.width, height: header.height, components: header.components }, meta, 'JPEG-LS');
  return codec.run((lib) => runEmscriptenDecoder(new lib.JpegLSDecoder(), frame, meta, 'JPEG-LS'));
}
