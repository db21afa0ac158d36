import libjpegTurbo from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';
import type { DicomMetadata } from '../metadata';
import { checkFrameSize, type DecodedFrame } from './decoded-frame';
import { runEmscriptenDecoder } from './run-decoder';
import { withDicomColourSpace } from './jpeg-colour-markers';
import { readJpegFrameHeader } from './jpeg-markers';
import { WasmCodec } from './wasm-codec';

const codec = new WasmCodec('JPEG', libjpegTurbo);

/**
 * Decodes an 8-bit DCT JPEG (baseline, and 8-bit extended or progressive) with libjpeg-turbo. Colour
 * comes back as RGB: YBR_FULL(_422) streams are converted, RGB ones are not (see
 * {@link withDicomColourSpace}).
 */
export function decodeJpegBaseline(stream: Uint8Array, meta: DicomMetadata): Promise<DecodedFrame> {
  const header = readJpegFrameHeader(stream);
  const frame =
    header.components === 3 ? withDicomColourSpace(stream, meta.photometricInterpretation !== 'RGB') : stream;
  checkFrameSize({ width: header.width, height: header.height, components: header.components }, meta, 'JPEG');
  return codec.run((lib) => runEmscriptenDecoder(new lib.JPEGDecoder(), frame, meta, 'JPEG'));
}
