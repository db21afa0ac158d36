import type Database from 'better-sqlite3';
import type { ImagePixelsMeta } from '../../api/viewer-schemas';
import { decodeFrame, defaultWindow, parseDicom, type StoredPixels } from '../dicom';
import { InputError } from '../input-error';
import { decodeRasterImage } from './raster-image';

/** One image at full resolution for the viewer: `data` is `columns × rows` little-endian Uint16 values. */
export interface FullPixels {
  readonly meta: ImagePixelsMeta;
  readonly data: Uint8Array;
}

interface BlobRow {
  sha256: string;
  format: 'dicom' | 'png' | 'jpeg';
  bytes: Buffer;
}

/**
 * Decodes an image's original file (DICOM: first frame, modality LUT by
 * rescale slope/intercept; PNG/JPEG: its grey channel) for the full-resolution
 * viewer. Colour data are shown as luma (BT.601).
 *
 * @throws InputError (field `imageId`) for an unknown image
 */
export async function readFullPixels(db: Database.Database, imageId: number): Promise<FullPixels> {
  const blob = db
    .prepare('SELECT b.sha256, b.format, b.bytes FROM images i JOIN blobs b ON b.sha256 = i.blob_sha256 WHERE i.id = ?')
    .get(imageId) as BlobRow | undefined;
  if (!blob) throw new InputError(`no image with id ${imageId} in this workspace`, 'imageId');
  const bytes = new Uint8Array(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.byteLength);
  return blob.format === 'dicom' ? fromDicom(imageId, bytes) : fromRaster(imageId, bytes);
}

async function fromDicom(imageId: number, bytes: Uint8Array): Promise<FullPixels> {
  const parsed = parseDicom(bytes);
  const stored = await decodeFrame(parsed, 0);
  const grey = greyValues(stored);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < grey.length; i++) {
    const v = grey[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (grey.length === 0) lo = hi = 0;
  const { rescaleSlope: slope, rescaleIntercept: intercept } = parsed.meta;
  const span = hi - lo;
  const quantised = span > 65_535;
  const step = quantised ? span / 65_535 : 1;
  const values = new Uint16Array(grey.length);
  for (let i = 0; i < grey.length; i++) values[i] = Math.round(((grey[i] as number) - lo) / step);
  const ends = [lo * slope + intercept, hi * slope + intercept];
  const modalityMin = Math.min(...ends);
  const modalityMax = Math.max(...ends);
  const meta: ImagePixelsMeta = {
    imageId,
    columns: stored.columns,
    rows: stored.rows,
    scale: slope * step,
    bias: lo * slope + intercept,
    maxValue: Math.round(span / step),
    modalityMin,
    modalityMax,
    defaultWindow: defaultWindow(parsed.meta, Float32Array.of(modalityMin, modalityMax)),
    invert: stored.photometric === 'MONOCHROME1',
    quantised,
  };
  return { meta, data: littleEndianBytes(values) };
}

/** The grey value of each pixel: the stored value, or BT.601 luma of an RGB triple. */
function greyValues(stored: StoredPixels): ArrayLike<number> {
  if (stored.samplesPerPixel === 1) return stored.values;
  const n = stored.rows * stored.columns;
  const grey = new Float64Array(n);
  const v = stored.values;
  for (let i = 0; i < n; i++) {
    grey[i] = Math.round(
      0.299 * (v[3 * i] as number) + 0.587 * (v[3 * i + 1] as number) + 0.114 * (v[3 * i + 2] as number),
    );
  }
  return grey;
}

async function fromRaster(imageId: number, bytes: Uint8Array): Promise<FullPixels> {
  const image = await decodeRasterImage(bytes, { name: `image ${imageId}` });
  const values = Uint16Array.from(image.pixels);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const maxValue = image.bitDepth === 8 ? 255 : Math.max(0, hi);
  const meta: ImagePixelsMeta = {
    imageId,
    columns: image.columns,
    rows: image.rows,
    scale: 1,
    bias: 0,
    maxValue,
    modalityMin: Number.isFinite(lo) ? lo : 0,
    modalityMax: Number.isFinite(hi) ? hi : 0,
    // As the import windows them: 8-bit shown as stored, 16-bit over the full range.
    defaultWindow:
      image.bitDepth === 8
        ? { center: 128, width: 256 }
        : { center: (lo + hi + 1) / 2, width: Math.max(1, hi - lo + 1) },
    invert: false,
    quantised: false,
  };
  return { meta, data: littleEndianBytes(values) };
}

function littleEndianBytes(values: Uint16Array): Uint8Array {
  // Typed arrays use the platform's byte order; every platform Node and Electron run on is little-endian.
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
