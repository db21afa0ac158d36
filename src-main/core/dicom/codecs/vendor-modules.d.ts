/**
 * Types for the codec packages, which ship none: the emscripten factories of @cornerstonejs's
 * codecs (embind classes; call `delete()` when done) and jpeg-lossless-decoder-js's Decoder
 * (its package.json names a lossless.d.ts that the release does not contain).
 */

/** The emscripten module options we pass: where printf and fprintf(stderr) lines go. */
interface EmscriptenModuleOptions {
  print?: (line: string) => void;
  printErr?: (line: string) => void;
}

interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** The decoder shape the three codecs share: copy the encoded bytes in, decode, read the pixels. */
interface EmscriptenDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  delete(): void;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options?: EmscriptenModuleOptions) => Promise<{ JpegLSDecoder: new () => EmscriptenDecoder }>;
  export default factory;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (
    options?: EmscriptenModuleOptions,
  ) => Promise<{ J2KDecoder: new () => EmscriptenDecoder & { getColorSpace(): number } }>;
  export default factory;
}

declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (options?: EmscriptenModuleOptions) => Promise<{ JPEGDecoder: new () => EmscriptenDecoder }>;
  export default factory;
}

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer, numBytes?: number);
    /** Decodes a JPEG lossless (process 14) stream; 8-bit data as Uint8Array, deeper data as Uint16Array. */
    decode(buffer: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
    /** Predictor 7 of T.81 Table H.1; the decoder's own returns a fraction for odd sums. */
    select7(componentOffset?: number): number;
    getPreviousX(componentOffset?: number): number;
    getPreviousY(componentOffset?: number): number;
  }
}
