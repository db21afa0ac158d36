/**
 * Renders a {@link ChestAnatomy} into a density canvas (before acquisition): body and neck, the two lung
 * fields with the heart and aortic knob displacing their air, domes with the denser abdomen below them, the
 * trachea and main bronchi, the spine, breast shadows, then bones and vessels.
 */
import {
  bodyHalfWidth,
  cardiacOccupancyMap,
  lungDomeV,
  lungHeightFraction,
  lungLateralE,
  lungMedialE,
  type ChestAnatomy,
  type LungShape,
} from './anatomy-model';
import { addBones } from './bones';
import type { Rng } from './prng';
import { addCapsule, addEllipse, clamp, createCanvas, pixelSpan, type Canvas } from './raster';
import { scratchFloat32, scratchUint8 } from './scratch';
import { addVessels } from './vessels';

export interface RenderedAnatomy {
  readonly canvas: Canvas;
  /** Per pixel: 1 inside the image-left lung's outline, 2 inside the image-right one, else 0. */
  readonly lungMask: Uint8Array;
  /** Per column: the height (v) of the diaphragm. */
  readonly diaphragmV: Float32Array;
  /** Per pixel: the density the lung's air removed (what fluid filling the lung there gives back). */
  readonly air: Float32Array;
}

/** (1 − z²)^0.3 for z in [0, 1]: the body's projected thickness, flattened (the chest is not a cylinder). */
const bodyProfile = Float32Array.from({ length: 1025 }, (_, i) => Math.pow(1 - (i / 1024) ** 2, 0.3));

export function renderAnatomy(anatomy: ChestAnatomy, size: number, rng: Rng): RenderedAnatomy {
  const canvas = createCanvas(size);
  const lungMask = scratchUint8('lung-mask', size * size);
  const air = scratchFloat32('air', size * size);
  const domes = anatomy.lungs.map((lung) => domeColumns(lung, anatomy.midline, size));
  const diaphragmV = diaphragmColumns(anatomy, size);
  drawBodyAndLungs(anatomy, canvas, lungMask, air, domes);
  drawAbdomen(anatomy, canvas, diaphragmV);
  drawAirways(anatomy, canvas);
  drawSpine(anatomy, canvas);
  drawBreasts(anatomy, canvas);
  addBones(anatomy, canvas);
  addVessels(anatomy, canvas, lungMask, rng);
  return { canvas, lungMask, diaphragmV, air };
}

/** The dome's height per column inside the lung's medial..lateral range; -Infinity elsewhere. */
function domeColumns(lung: LungShape, midline: number, size: number): Float32Array {
  const out = new Float32Array(size).fill(-Infinity);
  for (let x = 0; x < size; x++) {
    const e = lung.side * ((x + 0.5) / size - midline);
    if (e >= lung.medialE && e <= lung.lateralE) out[x] = lungDomeV(lung, e);
  }
  return out;
}

/** The diaphragm per column: the domes, joined between the lungs, falling beyond the costophrenic angles. */
function diaphragmColumns(anatomy: ChestAnatomy, size: number): Float32Array {
  const [right, left] = anatomy.lungs;
  const out = new Float32Array(size);
  for (let x = 0; x < size; x++) {
    const u = (x + 0.5) / size;
    const d = u - anatomy.midline;
    const lung = d < 0 ? right : left;
    const e = Math.abs(d);
    if (e < lung.medialE) {
      const t = (d + right.medialE) / (right.medialE + left.medialE);
      out[x] = right.cardiophrenicV + (left.cardiophrenicV - right.cardiophrenicV) * clamp(t, 0, 1);
    } else if (e <= lung.lateralE) out[x] = lungDomeV(lung, e);
    else out[x] = lung.costophrenicV + (e - lung.lateralE) * 1.5;
  }
  return out;
}

function drawBodyAndLungs(
  anatomy: ChestAnatomy,
  canvas: Canvas,
  lungMask: Uint8Array,
  air: Float32Array,
  domes: readonly Float32Array[],
): void {
  const { size, data } = canvas;
  const mid = anatomy.midline;
  const occupancy = cardiacOccupancyMap(anatomy, size);
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    const half = bodyHalfWidth(anatomy, v);
    const [x0, x1] = pixelSpan(mid - half, mid + half, size);
    const row = y * size;
    for (let x = x0; x <= x1; x++) {
      const z = Math.min(1, Math.abs((x + 0.5) / size - mid) / half);
      data[row + x] = anatomy.softTissue * (bodyProfile[(z * 1024) | 0] as number);
    }
    anatomy.lungs.forEach((lung, index) => {
      if (v < lung.apexV || v > lung.costophrenicV) return;
      const lateral = lungLateralE(lung, v);
      const medial = lungMedialE(lung, v);
      if (lateral <= medial) return;
      const dome = domes[index] as Float32Array;
      const verticalAir = lung.air * (0.8 + 0.2 * clamp(lungHeightFraction(lung, v), 0, 1));
      const [xa, xb] = pixelSpan(
        Math.min(mid + lung.side * medial, mid + lung.side * lateral),
        Math.max(mid + lung.side * medial, mid + lung.side * lateral),
        size,
      );
      for (let x = xa; x <= xb; x++) {
        const baseV = dome[x] as number;
        if (v > baseV) continue;
        const e = lung.side * ((x + 0.5) / size - mid);
        const depth = Math.sqrt(
          Math.min(1, (lateral - e) / 0.03) *
            Math.min(1, (e - medial) / 0.015) *
            Math.min(1, (baseV - v) / 0.012) *
            Math.min(1, (v - lung.apexV) / 0.03),
        );
        const i = row + x;
        const raw = occupancy[i] as number;
        const removed = verticalAir * depth * (raw > 0 ? 1 - 0.9 * Math.sqrt(raw) : 1);
        data[i] = (data[i] as number) - removed;
        air[i] = removed;
        lungMask[i] = index + 1;
      }
    });
  }
}

