import { decodeJpegBaseline } from './codecs/jpeg-baseline';
import { decodeJpegExtended } from './codecs/jpeg-extended';
import { decodeJpegLossless } from './codecs/jpeg-lossless';
import { decodeJpegLs } from './codecs/jpeg-ls';
import { decodeJpeg2000 } from './codecs/jpeg2000';
import { readJpegFrameHeader } from './codecs/jpeg-markers';
import { decodeRleFrame } from './codecs/rle';
import { decodeNative } from './codecs/uncompressed';
import { checkFrameSize, type DecodedFrame } from './codecs/decoded-frame';
import { DicomError } from './dicom-error';
import { encapsulatedFrame } from './encapsulated-frame';
import type { ParsedDicom } from './parse-dicom';
import { filePhotometric, toStoredValues, type StoredPixels } from './stored-pixels';

const colourPhotometrics = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_RCT', 'YBR_ICT']);

/** Throws unless the photometric interpretation is one this library turns into grey. */
function checkPhotometric(parsed: ParsedDicom): string {
  const photometric = filePhotometric(parsed.meta);
  const grey = photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2';
  const supported = parsed.meta.samplesPerPixel === 1 ? grey : colourPhotometrics.has(photometric);
  if (!supported)
    throw new DicomError(
      `unsupported photometric ${photometric} with ${parsed.meta.samplesPerPixel} samples per pixel`,
    );
  return photometric;
}

/** Stored values from a codec's samples: masked to BitsStored (to the codestream's precision for JPEG 2000 when larger). */
function fromCodec(parsed: ParsedDicom, decoded: DecodedFrame, photometric: string): StoredPixels {
  const { meta } = parsed;
  const j2k = parsed.transferSyntax.encoding === 'jpeg-2000';
  const bits = Math.min(32, j2k ? Math.max(meta.bitsStored, decoded.precision) : meta.bitsStored);
  return {
    rows: meta.rows,
    columns: meta.columns,
    samplesPerPixel: meta.samplesPerPixel,
    photometric,
    values: toStoredValues(decoded.samples, bits, meta.pixelRepresentation === 1),
  };
}

async function decodeCompressed(parsed: ParsedDicom, frame: number, photometric: string): Promise<StoredPixels> {
  const { meta } = parsed;
  const bytes = encapsulatedFrame(parsed, frame);
  const colour = meta.samplesPerPixel === 3;
  switch (parsed.transferSyntax.encoding) {
    case 'rle': {
      const words = decodeRleFrame(bytes, meta);
      const shift = meta.highBit + 1 - meta.bitsStored;
      const values = toStoredValues(words, meta.bitsStored, meta.pixelRepresentation === 1, shift);
      return { rows: meta.rows, columns: meta.columns, samplesPerPixel: meta.samplesPerPixel, photometric, values };
    }
    case 'jpeg-baseline':
    case 'jpeg-extended': {
      const header = readJpegFrameHeader(bytes);
      if (header.precision > 8) {
        const grey = decodeJpegExtended(bytes);
        checkFrameSize({ width: grey.width, height: grey.height, components: 1 }, meta, 'JPEG');
        return fromCodec(parsed, { ...grey, components: 1 }, photometric);
      }
      return fromCodec(parsed, await decodeJpegBaseline(bytes, meta), colour ? 'RGB' : photometric);
    }
    case 'jpeg-lossless':
      return fromCodec(parsed, decodeJpegLossless(bytes, meta), photometric);
    case 'jpeg-ls':
      return fromCodec(parsed, await decodeJpegLs(bytes, meta), photometric);
    case 'jpeg-2000': {
      const transformed = photometric === 'YBR_RCT' || photometric === 'YBR_ICT';
      return fromCodec(parsed, await decodeJpeg2000(bytes, meta), transformed ? 'RGB' : photometric);
    }
    default:
      throw new DicomError(`unsupported transfer syntax ${meta.transferSyntaxUid} (${parsed.transferSyntax.name})`);
  }
}

/**
 * Decodes one frame to stored values (see {@link StoredPixels}), whatever the transfer syntax:
 * native (implicit/explicit VR little endian, big endian, deflated), RLE, JPEG baseline, JPEG
 * extended 12-bit (own decoder, see codecs/jpeg-extended), JPEG lossless, JPEG-LS and JPEG 2000.
 * Codecs load on first use.
 *
 * @param frame 0-based frame index (default 0)
 * @throws DicomError for a frame out of range, an unsupported syntax or photometric interpretation,
 *   or pixel data that does not decode to the header's size
 */
export async function decodeFrame(parsed: ParsedDicom, frame = 0): Promise<StoredPixels> {
  const frames = parsed.meta.numberOfFrames;
  if (!Number.isInteger(frame) || frame < 0 || frame >= frames)
    throw new DicomError(`frame ${frame} is out of range: the image has ${frames} frame${frames === 1 ? '' : 's'}`);
  const photometric = checkPhotometric(parsed);
  if (parsed.transferSyntax.encoding === 'native') return decodeNative(parsed, frame);
  return decodeCompressed(parsed, frame, photometric);
}
