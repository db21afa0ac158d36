import type { RegionGeometry } from '../../api/annotation-schemas';

export interface MaskSize {
  /** Mask columns. */
  readonly width: number;
  /** Mask rows. */
  readonly height: number;
}

export interface ImageSize {
  readonly columns: number;
  readonly rows: number;
}

/**
 * Turns a region set into a binary mask at any resolution: the one function
 * training (mask resolution), evaluation (hit rate at image size), export and
 * tests use. Regions are applied in order; a stroke with `erase` clears what
 * came before it. A mask pixel is set when its centre, mapped to image
 * coordinates by scaling each axis (as the model-size cache is resized), lies
 * inside the region. At the image's own size that is "pixel centre inside".
 *
 * Cost: rectangles and ellipses O(box area); polygons are filled scanline by
 * scanline, O(box area + rows × edges); brush strokes capsule by capsule, each
 * within its own row spans, O(Σ capsule areas + box area) — not box area ×
 * points. The output is the same, bit for bit, as testing every mask pixel's
 * centre against the region with the per-pixel definitions (`insideTest`,
 * and those stated on `fillPolygon` and `paintStroke`):
 * tests/unit/annotations-rasterize.test.ts keeps that slow form and compares.
 *
 * @param regions in image pixel coordinates
 * @param image the image the regions were drawn on
 * @param size the mask's size (default: the image's)
 * @returns [height × width] of 0/1, row-major
 */
export function rasterizeRegions(
  regions: readonly RegionGeometry[],
  image: ImageSize,
  size: MaskSize = { width: image.columns, height: image.rows },
): Uint8Array {
  if (!(image.columns > 0 && image.rows > 0))
    throw new RangeError(`image size must be positive, got ${image.columns}×${image.rows}`);
  if (!(Number.isInteger(size.width) && Number.isInteger(size.height) && size.width > 0 && size.height > 0)) {
    throw new RangeError(`mask size must be positive integers, got ${size.width}×${size.height}`);
  }
  const mask = new Uint8Array(size.width * size.height);
  const grid: Grid = { width: size.width, sx: image.columns / size.width, sy: image.rows / size.height };
  for (const region of regions) {
    const [x0, y0, x1, y1] = bounds(region);
    // Mask pixels whose centres can fall in the region's bounding box.
    const box: PixelBox = {
      jStart: Math.max(0, Math.floor(x0 / grid.sx - 0.5)),
      jEnd: Math.min(size.width - 1, Math.ceil(x1 / grid.sx - 0.5)),
      iStart: Math.max(0, Math.floor(y0 / grid.sy - 0.5)),
      iEnd: Math.min(size.height - 1, Math.ceil(y1 / grid.sy - 0.5)),
    };
    if (box.jStart > box.jEnd || box.iStart > box.iEnd) continue;
    const value = region.kind === 'stroke' && region.erase ? 0 : 1;
    if (region.kind === 'polygon') fillPolygon(mask, grid, box, region.points, value);
    else if (region.kind === 'stroke') {
      paintStroke(mask, grid, box, region.points, region.radius, value, Math.max(image.columns, image.rows));
    } else {
      const inside = insideTest(region);
      for (let i = box.iStart; i <= box.iEnd; i++) {
        const y = (i + 0.5) * grid.sy;
        for (let j = box.jStart; j <= box.jEnd; j++) {
          if (inside((j + 0.5) * grid.sx, y)) mask[i * grid.width + j] = value;
        }
      }
    }
  }
  return mask;
}

/**
 * One pixel of the mask {@link rasterizeRegions} would make, without making the mask: 1 when the last region
 * (in order) whose per-pixel definition holds at the pixel's centre is not an eraser. The same definitions and
 * the same centre expression as the rasteriser, so the answer equals `rasterizeRegions(…)[row × width + column]`
 * bit for bit (tests/unit/annotations-rasterize-point.test.ts compares them over whole masks). O(regions ×
 * points) instead of O(mask area): what the pointing game needs at the attention peak of a 2048×2500 image.
 *
 * @param column mask column j in [0, width)
 * @param row mask row i in [0, height)
 */
