/**
 * Geometry of an attention region, in image pixel coordinates (x right, y
 * down, the image's top-left pixel covers [0,1)×[0,1)). Zoom and pan never
 * touch it. Renderer-safe: zod only.
 */
import { z } from 'zod';

const coordinate = z.number().finite();
const point = z.tuple([coordinate, coordinate]);
const length = z.number().finite().positive();

export const regionGeometrySchema = z.discriminatedUnion('kind', [
  /** A closed polygon (freehand lasso or clicked vertices), even-odd filled. */
  z.object({ kind: z.literal('polygon'), points: z.array(point).min(3) }).strict(),
  /** An axis-aligned rectangle. */
  z.object({ kind: z.literal('rect'), x: coordinate, y: coordinate, width: length, height: length }).strict(),
  /** An ellipse with centre, radii and a rotation in degrees (clockwise on screen). */
  z
    .object({
      kind: z.literal('ellipse'),
      cx: coordinate,
      cy: coordinate,
      rx: length,
      ry: length,
      rotation: z.number().finite().default(0),
    })
    .strict(),
  /**
   * A brush stroke: every point within `radius` of the path (a chain of
   * capsules). `erase: true` removes those pixels from the regions drawn
   * before it (the eraser).
   */
  z
    .object({
      kind: z.literal('stroke'),
      points: z.array(point).min(1),
      radius: length,
      erase: z.boolean().default(false),
    })
    .strict(),
]);
export type RegionGeometry = z.output<typeof regionGeometrySchema>;
