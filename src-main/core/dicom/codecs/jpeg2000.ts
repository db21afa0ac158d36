import openjpeg from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import { DicomError } from '../dicom-error';
import type { DicomMetadata } from '../metadata';
import { checkFrameSize, type DecodedFrame } from './decoded-frame';
import { runEmscriptenDecoder } from './run-decoder';
import { WasmCodec } from './wasm-codec';

const codec = new WasmCodec('JPEG 2000', openjpeg);

/**
 * The image size in a raw codestream's SIZ segment (ITU T.800 A.5.1), or null for other data (a
 * JP2 file): checked before decoding so that a corrupt size fails here, not as a huge allocation.
 */
function codestreamSize(frame: Uint8Array): { width: number; height: number; components: number } | null {
  if (frame.length < 42 || frame[0] !== 0xff || frame[1] !== 0x4f || frame[2] !== 0xff || frame[3] !== 0x51)
    return null;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
  const width = view.getUint32(8) - view.getUint32(16);
  const height = view.getUint32(12) - view.getUint32(20);
  return { width, height, components: view.getUint16(40) };
}

/**
 * Decodes a JPEG 2000 codestream (or a JP2 file, as some writers wrongly embed) with OpenJPEG.
 * OpenJPEG undoes the codestream's multiple-component transform, so YBR_RCT/YBR_ICT come back RGB.
 */
export function decodeJpeg2000(frame: Uint8Array, meta: DicomMetadata): Promise<DecodedFrame> {
  const size = codestreamSize(frame);
  if (size) checkFrameSize(size, meta, 'JPEG 2000');
  return codec.run((lib) =>
    runEmscriptenDecoder(new lib.J2KDecoder(), frame, meta, 'JPEG 2000', (info) => {
      if (info.width === 0 || info.height === 0)
        throw new DicomError(`JPEG 2000 decoder failed: ${codec.lastError() ?? 'no image in the codestream'}`);
    }),
  );
}