export function rasterizedPixel(
  regions: readonly RegionGeometry[],
  image: ImageSize,
  column: number,
  row: number,
  size: MaskSize = { width: image.columns, height: image.rows },
): 0 | 1 {
  if (!(image.columns > 0 && image.rows > 0))
    throw new RangeError(`image size must be positive, got ${image.columns}×${image.rows}`);
  if (!(Number.isInteger(size.width) && Number.isInteger(size.height) && size.width > 0 && size.height > 0)) {
    throw new RangeError(`mask size must be positive integers, got ${size.width}×${size.height}`);
  }
  if (!(Number.isInteger(column) && Number.isInteger(row) && column >= 0 && row >= 0)) {
    throw new RangeError(`pixel (${column}, ${row}) is not a mask pixel`);
  }
  if (column >= size.width || row >= size.height) {
    throw new RangeError(`pixel (${column}, ${row}) lies outside the ${size.width}×${size.height} mask`);
  }
  // The centre exactly as rasterizeRegions computes it: (j + 0.5)·sx with sx = columns / width.
  const x = (column + 0.5) * (image.columns / size.width);
  const y = (row + 0.5) * (image.rows / size.height);
  let value: 0 | 1 = 0;
  for (const region of regions) {
    if (containsCentre(region, x, y)) value = region.kind === 'stroke' && region.erase ? 0 : 1;
  }
  return value;
}

/** The per-pixel definitions the rasteriser's fast paths reproduce (insideTest, fillPolygon, paintStroke). */
function containsCentre(region: RegionGeometry, x: number, y: number): boolean {
  switch (region.kind) {
    case 'rect':
    case 'ellipse':
      return insideTest(region)(x, y);
    case 'polygon': {
      const points = region.points;
      let inside = false;
      for (let k = 0, l = points.length - 1; k < points.length; l = k++) {
        const [xk, yk] = points[k] as Point;
        const [xl, yl] = points[l] as Point;
        if (yk > y !== yl > y) {
          const xc = ((xl - xk) * (y - yk)) / (yl - yk) + xk;
          if (x < xc) inside = !inside;
        }
      }
      return inside;
    }
    case 'stroke': {
      const r2 = region.radius * region.radius;
      const points = region.points;
      if (points.length === 1) {
        const [ax, ay] = points[0] as Point;
        return (x - ax) ** 2 + (y - ay) ** 2 <= r2;
      }
      for (let k = 1; k < points.length; k++) {
        const [ax, ay] = points[k - 1] as Point;
        const [bx, by] = points[k] as Point;
        if (segmentDistance2(x, y, ax, ay, bx, by) <= r2) return true;
      }
      return false;
    }
  }
}

type Point = readonly [number, number];

/** The mask's width and each axis's scale (image pixels per mask pixel). */
interface Grid {
  readonly width: number;
  readonly sx: number;
  readonly sy: number;
}

/** Inclusive mask pixel ranges, already clipped to the mask. */
interface PixelBox {
  readonly jStart: number;
  readonly jEnd: number;
  readonly iStart: number;
  readonly iEnd: number;
}

function bounds(region: RegionGeometry): [number, number, number, number] {
  switch (region.kind) {
    case 'rect':
      return [region.x, region.y, region.x + region.width, region.y + region.height];
    case 'ellipse': {
      const r = Math.max(region.rx, region.ry);
      return [region.cx - r, region.cy - r, region.cx + r, region.cy + r];
    }
    case 'polygon':
    case 'stroke': {
      const pad = region.kind === 'stroke' ? region.radius : 0;
      let [xMin, yMin, xMax, yMax] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const [x, y] of region.points) {
        xMin = Math.min(xMin, x);
        yMin = Math.min(yMin, y);
        xMax = Math.max(xMax, x);
        yMax = Math.max(yMax, y);
      }
      return [xMin - pad, yMin - pad, xMax + pad, yMax + pad];
    }
  }
}

function insideTest(region: RegionGeometry & { kind: 'rect' | 'ellipse' }): (x: number, y: number) => boolean {
  switch (region.kind) {
    case 'rect':
      return (x, y) => x >= region.x && x < region.x + region.width && y >= region.y && y < region.y + region.height;
    case 'ellipse': {
      const angle = (region.rotation * Math.PI) / 180;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      return (x, y) => {
        const dx = x - region.cx;
        const dy = y - region.cy;
        const u = dx * cos + dy * sin;
        const v = -dx * sin + dy * cos;
        return (u * u) / (region.rx * region.rx) + (v * v) / (region.ry * region.ry) <= 1;
      };
    }
  }
}

