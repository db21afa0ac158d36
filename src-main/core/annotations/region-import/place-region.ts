/**
 * Puts a region read from a file onto a stored image: scales it when the file's image size differs from the
 * stored one, rejects it when it is empty or lies entirely outside the image, and clips it to the image
 * otherwise. The result is a stored region geometry in image pixel coordinates.
 */
import { regionGeometrySchema, type RegionGeometry } from '../../../api/annotation-schemas';
import type { ImageSize } from '../rasterize';
import type { RawRegion } from './region-record';

type Point = readonly [number, number];

export type PlacedRegion =
  | {
      readonly ok: true;
      readonly geometry: RegionGeometry;
      /** The region reached past the image and was cut at its edges. */
      readonly clipped: boolean;
    }
  | { readonly ok: false; readonly reason: 'empty' | 'outside' };

/**
 * @param region in the file's pixel coordinates
 * @param fileSize the image size those coordinates refer to; null: the stored image's own
 * @param image the stored image (columns × rows)
 */
export function placeRegion(
  region: RawRegion,
  fileSize: { readonly width: number; readonly height: number } | null,
  image: ImageSize,
): PlacedRegion {
  const sx = fileSize ? image.columns / fileSize.width : 1;
  const sy = fileSize ? image.rows / fileSize.height : 1;
  if (region.kind === 'box') {
    const [x0, y0, x1, y1] = [region.x0 * sx, region.y0 * sy, region.x1 * sx, region.y1 * sy];
    if (!(x1 > x0 && y1 > y0)) return { ok: false, reason: 'empty' };
    const cx0 = Math.max(0, x0);
    const cy0 = Math.max(0, y0);
    const cx1 = Math.min(image.columns, x1);
    const cy1 = Math.min(image.rows, y1);
    if (!(cx1 > cx0 && cy1 > cy0)) return { ok: false, reason: 'outside' };
    const geometry = regionGeometrySchema.parse({ kind: 'rect', x: cx0, y: cy0, width: cx1 - cx0, height: cy1 - cy0 });
    return { ok: true, geometry, clipped: cx0 !== x0 || cy0 !== y0 || cx1 !== x1 || cy1 !== y1 };
  }
  const points: Point[] = region.points.map(([x, y]) => [x * sx, y * sy] as const);
  if (points.length < 3 || polygonArea(points) === 0) return { ok: false, reason: 'empty' };
  const inside = points.every(([x, y]) => x >= 0 && x <= image.columns && y >= 0 && y <= image.rows);
  const kept = inside ? points : clipToImage(points, image);
  if (kept.length < 3 || polygonArea(kept) === 0) return { ok: false, reason: 'outside' };
  return { ok: true, geometry: regionGeometrySchema.parse({ kind: 'polygon', points: kept }), clipped: !inside };
}

/** Absolute shoelace area. */
function polygonArea(points: readonly Point[]): number {
  let twice = 0;
  for (let k = 0, l = points.length - 1; k < points.length; l = k++) {
    const [xk, yk] = points[k] as Point;
    const [xl, yl] = points[l] as Point;
    twice += xl * yk - xk * yl;
  }
  return Math.abs(twice) / 2;
}

/**
 * Sutherland–Hodgman clipping against the image rectangle [0, columns] × [0, rows]. A concave polygon may
 * come back with zero-width bridges along an edge; they cover no pixel centre under the even-odd rule.
 */
function clipToImage(points: readonly Point[], image: ImageSize): Point[] {
  const edges: { inside: (p: Point) => boolean; cut: (a: Point, b: Point) => Point }[] = [
    { inside: ([x]) => x >= 0, cut: (a, b) => atX(a, b, 0) },
    { inside: ([x]) => x <= image.columns, cut: (a, b) => atX(a, b, image.columns) },
    { inside: ([, y]) => y >= 0, cut: (a, b) => atY(a, b, 0) },
    { inside: ([, y]) => y <= image.rows, cut: (a, b) => atY(a, b, image.rows) },
  ];
  let polygon: Point[] = [...points];
  for (const edge of edges) {
    const input = polygon;
    polygon = [];
    for (let k = 0; k < input.length; k++) {
      const current = input[k] as Point;
      const previous = input[(k + input.length - 1) % input.length] as Point;
      if (edge.inside(current)) {
        if (!edge.inside(previous)) polygon.push(edge.cut(previous, current));
        polygon.push(current);
      } else if (edge.inside(previous)) {
        polygon.push(edge.cut(previous, current));
      }
    }
    if (polygon.length === 0) break;
  }
  return polygon;
}

/** Where segment a–b crosses the vertical line x (exactly x, so clipped points lie on the edge). */
function atX(a: Point, b: Point, x: number): Point {
  return [x, a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0])];
}

function atY(a: Point, b: Point, y: number): Point {
  return [a[0] + ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]), y];
}
