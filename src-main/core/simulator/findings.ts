/**
 * The three findings, drawn onto the density canvas with their exact regions (in the same, pre-acquisition
 * coordinates):
 * - nodule/mass: one to three round, slightly lobulated opacities wholly inside a lung, away from the heart;
 *   density is a sphere's projected thickness, so the region is exactly where density was added;
 * - pleural effusion: fluid at one or both lung bases whose upper border is a meniscus (higher laterally),
 *   filling and blunting the costophrenic angle and effacing the dome;
 * - edema: a bilateral perihilar ("bat-wing") haze with a patchy texture, fading towards the periphery.
 */
import type { Finding } from '../library/findings';
import { cardiacOccupancy, lungDomeV, type ChestAnatomy, type LungShape, type Side } from './anatomy-model';
import type { RenderedAnatomy } from './anatomy-render';
import type { LesionOptions } from './options';
import type { Rng } from './prng';
import { clamp } from './raster';
import { regionWhere, type Region } from './region';
import { valueNoise } from './value-noise';

/** Per finding present, its regions (one per nodule, per affected lung). */
export type FindingRegions = Partial<Record<Finding, Region[]>>;

export function addFindings(
  anatomy: ChestAnatomy,
  rendered: RenderedAnatomy,
  present: readonly Finding[],
  lesion: LesionOptions,
  rng: Rng,
): FindingRegions {
  const out: FindingRegions = {};
  // A fixed order, so each finding's draws do not depend on which others are present.
  if (present.includes('effusion')) out.effusion = addEffusion(anatomy, rendered, lesion.effusionAmplitude, rng);
  if (present.includes('edema')) out.edema = addEdema(anatomy, rendered, lesion.edemaAmplitude, rng);
  if (present.includes('nodule')) out.nodule = addNodules(anatomy, rendered, lesion, rng);
  return out;
}

interface Circle {
  readonly u: number;
  readonly v: number;
  readonly r: number;
}

function addNodules(anatomy: ChestAnatomy, rendered: RenderedAnatomy, lesion: LesionOptions, rng: Rng): Region[] {
  const count = rng.chance(0.7) ? 1 : rng.chance(2 / 3) ? 2 : 3;
  const [rMin, rMax] = lesion.noduleRadius;
  const placed: Circle[] = [];
  const regions: Region[] = [];
  for (let k = 0; k < count; k++) {
    const radius = rng.uniform(rMin, rMax) * (rng.chance(0.1) ? 1.4 : 1);
    const circle = placeNodule(anatomy, rendered, radius, placed, rng);
    if (!circle) continue;
    placed.push(circle);
    regions.push(drawNodule(rendered, circle, lesion.noduleAmplitude, rng));
  }
  return regions;
}

/** A centre whose circle (with a margin) lies inside one lung and clear of the heart and other nodules. */
function placeNodule(
  anatomy: ChestAnatomy,
  rendered: RenderedAnatomy,
  radius: number,
  placed: readonly Circle[],
  rng: Rng,
): Circle | null {
  const { size } = rendered.canvas;
  const occupancy = cardiacOccupancy(anatomy);
  const inLung = (u: number, v: number, label: number): boolean => {
    const x = Math.floor(u * size);
    const y = Math.floor(v * size);
    return x >= 0 && y >= 0 && x < size && y < size && rendered.lungMask[y * size + x] === label;
  };
  let r = radius;
  for (let attempt = 0; attempt < 400; attempt++) {
    if (attempt > 0 && attempt % 100 === 0) r *= 0.8;
    const side: Side = rng.sign();
    const lung = anatomy.lungs[side === -1 ? 0 : 1];
    const label = side === -1 ? 1 : 2;
    const u = anatomy.midline + side * rng.uniform(lung.medialE, lung.lateralE);
    const v = rng.uniform(lung.apexV, lung.costophrenicV);
    if (occupancy(u, v) > 0.05) continue;
    if (placed.some((c) => Math.hypot(c.u - u, c.v - v) < c.r + r + 0.01)) continue;
    let fits = inLung(u, v, label);
    for (let j = 0; j < 16 && fits; j++) {
      const a = (j * Math.PI) / 8;
      fits = inLung(u + 1.15 * r * Math.cos(a), v + 1.15 * r * Math.sin(a), label);
    }
    if (fits) return { u, v, r };
  }
  return null;
}

/** A sphere's projected thickness under a lobulated outline R(θ); the region is where R(θ) > distance. */
function drawNodule(rendered: RenderedAnatomy, c: Circle, amplitude: number, rng: Rng): Region {
  const { size, data } = rendered.canvas;
  const harmonics = [2, 3, 5].map((k) => ({
    k,
    a: rng.uniform(0, 0.1 / Math.sqrt(k - 1)),
    phase: rng.uniform(0, 2 * Math.PI),
  }));
  const outline = (theta: number): number =>
    c.r * (1 + harmonics.reduce((sum, h) => sum + h.a * Math.cos(h.k * theta + h.phase), 0));
  const reach = c.r * 1.3;
  return regionWhere(size, { u0: c.u - reach, v0: c.v - reach, u1: c.u + reach, v1: c.v + reach }, (u, v, i) => {
    const du = u - c.u;
    const dv = v - c.v;
    const d = Math.sqrt(du * du + dv * dv);
    const R = outline(Math.atan2(dv, du));
    if (d >= R) return false;
    const z = d / R;
    data[i] = (data[i] as number) + amplitude * Math.sqrt(1 - z * z);
    return true;
  });
}