/**
 * Even-odd fill with half-open edges, so a pixel on a shared edge belongs to
 * exactly one of two touching polygons. Per pixel centre (x, y) the rule is:
 * inside when the number of edges k–l with `yk > y !== yl > y` and
 * `x < (xl − xk)(y − yk)/(yl − yk) + xk` is odd. Each scanline computes those
 * crossings once (the same expression, so the same rounding), sorts them and
 * walks its pixels left to right.
 */
function fillPolygon(mask: Uint8Array, grid: Grid, box: PixelBox, points: readonly Point[], value: 0 | 1): void {
  const count = points.length;
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  points.forEach(([x, y], k) => {
    xs[k] = x;
    ys[k] = y;
  });
  const crossings = new Float64Array(count);
  for (let i = box.iStart; i <= box.iEnd; i++) {
    const y = (i + 0.5) * grid.sy;
    let n = 0;
    for (let k = 0, l = count - 1; k < count; l = k++) {
      const yk = ys[k] as number;
      const yl = ys[l] as number;
      if (yk > y !== yl > y) {
        const xk = xs[k] as number;
        const xc = (((xs[l] as number) - xk) * (y - yk)) / (yl - yk) + xk;
        // A NaN crossing (only from overflowing coordinates) compares false, so it never counts.
        if (!Number.isNaN(xc)) crossings[n++] = xc;
      }
    }
    if (n === 0) continue;
    const sorted = crossings.subarray(0, n).sort();
    // Pixels whose centre has exactly `a` crossings at or left of it lie in [sorted[a − 1], sorted[a]);
    // the crossings that count are the n − a right of the centre.
    const row = i * grid.width;
    for (let a = n % 2 === 1 ? 0 : 1; a < n; a += 2) {
      const from = a === 0 ? box.jStart : firstCentreAtOrAfter(sorted[a - 1] as number, grid.sx, box);
      const to = firstCentreAtOrAfter(sorted[a] as number, grid.sx, box);
      if (from < to) mask.fill(value, row + from, row + to);
    }
  }
}

/**
 * The first column j in the box (or jEnd + 1) whose centre (j + 0.5)·sx is at
 * or right of x, with the centre computed as everywhere else.
 */
function firstCentreAtOrAfter(x: number, sx: number, box: PixelBox): number {
  let j = Math.ceil(x / sx - 0.5);
  if (!(j >= box.jStart)) j = box.jStart;
  if (j > box.jEnd + 1) j = box.jEnd + 1;
  while (j > box.jStart && (j - 1 + 0.5) * sx >= x) j--;
  while (j <= box.jEnd && (j + 0.5) * sx < x) j++;
  return j;
}

/**
 * A brush stroke: every pixel centre within `radius` of the path (of the one
 * point, for a one-point stroke), written into a scratch mask capsule by
 * capsule and then applied, so an eraser clears exactly the union. Each
 * capsule visits only the pixels of its own row spans (widened by a hair, so
 * rounding can never hide a pixel the distance test would accept) and tests
 * each with the same distance expression as the per-pixel definition.
 *
 * @param scale the image's longer side: with the path's coordinates, it bounds
 *   the rounding error the widening must cover
 */
