import type { RegionGeometry } from '@contract/annotation-schemas';

/** Pure helpers on region geometry (image pixel coordinates) for the canvas tools. */
export type Point = readonly [number, number];

export interface Bounds {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Coordinates kept to 1/100 pixel: exact enough for any mask, compact in JSON. */
export function roundCoord(value: number): number {
  return Math.round(value * 100) / 100;
}

export function clampToImage(p: Point, columns: number, rows: number): [number, number] {
  return [roundCoord(Math.min(columns, Math.max(0, p[0]))), roundCoord(Math.min(rows, Math.max(0, p[1])))];
}

/** The box of the points a reader placed (vertices, corners, centre): what must stay on the image. */
export function definingBounds(g: RegionGeometry): Bounds {
  switch (g.kind) {
    case 'rect':
      return { x0: g.x, y0: g.y, x1: g.x + g.width, y1: g.y + g.height };
    case 'ellipse':
      return { x0: g.cx, y0: g.cy, x1: g.cx, y1: g.cy };
    case 'polygon':
    case 'stroke': {
      const xs = g.points.map((p) => p[0]);
      const ys = g.points.map((p) => p[1]);
      return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
    }
  }
}

/** A move by (dx, dy), limited so the region's defining points stay on the image. */
export function clampTranslation(
  g: RegionGeometry,
  dx: number,
  dy: number,
  columns: number,
  rows: number,
): [number, number] {
  const b = definingBounds(g);
  return [Math.min(columns - b.x1, Math.max(-b.x0, dx)), Math.min(rows - b.y1, Math.max(-b.y0, dy))];
}

export function translateGeometry(g: RegionGeometry, dx: number, dy: number): RegionGeometry {
  const move = (p: readonly [number, number]): [number, number] => [roundCoord(p[0] + dx), roundCoord(p[1] + dy)];
  switch (g.kind) {
    case 'rect':
      return { ...g, x: roundCoord(g.x + dx), y: roundCoord(g.y + dy) };
    case 'ellipse':
      return { ...g, cx: roundCoord(g.cx + dx), cy: roundCoord(g.cy + dy) };
    case 'polygon':
      return { ...g, points: g.points.map(move) };
    case 'stroke':
      return { ...g, points: g.points.map(move) };
  }
}

/** The rectangle spanned by two corners, or null when it has no area. */
export function rectFromCorners(a: Point, b: Point): RegionGeometry | null {
  const width = roundCoord(Math.abs(b[0] - a[0]));
  const height = roundCoord(Math.abs(b[1] - a[1]));
  if (width <= 0 || height <= 0) return null;
  return { kind: 'rect', x: roundCoord(Math.min(a[0], b[0])), y: roundCoord(Math.min(a[1], b[1])), width, height };
}

/** The axis-aligned ellipse inscribed in the box of two corners (a circle with `circle`), or null. */
export function ellipseFromCorners(a: Point, b: Point, circle: boolean): RegionGeometry | null {
  let rx = Math.abs(b[0] - a[0]) / 2;
  let ry = Math.abs(b[1] - a[1]) / 2;
  if (circle) rx = ry = Math.min(rx, ry);
  if (rx < 0.5 || ry < 0.5) return null;
  const cx = a[0] + Math.sign(b[0] - a[0]) * rx;
  const cy = a[1] + Math.sign(b[1] - a[1]) * ry;
  return {
    kind: 'ellipse',
    cx: roundCoord(cx),
    cy: roundCoord(cy),
    rx: roundCoord(rx),
    ry: roundCoord(ry),
    rotation: 0,
  };
}
