import sharp from 'sharp';

/**
 * Encodes 8-bit grey pixels as a one-channel (greyscale) PNG with sharp; without the explicit
 * colourspace, libvips would take raw single-band input as sRGB and write three channels.
 *
 * @param image.pixels [rows × columns]
 */
export async function encodePng(image: {
  readonly rows: number;
  readonly columns: number;
  readonly pixels: Uint8Array;
}): Promise<Buffer> {
  if (image.pixels.length !== image.rows * image.columns)
    throw new RangeError(`grey image has ${image.pixels.length} pixels, expected ${image.rows}×${image.columns}`);
  return sharp(image.pixels, { raw: { width: image.columns, height: image.rows, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}
