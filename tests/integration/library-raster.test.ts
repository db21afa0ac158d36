import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRasterImage, detectRasterFormat, RasterImageError } from '../../src-main/core/library/raster-image';
import { tempDir } from '../helpers/paths';

const WIDTH = 13;
const HEIGHT = 7;

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir('aligner-raster-');
});
afterAll(() => dir.remove());

/** Writes bytes to a file in the temp folder and reads them back, as the importer does. */
function roundTripFile(name: string, bytes: Uint8Array): Uint8Array {
  const path = join(dir.path, name);
  writeFileSync(path, bytes);
  return readFileSync(path);
}

/** Grey values covering the extremes and every byte of both halves of a 16-bit word. */
function grey16Values(): Uint16Array {
  const values = new Uint16Array(WIDTH * HEIGHT);
  for (let i = 0; i < values.length; i++) values[i] = (i * 4099 + 17) % 65536;
  values.set([0, 65535, 1, 256, 255, 32768], 0);
  return values;
}

function grey8Values(): Uint8Array {
  const values = new Uint8Array(WIDTH * HEIGHT);
  for (let i = 0; i < values.length; i++) values[i] = (i * 37 + 5) % 256;
  values.set([0, 255], 0);
  return values;
}

const raw = (channels: 1 | 2 | 3 | 4) => ({ raw: { width: WIDTH, height: HEIGHT, channels } });

