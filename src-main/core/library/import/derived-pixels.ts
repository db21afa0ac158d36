import sharp from 'sharp';

export interface DerivedPixels {
  /** size × size uint8, row-major: the model-resolution cache. */
  readonly cache: Uint8Array;
  readonly thumbnail: { readonly png: Buffer; readonly width: number; readonly height: number };
}

/**
 * Makes the model-resolution cache and the worklist thumbnail from windowed
 * 8-bit pixels. The cache is resized to size × size without keeping the aspect
 * ratio (as torchvision's `Resize((S, S))` does): image coordinates map to
 * cache coordinates by scaling each axis, which the mask rasteriser mirrors.
 * libvips' reduction averages over the source area, so there is no aliasing.
 *
 * @param gray8 rows × cols uint8
 * @param cacheSize S (default 224)
 * @param thumbSize longest side of the thumbnail (default 128)
 */
export async function derivePixels(
  gray8: Uint8Array,
  rows: number,
  cols: number,
  cacheSize = 224,
  thumbSize = 128,
): Promise<DerivedPixels> {
  if (gray8.length !== rows * cols)
    throw new Error(`pixel buffer has ${gray8.length} values, expected ${rows}×${cols}`);
  const raw = { raw: { width: cols, height: rows, channels: 1 as const } };
  const cache = await sharp(gray8, raw)
    .resize(cacheSize, cacheSize, { fit: 'fill', kernel: 'lanczos3' })
    // libvips may widen a one-band image to sRGB on the way: keep one grey band.
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (cache.data.length !== cacheSize * cacheSize) {
    throw new Error(`cache has ${cache.data.length} bytes, expected ${cacheSize}×${cacheSize}`);
  }
  const scale = thumbSize / Math.max(rows, cols);
  const width = Math.max(1, Math.round(cols * scale));
  const height = Math.max(1, Math.round(rows * scale));
  const png = await sharp(gray8, raw)
    .resize(width, height, { fit: 'fill' })
    .extractChannel(0)
    .png({ compressionLevel: 6 })
    .toBuffer();
  return {
    cache: new Uint8Array(cache.data.buffer, cache.data.byteOffset, cache.data.length),
    thumbnail: { png, width, height },
  };
}
