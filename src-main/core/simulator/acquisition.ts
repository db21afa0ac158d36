/**
 * From patient to detector: the patient's rotation and shift on the detector, detector unsharpness, mottle,
 * the site's tone curve, quantum noise and 12-bit quantisation.
 */
import { normalTable, type Rng } from './prng';
import type { Region } from './region';
import { scratchFloat32, scratchUint32 } from './scratch';
import type { SiteProfile } from './site-profiles';
import { addSmoothNoise } from './value-noise';

export interface Acquisition {
  /** Rotation of the patient in the image plane, radians (positive: clockwise on screen). */
  readonly rotation: number;
  /** Shift of the patient, fractions of the image size. */
  readonly shiftX: number;
  readonly shiftY: number;
  /** Density multiplier of this exposure. */
  readonly exposure: number;
}

export function drawAcquisition(rng: Rng, profile: SiteProfile): Acquisition {
  return {
    rotation: (rng.uniform(-1, 1) * profile.maxRotationDeg * Math.PI) / 180,
    shiftX: rng.uniform(-1, 1) * profile.maxShift,
    shiftY: rng.uniform(-1, 1) * profile.maxShift,
    exposure: profile.exposure * (1 + rng.normal(0, profile.exposureJitter)),
  };
}

/** Maps patient coordinates to image coordinates (normalised): q ↦ c + shift + R(θ)(q − c). */
export function forwardMap(acq: Acquisition): (u: number, v: number) => [number, number] {
  const c = Math.cos(acq.rotation);
  const s = Math.sin(acq.rotation);
  return (u, v) => {
    const du = u - 0.5;
    const dv = v - 0.5;
    return [0.5 + acq.shiftX + c * du - s * dv, 0.5 + acq.shiftY + s * du + c * dv];
  };
}

/** The density as the detector sees it: bilinear resampling, edges extended (the body continues). */
export function warpDensity(src: Float32Array, size: number, acq: Acquisition): Float32Array {
  const out = scratchFloat32('detector-density', size * size);
  const c = Math.cos(acq.rotation);
  const s = Math.sin(acq.rotation);
  const max = size - 1;
  for (let y = 0; y < size; y++) {
    const dv = (y + 0.5) / size - 0.5 - acq.shiftY;
    const du0 = 0.5 / size - 0.5 - acq.shiftX;
    // Source position in pixel units (centre of pixel k at k), stepping by (c, -s) per output column.
    let sx = (0.5 + c * du0 + s * dv) * size - 0.5;
    let sy = (0.5 - s * du0 + c * dv) * size - 0.5;
    const row = y * size;
    for (let x = 0; x < size; x++, sx += c, sy -= s) {
      const px = sx < 0 ? 0 : sx > max ? max : sx;
      const py = sy < 0 ? 0 : sy > max ? max : sy;
      const ix = px >= max ? max - 1 : px | 0;
      const iy = py >= max ? max - 1 : py | 0;
      const fx = px - ix;
      const fy = py - iy;
      const i = iy * size + ix;
      const a = src[i] as number;
      const b = src[i + 1] as number;
      const cc = src[i + size] as number;
      const d = src[i + size + 1] as number;
      out[row + x] = a + (b - a) * fx + (cc - a) * fy + (a - b - cc + d) * fx * fy;
    }
  }
  return out;
}

/** A region carried to image space: each image pixel whose centre maps into the region's pixel (nearest). */
export function warpRegion(region: Region, size: number, acq: Acquisition): Region {
  const forward = forwardMap(acq);
  const corners = [
    [region.x0, region.y0],
    [region.x0 + region.width, region.y0],
    [region.x0, region.y0 + region.height],
    [region.x0 + region.width, region.y0 + region.height],
  ].map(([x, y]) => forward((x as number) / size, (y as number) / size));
  const us = corners.map((p) => p[0]);
  const vs = corners.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...us) * size) - 1);
  const y0 = Math.max(0, Math.floor(Math.min(...vs) * size) - 1);
  const x1 = Math.min(size - 1, Math.ceil(Math.max(...us) * size) + 1);
  const y1 = Math.min(size - 1, Math.ceil(Math.max(...vs) * size) + 1);
  const width = Math.max(0, x1 - x0 + 1);
  const height = Math.max(0, y1 - y0 + 1);
  const mask = new Uint8Array(width * height);
  const c = Math.cos(acq.rotation);
  const s = Math.sin(acq.rotation);
  for (let y = 0; y < height; y++) {
    const dv = (y0 + y + 0.5) / size - 0.5 - acq.shiftY;
    for (let x = 0; x < width; x++) {
      const du = (x0 + x + 0.5) / size - 0.5 - acq.shiftX;
      const sx = Math.floor((0.5 + c * du + s * dv) * size) - region.x0;
      const sy = Math.floor((0.5 - s * du + c * dv) * size) - region.y0;
      if (sx >= 0 && sy >= 0 && sx < region.width && sy < region.height && region.mask[sy * region.width + sx] === 1)
        mask[y * width + x] = 1;
    }
  }
  return { x0, y0, width, height, mask };
}

