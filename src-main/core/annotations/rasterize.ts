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
  const sx = image.columns / size.width;
  const sy = image.rows / size.height;
  for (const region of regions) {
    const inside = insideTest(region);
    const [x0, y0, x1, y1] = bounds(region);
    // Mask pixels whose centres can fall in the region's bounding box.
    const jStart = Math.max(0, Math.floor(x0 / sx - 0.5));
    const jEnd = Math.min(size.width - 1, Math.ceil(x1 / sx - 0.5));
    const iStart = Math.max(0, Math.floor(y0 / sy - 0.5));
    const iEnd = Math.min(size.height - 1, Math.ceil(y1 / sy - 0.5));
    const value = region.kind === 'stroke' && region.erase ? 0 : 1;
    for (let i = iStart; i <= iEnd; i++) {
      const y = (i + 0.5) * sy;
      for (let j = jStart; j <= jEnd; j++) {
        if (inside((j + 0.5) * sx, y)) mask[i * size.width + j] = value;
      }
    }
  }
  return mask;
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
      const xs = region.points.map((p) => p[0]);
      const ys = region.points.map((p) => p[1]);
      return [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad];
    }
  }
}

function insideTest(region: RegionGeometry): (x: number, y: number) => boolean {
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
    case 'polygon': {
      const pts = region.points;
      // Even-odd rule, half-open edges, so a pixel on a shared edge belongs to exactly one of two touching polygons.
      return (x, y) => {
        let inside = false;
        for (let k = 0, l = pts.length - 1; k < pts.length; l = k++) {
          const [xk, yk] = pts[k] as [number, number];
          const [xl, yl] = pts[l] as [number, number];
          if (yk > y !== yl > y && x < ((xl - xk) * (y - yk)) / (yl - yk) + xk) inside = !inside;
        }
        return inside;
      };
    }
    case 'stroke': {
      const pts = region.points;
      const r2 = region.radius * region.radius;
      return (x, y) => {
        if (pts.length === 1) {
          const [px, py] = pts[0] as [number, number];
          return (x - px) ** 2 + (y - py) ** 2 <= r2;
        }
        for (let k = 1; k < pts.length; k++) {
          if (segmentDistance2(x, y, pts[k - 1] as [number, number], pts[k] as [number, number]) <= r2) return true;
        }
        return false;
      };
    }
  }
}

/** Squared distance from (x, y) to the segment a–b. */
function segmentDistance2(x: number, y: number, a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / length2));
  const px = a[0] + t * dx - x;
  const py = a[1] + t * dy - y;
  return px * px + py * py;
}