describe('decodeRasterImage', () => {
  it('keeps a 16-bit grey PNG at 16 bits, every value exact', async () => {
    const values = grey16Values();
    const png = await sharp(values, raw(1)).toColourspace('grey16').png().toBuffer();
    const image = await decodeRasterImage(roundTripFile('grey16.png', png));
    expect(image).toMatchObject({ format: 'png', rows: HEIGHT, columns: WIDTH, bitDepth: 16 });
    expect(image.pixels.constructor).toBe(Uint16Array);
    expect(Array.from(image.pixels)).toEqual(Array.from(values));
  });

  it('drops the alpha of a 16-bit grey + alpha PNG and keeps the grey values', async () => {
    const values = grey16Values();
    const withAlpha = new Uint16Array(values.length * 2);
    values.forEach((v, i) => withAlpha.set([v, 65535 - (i % 3)], i * 2));
    const png = await sharp(withAlpha, raw(2)).toColourspace('grey16').png().toBuffer();
    const image = await decodeRasterImage(png);
    expect(image.bitDepth).toBe(16);
    expect(Array.from(image.pixels)).toEqual(Array.from(values));
  });

  it('reads an 8-bit grey PNG exactly', async () => {
    const values = grey8Values();
    const png = await sharp(values, raw(1)).toColourspace('b-w').png().toBuffer();
    expect((await sharp(png).metadata()).channels).toBe(1);
    const image = await decodeRasterImage(roundTripFile('grey8.png', png));
    expect(image).toMatchObject({ format: 'png', rows: HEIGHT, columns: WIDTH, bitDepth: 8 });
    expect(image.pixels.constructor).toBe(Uint8Array);
    expect(Array.from(image.pixels)).toEqual(Array.from(values));
  });

  it('converts RGB, RGBA and palette PNGs to one grey channel', async () => {
    const grey = grey8Values();
    const rgb = new Uint8Array(grey.length * 3);
    grey.forEach((v, i) => rgb.set([v, v, v], i * 3));
    const rgba = new Uint8Array(grey.length * 4);
    grey.forEach((v, i) => rgba.set([v, v, v, 128], i * 4));
    const files = {
      rgb: await sharp(rgb, raw(3)).png().toBuffer(),
      rgba: await sharp(rgba, raw(4)).png().toBuffer(),
      palette: await sharp(rgb, raw(3)).png({ palette: true, colours: 256, dither: 0 }).toBuffer(),
    };
    for (const [kind, png] of Object.entries(files)) {
      const image = await decodeRasterImage(png, { name: kind });
      expect(image, kind).toMatchObject({ format: 'png', rows: HEIGHT, columns: WIDTH, bitDepth: 8 });
      expect(image.pixels.length, kind).toBe(WIDTH * HEIGHT);
      // Grey stored as colour comes back as the same grey (palette quantisation may move a value by a step).
      const worst = Math.max(...Array.from(image.pixels, (v, i) => Math.abs(v - (grey[i] ?? 0))));
      expect(worst, kind).toBeLessThanOrEqual(kind === 'palette' ? 2 : 0);
    }
  });

  it("makes colour into luminance between the channel's extremes", async () => {
    const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
    for (let i = 0; i < WIDTH * HEIGHT; i++) rgb.set([200, 100, 50], i * 3);
    const image = await decodeRasterImage(await sharp(rgb, raw(3)).png().toBuffer());
    expect(image.bitDepth).toBe(8);
    expect(image.pixels[0]).toBeGreaterThan(50);
    expect(image.pixels[0]).toBeLessThan(200);
    expect(new Set(image.pixels).size).toBe(1);
  });

  it('converts a 16-bit RGB PNG to 16-bit grey', async () => {
    const values = grey16Values();
    const rgb16 = new Uint16Array(values.length * 3);
    values.forEach((v, i) => rgb16.set([v, v, v], i * 3));
    const png = await sharp(rgb16, raw(3)).toColourspace('rgb16').png().toBuffer();
    const image = await decodeRasterImage(png);
    expect(image.bitDepth).toBe(16);
    const worst = Math.max(...Array.from(image.pixels, (v, i) => Math.abs(v - (values[i] ?? 0))));
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('reads grey and colour JPEGs as 8-bit grey', async () => {
    const flat = new Uint8Array(WIDTH * HEIGHT).fill(77);
    const greyJpeg = await sharp(flat, raw(1)).toColourspace('b-w').jpeg({ quality: 95 }).toBuffer();
    const image = await decodeRasterImage(roundTripFile('grey.jpg', greyJpeg));
    expect(image).toMatchObject({ format: 'jpeg', rows: HEIGHT, columns: WIDTH, bitDepth: 8 });
    expect(Array.from(image.pixels).every((v) => Math.abs(v - 77) <= 1)).toBe(true);

    const rgb = new Uint8Array(WIDTH * HEIGHT * 3).fill(120);
    const colourJpeg = await sharp(rgb, raw(3)).jpeg().toBuffer();
    const colour = await decodeRasterImage(colourJpeg);
    expect(colour).toMatchObject({ format: 'jpeg', bitDepth: 8 });
    expect(colour.pixels.length).toBe(WIDTH * HEIGHT);
  });

  it("applies a JPEG's EXIF orientation", async () => {
    const jpeg = await sharp(grey8Values(), raw(1)).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const image = await decodeRasterImage(jpeg);
    expect([image.rows, image.columns]).toEqual([WIDTH, HEIGHT]);
  });

  it('detects the format by magic bytes, not by the file name', async () => {
    const png = await sharp(grey8Values(), raw(1)).png().toBuffer();
    const misnamed = roundTripFile('actually-a-png.jpg', png);
    expect(detectRasterFormat(misnamed)).toBe('png');
    expect((await decodeRasterImage(misnamed)).format).toBe('png');
  });

  it('refuses a truncated PNG or JPEG with a one-line error naming the file', async () => {
    const big = new Uint8Array(200 * 200);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    const size = { raw: { width: 200, height: 200, channels: 1 as const } };
    const png = await sharp(big, size).png({ compressionLevel: 0 }).toBuffer();
    const jpeg = await sharp(big, size).jpeg().toBuffer();
    const cases: [string, Uint8Array, RegExp][] = [
      ['cut.png', png.subarray(0, png.length >> 1), /^cut\.png: corrupt or truncated PNG image \(.+\)$/],
      ['header.png', png.subarray(0, 30), /^header\.png: corrupt or truncated PNG image \(.+\)$/],
      ['cut.jpg', jpeg.subarray(0, jpeg.length >> 1), /^cut\.jpg: corrupt or truncated JPEG image \(.+\)$/],
    ];
    for (const [name, bytes, message] of cases) {
      const attempt = decodeRasterImage(roundTripFile(name, bytes), { name });
      await expect(attempt).rejects.toThrow(message);
      await expect(decodeRasterImage(bytes, { name })).rejects.toThrow(
        expect.objectContaining({ code: 'corrupt', file: name }),
      );
      await expect(decodeRasterImage(bytes, { name })).rejects.toSatisfy(
        (err: Error) => err instanceof RasterImageError && !err.message.includes('\n'),
      );
    }
  });

  it('refuses files that are not PNG or JPEG, saying what they look like', async () => {
    const text = roundTripFile('notes.png', new TextEncoder().encode('Image Index,Finding Labels\n'));
    await expect(decodeRasterImage(text, { name: 'notes.png' })).rejects.toThrow(
      'notes.png is not a PNG or JPEG image (it looks like text)',
    );
    const dicom = new Uint8Array(200);
    dicom.set(new TextEncoder().encode('DICM'), 128);
    await expect(decodeRasterImage(dicom, { name: 'x.dcm' })).rejects.toThrow(
      'x.dcm is not a PNG or JPEG image (it is a DICOM file; import it as DICOM)',
    );
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x80]);
    await expect(decodeRasterImage(gif)).rejects.toThrow(
      expect.objectContaining({ code: 'unsupported', message: expect.stringMatching(/47 49 46 38 39 61 01 00/) }),
    );
    await expect(decodeRasterImage(new Uint8Array(0), { name: 'zero.png' })).rejects.toThrow(
      'zero.png is empty (0 bytes)',
    );
  });
});
