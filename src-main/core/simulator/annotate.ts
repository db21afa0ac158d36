/**
 * Simulated radiologists' annotations: a polygon drawn around a finding's region as a person would, a little
 * larger than the region and irregular, with each reader's own habits (how generous the margin, how many
 * vertices, how shaky the hand, a slight offset). Polygons are in image pixel coordinates.
 */
import { Rng } from './prng';
import type { Region } from './region';

export interface ReaderStyle {
  readonly name: string;
  /** Relative enlargement of the region's radius. */
  readonly margin: number;
  /** Extra pixels (at 512 px) added to the radius. */
  readonly padding: number;
  /** Relative per-vertex radius jitter (sd). */
  readonly jitter: number;
  /** Relative low-frequency wobble of the outline. */
  readonly wobble: number;
  readonly vertices: readonly [number, number];
  /** Offset of the whole polygon, as a fraction of the region's radius (sd). */
  readonly offset: number;
}

/** The cohort's readers: `count` styles drawn from the seed, so the same reader draws alike in every image. */
export function readerStyles(seed: string, count: number): ReaderStyle[] {
  return Array.from({ length: count }, (_, k) => {
    const rng = new Rng(seed, 'reader', k);
    const low = rng.int(8, 12);
    return {
      name: `reader-${k + 1}`,
      margin: rng.uniform(0.08, 0.3),
      padding: rng.uniform(1.5, 4),
      jitter: rng.uniform(0.03, 0.07),
      wobble: rng.uniform(0.02, 0.08),
      vertices: [low, low + rng.int(3, 8)],
      offset: rng.uniform(0.02, 0.08),
    };
  });
}

export type Polygon = [number, number][];

const rays = 72;

/**
 * The region's outline seen from its centroid: per angular sector, the farthest pixel corner. An envelope of
 * the region even where it is not star-shaped.
 */
function radialExtent(region: Region): { cx: number; cy: number; radius: Float64Array } | null {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < region.height; y++)
    for (let x = 0; x < region.width; x++)
      if (region.mask[y * region.width + x] === 1) {
        sx += region.x0 + x + 0.5;
        sy += region.y0 + y + 0.5;
        n++;
      }
  if (n === 0) return null;
  const cx = sx / n;
  const cy = sy / n;
  const radius = new Float64Array(rays);
  for (let y = 0; y < region.height; y++)
    for (let x = 0; x < region.width; x++) {
      if (region.mask[y * region.width + x] !== 1 || isInterior(region, x, y)) continue;
      // Out to the pixel's far corner, so even a one-pixel region has an extent.
      const dx = region.x0 + x + 0.5 - cx;
      const dy = region.y0 + y + 0.5 - cy;
      const k = Math.floor(((Math.atan2(dy, dx) + Math.PI) / (2 * Math.PI)) * rays) % rays;
      radius[k] = Math.max(radius[k] as number, Math.sqrt(dx * dx + dy * dy) + Math.SQRT1_2);
    }
  // Sectors no pixel fell into take the larger of their neighbours' extents.
  const filled = Float64Array.from(radius);
  for (let k = 0; k < rays; k++) {
    if ((radius[k] as number) > 0) continue;
    let left = 1;
    while (left < rays && (radius[(k - left + rays) % rays] as number) === 0) left++;
    let right = 1;
    while (right < rays && (radius[(k + right) % rays] as number) === 0) right++;
    filled[k] = Math.max(radius[(k - left + rays) % rays] as number, radius[(k + right) % rays] as number);
  }
  return { cx, cy, radius: filled };
}

/** Whether all four neighbours of a region pixel are in the region too (then it is not on the outline). */
function isInterior(region: Region, x: number, y: number): boolean {
  const { width, height, mask } = region;
  return (
    x > 0 &&
    y > 0 &&
    x < width - 1 &&
    y < height - 1 &&
    mask[y * width + x - 1] === 1 &&
    mask[y * width + x + 1] === 1 &&
    mask[(y - 1) * width + x] === 1 &&
    mask[(y + 1) * width + x] === 1
  );
}

/**
 * A reader's polygon around `region` in a width × height image, vertices rounded to 0.1 px and kept inside
 * the image. @returns null for an empty region
 */
export function drawPolygon(
  region: Region,
  width: number,
  height: number,
  style: ReaderStyle,
  rng: Rng,
): Polygon | null {
  const extent = radialExtent(region);
  if (!extent) return null;
  const scale = Math.max(width, height) / 512;
  const mean = extent.radius.reduce((a, b) => a + b, 0) / rays;
  const sector = (angle: number): number => {
    const k = Math.floor(((angle + Math.PI) / (2 * Math.PI)) * rays);
    const at = (j: number): number => extent.radius[((j % rays) + rays) % rays] as number;
    // The widest of three neighbouring sectors, so a vertex between two sectors does not cut into the region.
    return Math.max(at(k - 1), at(k), at(k + 1));
  };
  const count = rng.int(style.vertices[0], style.vertices[1]);
  const start = rng.uniform(-Math.PI, Math.PI);
  const phase = rng.uniform(0, 2 * Math.PI);
  const dx = rng.normal(0, style.offset * mean);
  const dy = rng.normal(0, style.offset * mean);
  const polygon: Polygon = [];
  for (let j = 0; j < count; j++) {
    let angle = start + ((j + rng.uniform(-0.3, 0.3)) * 2 * Math.PI) / count;
    angle = Math.atan2(Math.sin(angle), Math.cos(angle));
    const factor = 1 + style.margin + style.wobble * Math.sin(2 * angle + phase) + rng.normal(0, style.jitter);
    const r = sector(angle) * Math.max(1.02, factor) + style.padding * scale;
    const x = Math.min(width, Math.max(0, extent.cx + dx + r * Math.cos(angle)));
    const y = Math.min(height, Math.max(0, extent.cy + dy + r * Math.sin(angle)));
    polygon.push([Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
  }
  return polygon;
}

/** Whether the pixel centre (x + ½, y + ½) lies inside the polygon (even-odd rule). */
export function polygonContains(polygon: Polygon, px: number, py: number): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i] as [number, number];
    const [xj, yj] = polygon[j] as [number, number];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The polygon as a width × height mask (pixel centres inside). */
export function rasterizePolygon(polygon: Polygon, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const ys = polygon.map((p) => p[1]);
  const xs = polygon.map((p) => p[0]);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs)));
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) if (polygonContains(polygon, x + 0.5, y + 0.5)) mask[y * width + x] = 1;
  return mask;
}
