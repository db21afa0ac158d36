/**
 * The outer boundaries of a binary mask as polygons along pixel edges: the inverse of the rasteriser for
 * hole-free shapes. Pixel (col, row) covers [col, col + 1] × [row, row + 1]; the rasteriser fills a pixel when
 * its centre is inside a polygon, so rasterising a traced contour gives back exactly the pixels of its
 * component with any holes filled (a centre is never on a pixel edge).
 *
 * Used where a format only knows filled polygons (CheXlocalize JSON) and the regions were painted (brush,
 * eraser). Holes are left out: such formats cannot carry them.
 */

export type Contour = [number, number][];

/**
 * @param mask [rows × columns] row-major, non-zero = inside
 * @returns one polygon per outer boundary, vertices only where the boundary turns, clockwise on screen
 *          (y down), in image pixel coordinates
 */
export function traceOuterContours(mask: ArrayLike<number>, columns: number, rows: number): Contour[] {
  const inside = (c: number, r: number): boolean =>
    c >= 0 && r >= 0 && c < columns && r < rows && mask[r * columns + c] !== 0;
  const w = columns + 1;
  // Directed boundary edges, the inside on their right (clockwise round each pixel on screen), keyed by start
  // vertex; a vertex starts at most two edges (two pixels touching only at a corner).
  const next = new Map<number, number[]>();
  const add = (fromC: number, fromR: number, toC: number, toR: number): void => {
    const from = fromR * w + fromC;
    const list = next.get(from);
    if (list) list.push(toR * w + toC);
    else next.set(from, [toR * w + toC]);
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      if (!inside(c, r)) continue;
      if (!inside(c, r - 1)) add(c, r, c + 1, r);
      if (!inside(c + 1, r)) add(c + 1, r, c + 1, r + 1);
      if (!inside(c, r + 1)) add(c + 1, r + 1, c, r + 1);
      if (!inside(c - 1, r)) add(c, r + 1, c, r);
    }
  }
  const contours: Contour[] = [];
  for (const start of [...next.keys()]) {
    while ((next.get(start)?.length ?? 0) > 0) {
      const loop = followLoop(next, start, w);
      if (signedArea(loop) > 0) contours.push(withoutStraightVertices(loop));
    }
  }
  return contours;
}

/** Walks unused edges from `start` back to it; at a corner-touching vertex it turns right (keeps pixels apart). */
function followLoop(next: Map<number, number[]>, start: number, w: number): Contour {
  const points: Contour = [];
  let at = start;
  let dx = 0;
  let dy = 0;
  do {
    const x = at % w;
    const y = (at - x) / w;
    points.push([x, y]);
    const options = next.get(at) ?? [];
    let pick = 0;
    if (options.length > 1) {
      // Right turn on screen (y down) of direction (dx, dy) is (−dy, dx).
      const right = options.findIndex((to) => {
        const tx = to % w;
        return tx - x === -dy && (to - tx) / w - y === dx;
      });
      pick = right >= 0 ? right : 0;
    }
    const to = options.splice(pick, 1)[0] as number;
    if (options.length === 0) next.delete(at);
    const tx = to % w;
    dx = tx - x;
    dy = (to - tx) / w - y;
    at = to;
  } while (at !== start);
  return points;
}

/** Shoelace formula; positive for clockwise loops on screen (y down), i.e. outer boundaries here. */
function signedArea(points: Contour): number {
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const [x0, y0] = points[i] as [number, number];
    const [x1, y1] = points[(i + 1) % points.length] as [number, number];
    sum += x0 * y1 - x1 * y0;
  }
  return sum / 2;
}

function withoutStraightVertices(points: Contour): Contour {
  return points.filter((p, i) => {
    const a = points[(i + points.length - 1) % points.length] as [number, number];
    const b = points[(i + 1) % points.length] as [number, number];
    return (p[0] - a[0]) * (b[1] - p[1]) - (p[1] - a[1]) * (b[0] - p[0]) !== 0;
  });
}
