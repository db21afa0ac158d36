/** An SVG document rasterised to PNG with sharp (librsvg), for the report's PNG copies of its figures. */
import sharp from 'sharp';

/** SVG user units are CSS pixels at 72 dpi for librsvg; 144 dpi draws them at twice their size. */
const doubleDensity = 144;

/** The SVG at 2× its width and height, on white (figures are read on paper and slides). */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: doubleDensity })
    .flatten({ background: '#ffffff' })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