function addEffusion(anatomy: ChestAnatomy, rendered: RenderedAnatomy, amplitude: number, rng: Rng): Region[] {
  const sides: Side[] = rng.chance(0.35) ? [-1, 1] : [rng.sign()];
  return sides.map((side) => {
    const lung = anatomy.lungs[side === -1 ? 0 : 1];
    return drawEffusion(anatomy, rendered, lung, rng.uniform(0.1, 0.25), amplitude);
  });
}

/** Thinnest fluid layer (in image heights) counted as effusion: thinner films are neither drawn nor labelled. */
const minimumLayer = 0.015;

/** Fluid below a meniscus that rises laterally by `height` above the costophrenic angle. */
function drawEffusion(
  anatomy: ChestAnatomy,
  rendered: RenderedAnatomy,
  lung: LungShape,
  height: number,
  amplitude: number,
): Region {
  const { size, data } = rendered.canvas;
  const label = lung.side === -1 ? 1 : 2;
  const span = lung.lateralE - lung.medialE;
  const top = (e: number): number => {
    const q = clamp((e - lung.medialE) / span, 0, 1);
    return lung.costophrenicV - height * (0.25 + 0.75 * q * Math.sqrt(q));
  };
  // The fluid reaches medially from the costophrenic angle until its layer above the dome thins below a
  // visible film (~0.6 cm); it is one region, never a separate pocket at the cardiophrenic angle.
  let medialEnd = lung.lateralE;
  while (medialEnd > lung.medialE && lungDomeV(lung, medialEnd - 0.002) - top(medialEnd - 0.002) >= minimumLayer)
    medialEnd -= 0.002;
  const uA = anatomy.midline + lung.side * lung.medialE;
  const uB = anatomy.midline + lung.side * lung.lateralE;
  const box = {
    u0: Math.min(uA, uB),
    u1: Math.max(uA, uB),
    v0: lung.costophrenicV - height - 0.01,
    v1: lung.costophrenicV + 0.01,
  };
  return regionWhere(size, box, (u, v, i) => {
    if (rendered.lungMask[i] !== label) return false;
    const e = lung.side * (u - anatomy.midline);
    if (e < medialEnd) return false;
    const vTop = top(e);
    if (v <= vTop || v > lungDomeV(lung, e)) return false;
    // Thickest at the base, thinning to a hazy upper border; fluid takes the place of air, so never denser
    // than the chest wall.
    const fluid = amplitude * Math.sqrt(clamp((v - vTop) / 0.03, 0, 1));
    data[i] = (data[i] as number) + Math.min(fluid, rendered.air[i] as number);
    return true;
  });
}

function addEdema(anatomy: ChestAnatomy, rendered: RenderedAnatomy, amplitude: number, rng: Rng): Region[] {
  const { size, data } = rendered.canvas;
  return anatomy.lungs.map((lung) => {
    const label = lung.side === -1 ? 1 : 2;
    const cx = anatomy.midline + lung.side * (anatomy.hila.e + 0.05);
    const cy = anatomy.hila.v + 0.03;
    const rx = 0.13 * rng.uniform(0.9, 1.15);
    const ry = 0.17 * rng.uniform(0.9, 1.15);
    const harmonics = [3, 4, 6].map((k) => ({ k, a: rng.uniform(0.02, 0.08), phase: rng.uniform(0, 2 * Math.PI) }));
    // The outline's radius per angle, tabulated (atan2 once per pixel, no trigonometric sums).
    const bins = 256;
    const outline = Float32Array.from({ length: bins }, (_, k) => {
      const theta = -Math.PI + ((k + 0.5) * 2 * Math.PI) / bins;
      return 1 + harmonics.reduce((sum, h) => sum + h.a * Math.cos(h.k * theta + h.phase), 0);
    });
    const texture = valueNoise(rng, 14);
    const strength = amplitude * rng.uniform(0.85, 1.15);
    const box = { u0: cx - rx * 1.3, u1: cx + rx * 1.3, v0: cy - ry * 1.3, v1: cy + ry * 1.3 };
    const boxW = box.u1 - box.u0;
    const boxH = box.v1 - box.v0;
    return regionWhere(size, box, (u, v, i) => {
      // Aerated lung only: behind the heart there is too little air for the haze to show.
      if (rendered.lungMask[i] !== label || (rendered.air[i] as number) < 0.25 * lung.air) return false;
      const x = (u - cx) / rx;
      const y = (v - cy) / ry;
      const k = Math.min(bins - 1, (((Math.atan2(y, x) + Math.PI) / (2 * Math.PI)) * bins) | 0);
      const r = Math.sqrt(x * x + y * y) / (outline[k] as number);
      if (r >= 1) return false;
      const patch = 0.7 + 0.3 * clamp(texture((u - box.u0) / boxW, (v - box.v0) / boxH), -1.5, 1.5);
      // Flat in the middle, falling steeply near the outline, so the region is where the haze is seen.
      const inner = 1 - r * r * r * r;
      const haze = strength * Math.sqrt(inner) * Math.sqrt(Math.sqrt(inner)) * patch;
      data[i] = (data[i] as number) + Math.min(haze, 0.9 * (rendered.air[i] as number));
      return true;
    });
  });
}
