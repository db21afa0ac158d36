/**
 * What the viewer receives to draw an image at full resolution. Renderer-safe: zod only.
 *
 * The pixels travel as one little-endian Uint16 per pixel, row-major, top row
 * first (`columns × rows` values): `v`. The modality value of a pixel is
 * `v × scale + bias` (the file's rescale slope/intercept folded with an offset
 * that makes every stored value non-negative; data wider than 16 bits are
 * quantised to 65 536 levels, and `quantised` says so). The viewer builds a
 * lookup table over [0, maxValue] for the current window, so a window/level
 * change is one table lookup per pixel.
 */
import { z } from 'zod';

export const voiWindowSchema = z.object({ center: z.number().finite(), width: z.number().finite().min(1) }).strict();
export type VoiWindowValue = z.infer<typeof voiWindowSchema>;

export const imagePixelsMetaSchema = z
  .object({
    imageId: z.number().int(),
    columns: z.number().int().positive(),
    rows: z.number().int().positive(),
    scale: z.number().finite(),
    bias: z.number().finite(),
    maxValue: z.number().int().min(0).max(65_535),
    /** Lowest and highest modality value in the image. */
    modalityMin: z.number().finite(),
    modalityMax: z.number().finite(),
    /** The file's default window (its first VOI window, else the full range). */
    defaultWindow: voiWindowSchema,
    /** MONOCHROME1: low values are white, so the default view is inverted. */
    invert: z.boolean(),
    quantised: z.boolean(),
  })
  .strict();
export type ImagePixelsMeta = z.infer<typeof imagePixelsMetaSchema>;