function paintStroke(
  mask: Uint8Array,
  grid: Grid,
  box: PixelBox,
  points: readonly Point[],
  radius: number,
  value: 0 | 1,
  scale: number,
): void {
  const r2 = radius * radius;
  let magnitude = Math.max(scale, radius);
  for (const [x, y] of points) magnitude = Math.max(magnitude, Math.abs(x), Math.abs(y));
  // Rounding in the distance test is ~1e-15 × magnitude; 1e-9 × magnitude covers it with room to spare.
  const reach = radius + 1e-9 * magnitude;
  const boxWidth = box.jEnd - box.jStart + 1;
  const scratch = new Uint8Array(boxWidth * (box.iEnd - box.iStart + 1));
  const span = new Float64Array(2);
  const single = points.length === 1;
  for (let k = single ? 0 : 1; k < points.length; k++) {
    const [ax, ay] = points[single ? 0 : k - 1] as Point;
    const [bx, by] = points[k] as Point;
    const iFrom = Math.max(box.iStart, Math.ceil((Math.min(ay, by) - reach) / grid.sy - 0.5));
    const iTo = Math.min(box.iEnd, Math.floor((Math.max(ay, by) + reach) / grid.sy - 0.5));
    for (let i = iFrom; i <= iTo; i++) {
      const y = (i + 0.5) * grid.sy;
      if (!capsuleRowSpan(ax, ay, bx, by, reach, y, span)) continue;
      const jFrom = Math.max(box.jStart, Math.ceil((span[0] as number) / grid.sx - 0.5));
      const jTo = Math.min(box.jEnd, Math.floor((span[1] as number) / grid.sx - 0.5));
      const row = (i - box.iStart) * boxWidth - box.jStart;
      for (let j = jFrom; j <= jTo; j++) {
        if (scratch[row + j] === 1) continue;
        const x = (j + 0.5) * grid.sx;
        const d2 = single ? (x - ax) ** 2 + (y - ay) ** 2 : segmentDistance2(x, y, ax, ay, bx, by);
        if (d2 <= r2) scratch[row + j] = 1;
      }
    }
  }
  for (let i = box.iStart; i <= box.iEnd; i++) {
    const from = (i - box.iStart) * boxWidth;
    const to = i * grid.width + box.jStart;
    for (let j = 0; j < boxWidth; j++) if (scratch[from + j] === 1) mask[to + j] = value;
  }
}

/**
 * The x-extent, on the horizontal line at `y`, of the capsule of radius
 * `reach` around the segment a–b: the hull of the two end discs' chords and of
 * the band {0 ≤ s ≤ |ab|, |w| ≤ reach} (s along the segment, w across it).
 * Writes [lo, hi] to `out`; false when the line misses the capsule.
 */
function capsuleRowSpan(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  reach: number,
  y: number,
  out: Float64Array,
): boolean {
  const reach2 = reach * reach;
  let lo = Infinity;
  let hi = -Infinity;
  const da = y - ay;
  if (da * da <= reach2) {
    const half = Math.sqrt(reach2 - da * da);
    lo = ax - half;
    hi = ax + half;
  }
  const db = y - by;
  if (db * db <= reach2) {
    const half = Math.sqrt(reach2 - db * db);
    lo = Math.min(lo, bx - half);
    hi = Math.max(hi, bx + half);
  }
  const length = Math.hypot(bx - ax, by - ay);
  if (length > 0) {
    const ux = (bx - ax) / length;
    const uy = (by - ay) / length;
    let bandLo = -Infinity;
    let bandHi = Infinity;
    // s = (x − ax)·ux + (y − ay)·uy ∈ [0, length]
    const along = (y - ay) * uy;
    if (ux !== 0) {
      const s0 = ax - along / ux;
      const s1 = ax + (length - along) / ux;
      bandLo = Math.max(bandLo, Math.min(s0, s1));
      bandHi = Math.min(bandHi, Math.max(s0, s1));
    } else if (along < 0 || along > length) bandLo = Infinity;
    // w = (y − ay)·ux − (x − ax)·uy ∈ [−reach, reach]
    const across = (y - ay) * ux;
    if (uy !== 0) {
      const w0 = ax + (across - reach) / uy;
      const w1 = ax + (across + reach) / uy;
      bandLo = Math.max(bandLo, Math.min(w0, w1));
      bandHi = Math.min(bandHi, Math.max(w0, w1));
    } else if (Math.abs(across) > reach) bandLo = Infinity;
    if (bandLo <= bandHi) {
      lo = Math.min(lo, bandLo);
      hi = Math.max(hi, bandHi);
    }
  }
  if (!(lo <= hi)) return false;
  out[0] = lo;
  out[1] = hi;
  return true;
}

/** Squared distance from (x, y) to the segment a–b. */
function segmentDistance2(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / length2));
  const px = ax + t * dx - x;
  const py = ay + t * dy - y;
  return px * px + py * py;
}