/** `passes` of a separable [1 2 1]/4 blur, in place (edges extended); row-wise in memory order throughout. */
export function blur(data: Float32Array, size: number, passes: number): void {
  const line = new Float32Array(size);
  const above = new Float32Array(size);
  const here = new Float32Array(size);
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < size; y++) {
      const row = y * size;
      for (let x = 0; x < size; x++) line[x] = data[row + x] as number;
      for (let x = 0; x < size; x++) {
        const l = line[x > 0 ? x - 1 : 0] as number;
        const r = line[x < size - 1 ? x + 1 : size - 1] as number;
        data[row + x] = 0.25 * l + 0.5 * (line[x] as number) + 0.25 * r;
      }
    }
    // Vertical pass: keep the unblurred row above and the current one, so each row is read once.
    above.set(data.subarray(0, size));
    for (let y = 0; y < size; y++) {
      const row = y * size;
      here.set(data.subarray(row, row + size));
      const below = y < size - 1 ? row + size : row;
      for (let x = 0; x < size; x++) {
        data[row + x] = 0.25 * (above[x] as number) + 0.5 * (here[x] as number) + 0.25 * (data[below + x] as number);
      }
      above.set(here);
    }
  }
}

/** Detector unsharpness and mottle, in place. */
export function degrade(data: Float32Array, size: number, profile: SiteProfile, rng: Rng): void {
  blur(data, size, Math.round((profile.blurPasses * size) / 512));
  addSmoothNoise(data, size, profile.mottle, rng);
}

const lutLow = -0.5;
const lutHigh = 2.5;
const lutSize = 8192;

/** The site's tone curve sampled over density [-0.5, 2.5): display value in [0, 1]; density ≥ 2 maps to 1. */
export function toneCurve(profile: SiteProfile): Float32Array {
  const { slope, center, gamma } = profile.curve;
  const logistic = (x: number): number => 1 / (1 + Math.exp(-slope * (x - center)));
  const lo = logistic(0);
  const hi = logistic(2);
  const lut = new Float32Array(lutSize);
  for (let i = 0; i < lutSize; i++) {
    const x = lutLow + ((i + 0.5) / lutSize) * (lutHigh - lutLow);
    const t = Math.min(1, Math.max(0, (logistic(x) - lo) / (hi - lo)));
    lut[i] = Math.pow(t, gamma);
  }
  return lut;
}

/**
 * Display values: tone curve of exposure × density, plus quantum noise (larger where the image is brighter,
 * i.e. fewer photons reached the detector), quantised to 12 bits (0..4095, MONOCHROME2).
 *
 * @param noiseRng a stream used for nothing else, so the same stream gives the same noise (marker-free twins)
 */
export function expose(
  density: Float32Array,
  lut: Float32Array,
  exposure: number,
  noise: number,
  noiseRng: Rng,
): Uint16Array {
  const out = new Uint16Array(density.length);
  const normals = normalTable();
  const scale = lutSize / (lutHigh - lutLow);
  // Display value and noise amplitude per tone-curve entry, both in stored units.
  const level = new Float32Array(lutSize);
  const spread = new Float32Array(lutSize);
  for (let k = 0; k < lutSize; k++) {
    const y = lut[k] as number;
    level[k] = y * 4095 + 0.5;
    spread[k] = noise * (0.6 + 0.8 * y) * 4095;
  }
  const words = noiseRng.fill(scratchUint32('noise-words', Math.ceil(density.length / 2)));
  for (let i = 0; i < density.length; i++) {
    let k = (((density[i] as number) * exposure - lutLow) * scale) | 0;
    k = k < 0 ? 0 : k >= lutSize ? lutSize - 1 : k;
    const word = words[i >>> 1] as number;
    const n = normals[(i & 1) === 0 ? word & 0xffff : word >>> 16] as number;
    const value = ((level[k] as number) + (spread[k] as number) * n) | 0;
    out[i] = value < 0 ? 0 : value > 4095 ? 4095 : value;
  }
  return out;
}

/** A window from the image's histogram: centre and width spanning its 0.5th to 99.5th percentile. */
export function percentileWindow(pixels: Uint16Array): { center: number; width: number } {
  const histogram = new Uint32Array(4096);
  for (let i = 0; i < pixels.length; i++) {
    const p = pixels[i] as number;
    histogram[p] = (histogram[p] as number) + 1;
  }
  const quantile = (q: number): number => {
    const target = q * pixels.length;
    let seen = 0;
    for (let v = 0; v < 4096; v++) {
      seen += histogram[v] as number;
      if (seen >= target) return v;
    }
    return 4095;
  };
  const lo = quantile(0.005);
  const hi = Math.max(lo + 1, quantile(0.995));
  return { center: Math.round((lo + hi) / 2), width: hi - lo + 1 };
}