/** Liver and spleen below the domes (denser than the chest wall), and the stomach's air bubble. */
function drawAbdomen(anatomy: ChestAnatomy, canvas: Canvas, diaphragmV: Float32Array): void {
  const { size, data } = canvas;
  const halfWidths = Float32Array.from({ length: size }, (_, y) => bodyHalfWidth(anatomy, (y + 0.5) / size));
  for (let x = 0; x < size; x++) {
    const dv = diaphragmV[x] as number;
    const u = (x + 0.5) / size;
    // Liver and spleen lie under the domes, not beyond the costophrenic angles.
    const lung = u < anatomy.midline ? anatomy.lungs[0] : anatomy.lungs[1];
    const lateral = clamp(1 - (Math.abs(u - anatomy.midline) - lung.lateralE) / 0.04, 0, 1);
    if (lateral === 0) continue;
    for (let y = Math.max(0, Math.floor(dv * size)); y < size; y++) {
      const v = (y + 0.5) / size;
      if (Math.abs(u - anatomy.midline) > (halfWidths[y] as number)) continue;
      const i = y * size + x;
      data[i] = (data[i] as number) + anatomy.abdomen * clamp((v - dv) / 0.012, 0, 1) * lateral;
    }
  }
  if (anatomy.gastricBubble) {
    const bubble = anatomy.gastricBubble;
    addEllipse(canvas, bubble, -0.2, (d, u, v) => {
      const x = clamp(Math.floor(u * size), 0, size - 1);
      return v > (diaphragmV[x] as number) + 0.01 ? Math.sqrt(1 - d * d) : 0;
    });
  }
}

/** The trachea (an air column down to the carina) and the two main bronchi. */
function drawAirways(anatomy: ChestAnatomy, canvas: Canvas): void {
  const { midline: mid, trachea } = anatomy;
  const top: [number, number] = [mid, 0];
  const carina: [number, number] = [mid - 0.004, trachea.carinaV];
  addCapsule(canvas, top, carina, trachea.halfWidth, -0.13);
  addCapsule(canvas, carina, [mid - 0.055, trachea.carinaV + 0.055], trachea.halfWidth * 0.75, -0.08);
  addCapsule(canvas, carina, [mid + 0.07, trachea.carinaV + 0.045], trachea.halfWidth * 0.7, -0.08);
}

/** Vertebral bodies behind the mediastinum, the disc spaces a little darker. */
function drawSpine(anatomy: ChestAnatomy, canvas: Canvas): void {
  const { size, data } = canvas;
  const { spine, midline: mid } = anatomy;
  const [x0, x1] = pixelSpan(mid - spine.halfWidth, mid + spine.halfWidth, size);
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    const frac = (((v / spine.period + spine.phase) % 1) + 1) % 1;
    const disc = 1 - 0.45 * Math.exp(-(((frac - 0.5) / 0.09) ** 2));
    for (let x = x0; x <= x1; x++) {
      const z = ((x + 0.5) / size - mid) / spine.halfWidth;
      const i = y * size + x;
      data[i] = (data[i] as number) + spine.density * disc * Math.sqrt(Math.max(0, 1 - z * z)) * (0.7 + 0.3 * z * z);
    }
  }
}

/** Breast soft tissue over the lower lungs: densest low, with a sharp curved inferior border. */
function drawBreasts(anatomy: ChestAnatomy, canvas: Canvas): void {
  const breasts = anatomy.breasts;
  if (!breasts) return;
  for (const side of [-1, 1]) {
    const shape = {
      cx: anatomy.midline + side * breasts.e,
      cy: breasts.cy,
      rx: breasts.rx,
      ry: breasts.ry,
      angle: side * -0.15,
    };
    addEllipse(canvas, shape, breasts.density, (d, _u, v) => {
      const low = clamp((v - (breasts.cy - breasts.ry)) / (1.5 * breasts.ry), 0, 1);
      return Math.sqrt(1 - d * d) * low * low * (3 - 2 * low);
    });
  }
}
