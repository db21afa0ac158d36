/**
 * Drawing primitives on a square float canvas in normalised coordinates (u, v in 0..1; pixel (x, y) has its
 * centre at ((x + ½) / size, (y + ½) / size)). Each adds density over its bounding box only.
 */
import type { Ellipse } from './anatomy-model';
import { scratchFloat32 } from './scratch';

export interface Canvas {
  readonly size: number;
  /** size × size, row-major. */
  readonly data: Float32Array;
}

/** A zeroed canvas; its buffer is reused by the next call with the same name (see scratch.ts). */
export function createCanvas(size: number, name = 'canvas'): Canvas {
  return { size, data: scratchFloat32(name, size * size) };
}

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/** Pixel range [first, last] whose centres fall in [a, b] (normalised), clipped to the canvas. */
export function pixelSpan(a: number, b: number, size: number): [number, number] {
  return [Math.max(0, Math.ceil(a * size - 0.5)), Math.min(size - 1, Math.floor(b * size - 0.5))];
}

/**
 * Adds a tube from a to b (a vessel, a bronchus): `amount` × the projected thickness of a cylinder,
 * √(1 − (d / r)²), with rounded ends. Only where `clip` (if given) is non-zero.
 */
export function addCapsule(
  canvas: Canvas,
  a: readonly [number, number],
  b: readonly [number, number],
  radius: number,
  amount: number,
  clip?: Uint8Array,
): void {
  const { size, data } = canvas;
  const [ax, ay] = a;
  const [bx, by] = b;
  const [x0, x1] = pixelSpan(Math.min(ax, bx) - radius, Math.max(ax, bx) + radius, size);
  const [y0, y1] = pixelSpan(Math.min(ay, by) - radius, Math.max(ay, by) + radius, size);
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy || 1e-12;
  const r2 = radius * radius;
  for (let y = y0; y <= y1; y++) {
    const v = (y + 0.5) / size;
    for (let x = x0; x <= x1; x++) {
      const i = y * size + x;
      if (clip && clip[i] === 0) continue;
      const u = (x + 0.5) / size;
      const t = clamp(((u - ax) * dx + (v - ay) * dy) / length2, 0, 1);
      const px = u - ax - t * dx;
      const py = v - ay - t * dy;
      const d2 = px * px + py * py;
      if (d2 < r2) data[i] = (data[i] as number) + amount * Math.sqrt(1 - d2 / r2);
    }
  }
}

/**
 * Adds `amount` × profile(d) inside an ellipse, d the normalised radius (0 centre, 1 border); `profile`
 * defaults to an ellipsoid's projected thickness √(1 − d²).
 */
export function addEllipse(
  canvas: Canvas,
  shape: Ellipse,
  amount: number,
  profile: (d: number, u: number, v: number) => number = (d) => Math.sqrt(1 - d * d),
  clip?: Uint8Array,
): void {
  const { size, data } = canvas;
  const reach = Math.max(shape.rx, shape.ry);
  const [x0, x1] = pixelSpan(shape.cx - reach, shape.cx + reach, size);
  const [y0, y1] = pixelSpan(shape.cy - reach, shape.cy + reach, size);
  const c = Math.cos(shape.angle);
  const s = Math.sin(shape.angle);
  for (let y = y0; y <= y1; y++) {
    const v = (y + 0.5) / size;
    const dv = v - shape.cy;
    for (let x = x0; x <= x1; x++) {
      const i = y * size + x;
      if (clip && clip[i] === 0) continue;
      const u = (x + 0.5) / size;
      const du = u - shape.cx;
      const px = (du * c + dv * s) / shape.rx;
      const py = (-du * s + dv * c) / shape.ry;
      const d2 = px * px + py * py;
      if (d2 < 1) data[i] = (data[i] as number) + amount * profile(Math.sqrt(d2), u, v);
    }
  }
}

export interface CurvedBand {
  readonly midline: number;
  readonly side: -1 | 1;
  /** Range of distances from the midline the band covers. */
  readonly fromE: number;
  readonly toE: number;
  /** The band's centre line v(e). */
  readonly centre: (e: number) => number;
  /** Thickness across the band (normal to it) at e. */
  readonly thickness: (e: number) => number;
  /** Peak density at e (lets a band fade out). */
  readonly density: (e: number) => number;
}

/**
 * Adds a bone band (rib, clavicle) drawn column by column: within the band a tube of bone whose cortex is
 * denser than its marrow (0.55 at the centre line, 1 at the edges), anti-aliased at the edges.
 */
export function addCurvedBand(canvas: Canvas, band: CurvedBand): void {
  const { size, data } = canvas;
  const { midline, side } = band;
  const uA = midline + side * band.fromE;
  const uB = midline + side * band.toE;
  const [x0, x1] = pixelSpan(Math.min(uA, uB), Math.max(uA, uB), size);
  const step = 1 / size;
  for (let x = x0; x <= x1; x++) {
    const u = (x + 0.5) / size;
    const e = side * (u - midline);
    const vc = band.centre(e);
    const slope = (band.centre(e + step) - band.centre(e - step)) / (2 * step);
    const half = (band.thickness(e) / 2) * Math.sqrt(1 + slope * slope);
    const peak = band.density(e);
    if (peak <= 0 || half <= 0) continue;
    const halfPx = half * size;
    const [y0, y1] = pixelSpan(vc - half - step, vc + half + step, size);
    for (let y = y0; y <= y1; y++) {
      const w = Math.abs((y + 0.5) / size - vc) / half;
      const cover = clamp((1 - w) * halfPx + 0.5, 0, 1);
      if (cover <= 0) continue;
      const ww = Math.min(1, w);
      const i = y * size + x;
      data[i] = (data[i] as number) + peak * cover * (0.55 + 0.45 * ww * ww);
    }
  }
}
