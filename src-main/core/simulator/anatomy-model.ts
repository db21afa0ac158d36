/**
 * The geometry of one patient's frontal chest, in normalised coordinates before any acquisition shift: u runs
 * left to right across the image (0..1), v top to bottom (0..1). The image is a PA view as radiologists read
 * it: the patient's right lung is on the image's left (side -1), the heart bulges to the image's right.
 *
 * Distances from the midline are `e` (≥ 0, towards the side's chest wall). Density units: air 0, soft tissue at
 * full thickness ≈ 0.6–0.7, aerated lung ≈ 0.25–0.3, bone adds ≈ 0.1–0.15.
 */
import type { SimulatedPatient } from './patient';
import { scratchFloat32 } from './scratch';
import type { Rng } from './prng';

export type Side = -1 | 1;

export interface LungShape {
  /** -1: image left (patient's right lung); 1: image right (patient's left lung). */
  readonly side: Side;
  readonly apexV: number;
  /** Distance of the apex from the midline. */
  readonly apexE: number;
  /** Widest lateral extent (reached in the lower third). */
  readonly lateralE: number;
  /** Medial border (the mediastinum's edge). */
  readonly medialE: number;
  /** Highest point of the hemidiaphragm's dome, and where across the lung it lies (0 medial .. 1 lateral). */
  readonly domePeakV: number;
  readonly domePeakQ: number;
  /** Lateral end of the dome: the costophrenic angle. */
  readonly costophrenicV: number;
  /** Medial end of the dome: the cardiophrenic angle. */
  readonly cardiophrenicV: number;
  /** Density removed by fully aerated lung. */
  readonly air: number;
}

export interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
  /** Rotation of the rx axis from the u axis, radians (towards +v). */
  readonly angle: number;
}

/**
 * The cardiac silhouette, resting on the diaphragm: a right border (right atrium, towards the image's left)
 * and a left border (left ventricle, towards the image's right), each a half-ellipse down to its widest point
 * and tapering a little below it. Distances are from the midline.
 */
export interface HeartShape {
  readonly rightE: number;
  readonly rightV: number;
  readonly rightH: number;
  readonly leftE: number;
  readonly leftV: number;
  readonly leftH: number;
  /** Where the left border's ellipse is centred, right of the midline. */
  readonly leftOffset: number;
}

export interface ChestAnatomy {
  readonly midline: number;
  readonly softTissue: number;
  readonly neckHalfWidth: number;
  readonly shoulderHalfWidth: number;
  readonly chestHalfWidth: number;
  /** Where the shoulders reach their full width. */
  readonly shoulderV: number;
  readonly lungs: readonly [LungShape, LungShape];
  readonly heart: HeartShape;
  readonly aorticKnob: Ellipse;
  /** The pulmonary trunk (left hilum, between knob and heart) and the superior vena cava (right border). */
  readonly pulmonaryTrunk: Ellipse;
  readonly venaCava: Ellipse;
  readonly trachea: { readonly halfWidth: number; readonly carinaV: number };
  readonly spine: {
    readonly halfWidth: number;
    readonly density: number;
    readonly period: number;
    readonly phase: number;
  };
  readonly ribs: {
    readonly firstV: number;
    readonly spacing: number;
    readonly count: number;
    readonly thickness: number;
    readonly density: number;
    readonly anteriorDensity: number;
    /** Per rib, a small vertical offset of its course. */
    readonly offsets: readonly number[];
  };
  readonly clavicle: {
    readonly medialV: number;
    readonly lateralV: number;
    readonly medialE: number;
    readonly lateralE: number;
    readonly thickness: number;
    readonly density: number;
  };
  readonly humerus: { readonly e: number; readonly v: number; readonly r: number; readonly density: number };
  readonly hila: { readonly e: number; readonly v: number; readonly density: number };
  /** Breast soft tissue over the lower lungs (women), one ellipse per side at ±e. */
  readonly breasts: {
    readonly e: number;
    readonly cy: number;
    readonly rx: number;
    readonly ry: number;
    readonly density: number;
  } | null;
  readonly gastricBubble: Ellipse | null;
  /** Extra density of the abdomen below the domes (liver, spleen). */
  readonly abdomen: number;
  /** Bone contrast factor: 1 at 20 years, lower with age (and after 50 faster in women). */
  readonly boneFactor: number;
}

/**
 * Draws a plausible chest for `patient`: men have larger thoraces and hearts, women breast shadows over the
 * lower lungs; the heart and aortic knob grow and bones lose contrast with age; habitus widens the body and
 * adds soft tissue (which also lifts the domes).
 */
export function sampleAnatomy(rng: Rng, patient: SimulatedPatient): ChestAnatomy {
  const male = patient.sex === 'M';
  const h = patient.habitus;
  const ageOver = (years: number): number => Math.max(0, patient.age - years);
  const midline = 0.5 + rng.normal(0, 0.006);
  const lateralE = (male ? 0.36 : 0.34) + 0.012 * h + rng.normal(0, 0.008);
  const chestHalfWidth = Math.min(0.49, lateralE + 0.06 + 0.025 * Math.max(0, h) + 0.01 * h);
  const apexV = 0.125 + rng.normal(0, 0.008);
  const domeRight = 0.695 - 0.015 * h + (male ? 0.012 : 0) + rng.normal(0, 0.015);
  const domeLeft = domeRight + 0.025 + rng.normal(0, 0.008);
  const air = (male ? 0.39 : 0.37) - 0.02 * h + rng.normal(0, 0.015);
  const lung = (side: Side, domePeakV: number): LungShape => ({
    side,
    apexV: apexV + rng.normal(0, 0.004),
    apexE: 0.15 + rng.normal(0, 0.008),
    lateralE: lateralE + rng.normal(0, 0.005),
    medialE: side === -1 ? 0.055 : 0.06,
    domePeakV,
    domePeakQ: 0.45 + rng.normal(0, 0.04),
    costophrenicV: domePeakV + 0.1 + rng.normal(0, 0.01),
    cardiophrenicV: domePeakV + 0.045 + rng.normal(0, 0.006),
    air,
  });
  const heartScale =
    (male ? 1 : 0.94) * (1 + 0.0035 * (patient.age - 50)) * (1 + 0.025 * h) * (1 + rng.normal(0, 0.05));
  const boneFactor = Math.max(0.45, 1.1 - 0.0065 * ageOver(20) - (male ? 0 : 0.004 * ageOver(50)));
  const breastSize = male ? 0 : Math.max(0.55, 0.95 + 0.2 * h + rng.normal(0, 0.15));
  return {
    midline,
    softTissue: 0.6 + 0.045 * h + (male ? 0.02 : 0) + rng.normal(0, 0.01),
    neckHalfWidth: (male ? 0.085 : 0.075) + 0.01 * h,
    shoulderHalfWidth: Math.min(0.5, chestHalfWidth + 0.035),
    chestHalfWidth,
    shoulderV: 0.2 + rng.normal(0, 0.01),
    lungs: [lung(-1, domeRight), lung(1, domeLeft)],
    heart: {
      rightE: 0.095 * heartScale + rng.normal(0, 0.005),
      rightV: 0.61 + rng.normal(0, 0.01),
      rightH: 0.17,
      leftE: 0.16 * heartScale + rng.normal(0, 0.006),
      leftV: 0.665 + rng.normal(0, 0.01),
      leftH: 0.22,
      leftOffset: 0.025,
    },
    aorticKnob: {
      cx: midline + 0.066,
      cy: 0.315 + rng.normal(0, 0.006),
      rx: 0.034 * (1 + 0.004 * ageOver(40)),
      ry: 0.03 * (1 + 0.004 * ageOver(40)),
      angle: 0,
    },
    pulmonaryTrunk: { cx: midline + 0.07, cy: 0.395, rx: 0.03, ry: 0.04, angle: 0.3 },
    venaCava: { cx: midline - 0.05, cy: 0.34, rx: 0.022, ry: 0.15, angle: 0 },
    trachea: { halfWidth: 0.016 + rng.normal(0, 0.001), carinaV: 0.37 + rng.normal(0, 0.01) },
    spine: { halfWidth: 0.032, density: 0.045 * boneFactor, period: 0.047 + rng.normal(0, 0.002), phase: rng.next() },
    ribs: {
      firstV: 0.16 + rng.normal(0, 0.006),
      spacing: 0.052 + rng.normal(0, 0.002),
      count: 10,
      thickness: 0.021,
      density: 0.085 * boneFactor,
      anteriorDensity: 0.035 * boneFactor,
      offsets: Array.from({ length: 10 }, () => rng.normal(0, 0.004)),
    },
    clavicle: {
      medialV: 0.2 + rng.normal(0, 0.008),
      lateralV: 0.115 + rng.normal(0, 0.01),
      medialE: 0.035,
      lateralE: 0.3 + 0.01 * h,
      thickness: 0.023,
      density: 0.1 * boneFactor,
    },
    humerus: { e: chestHalfWidth - 0.01, v: 0.205, r: 0.042, density: 0.08 * boneFactor },
    hila: { e: 0.09, v: 0.42 + rng.normal(0, 0.008), density: 0.05 },
    breasts: male
      ? null
      : {
          e: 0.3 + 0.015 * h,
          cy: 0.47 + 0.0015 * ageOver(30) + rng.normal(0, 0.015),
          rx: 0.18 * breastSize,
          ry: 0.14 * breastSize,
          density: 0.12 * breastSize,
        },
    gastricBubble: rng.chance(0.6)
      ? { cx: midline + 0.17 + rng.normal(0, 0.02), cy: domeLeft + 0.065, rx: 0.045, ry: 0.025, angle: 0 }
      : null,
    abdomen: 0.06,
    boneFactor,
  };
}

/** Rounded growth from 0 at t = 0 to 1 at t ≥ reach (a quarter circle). */
function rounded(t: number, reach: number): number {
  const s = Math.min(1, Math.max(0, t / reach));
  return Math.sqrt(1 - (1 - s) * (1 - s));
}

/** The lung's fraction of height at v: 0 at the apex, 1 at the costophrenic angle. */
export function lungHeightFraction(lung: LungShape, v: number): number {
  return (v - lung.apexV) / (lung.costophrenicV - lung.apexV);
}

/** Lateral border (distance from the midline) at height v; the apex is rounded. */
export function lungLateralE(lung: LungShape, v: number): number {
  return lung.apexE + (lung.lateralE - lung.apexE) * rounded(lungHeightFraction(lung, v), 0.95);
}

/** Medial border at height v. */
export function lungMedialE(lung: LungShape, v: number): number {
  return lung.apexE - (lung.apexE - lung.medialE) * rounded(lungHeightFraction(lung, v), 0.28);
}

/** The dome (lung base) at distance e from the midline: highest at domePeakQ, lowest at the lateral angle. */
export function lungDomeV(lung: LungShape, e: number): number {
  const q = (e - lung.medialE) / (lung.lateralE - lung.medialE);
  if (q >= lung.domePeakQ) {
    const s = (q - lung.domePeakQ) / (1 - lung.domePeakQ);
    return lung.domePeakV + (lung.costophrenicV - lung.domePeakV) * s * s;
  }
  const s = (lung.domePeakQ - q) / lung.domePeakQ;
  return lung.domePeakV + (lung.cardiophrenicV - lung.domePeakV) * s * s;
}

/** Whether (u, v) lies inside the lung's outline (heart overlap included). */
export function insideLung(lung: LungShape, midline: number, u: number, v: number): boolean {
  if (v < lung.apexV) return false;
  const e = lung.side * (u - midline);
  return e >= lungMedialE(lung, v) && e <= lungLateralE(lung, v) && v <= lungDomeV(lung, e);
}

/**
 * 0 outside the ellipse, rising linearly to 1 within `edge` (in normalised radius) of its border. Returns a
 * function so the rotation is computed once, not per pixel.
 */
export function ellipseOccupancy(shape: Ellipse, edge: number): (u: number, v: number) => number {
  const c = Math.cos(shape.angle);
  const s = Math.sin(shape.angle);
  return (u, v) => {
    const du = u - shape.cx;
    const dv = v - shape.cy;
    const x = (du * c + dv * s) / shape.rx;
    const y = (-du * s + dv * c) / shape.ry;
    const d2 = x * x + y * y;
    return d2 >= 1 ? 0 : Math.min(1, (1 - Math.sqrt(d2)) / edge);
  };
}

/** The heart's borders at height v: [right, left] distances from the midline; 0 above the heart. */
export function heartBorders(heart: HeartShape, v: number): [number, number] {
  const border = (extent: number, centre: number, height: number): number => {
    const t = (v - centre) / height;
    if (t < -1) return 0;
    if (t <= 0) return extent * Math.sqrt(1 - t * t);
    return extent * Math.max(0.6, 1 - 1.2 * t * t);
  };
  const right = border(heart.rightE, heart.rightV, heart.rightH);
  const left = border(heart.leftE, heart.leftV, heart.leftH);
  return [right, left > 0 ? heart.leftOffset + left : 0];
}

/** The great vessels (aortic knob, pulmonary trunk, vena cava), with the width of their soft edge. */
function greatVessels(anatomy: ChestAnatomy): { shape: Ellipse; edge: number }[] {
  return [
    { shape: anatomy.aorticKnob, edge: 0.25 },
    { shape: anatomy.pulmonaryTrunk, edge: 0.3 },
    { shape: anatomy.venaCava, edge: 0.3 },
  ];
}

/** Soft edge of the cardiac borders, in normalised units. */
const heartEdge = 0.012;

function heartOccupancy(anatomy: ChestAnatomy, u: number, v: number): number {
  const [right, left] = heartBorders(anatomy.heart, v);
  if (right === 0 && left === 0) return 0;
  const d = Math.min(u - (anatomy.midline - right), anatomy.midline + left - u);
  return d <= 0 ? 0 : Math.min(1, d / heartEdge);
}

/**
 * How much of the lung's air the heart and great vessels displace at (u, v), 0..0.9: they form one
 * mediastinal silhouette with sharp borders against the lungs.
 */
export function cardiacOccupancy(anatomy: ChestAnatomy): (u: number, v: number) => number {
  const fns = greatVessels(anatomy).map(({ shape, edge }) => ellipseOccupancy(shape, edge));
  return (u, v) => 0.9 * Math.sqrt(Math.max(heartOccupancy(anatomy, u, v), ...fns.map((f) => f(u, v))));
}

/**
 * The raw occupancy (before {@link cardiacOccupancy}'s 0.9 × √) for every pixel of a size × size canvas,
 * computed over each shape's box only; callers take 0.9 × √ where they need it.
 */
export function cardiacOccupancyMap(anatomy: ChestAnatomy, size: number): Float32Array {
  const out = scratchFloat32('cardiac-occupancy', size * size);
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    const [right, left] = heartBorders(anatomy.heart, v);
    if (right === 0 && left === 0) continue;
    const from = anatomy.midline - right;
    const to = anatomy.midline + left;
    const x0 = Math.max(0, Math.floor(from * size));
    const x1 = Math.min(size - 1, Math.ceil(to * size));
    for (let x = x0; x <= x1; x++) {
      const u = (x + 0.5) / size;
      const d = Math.min(u - from, to - u);
      out[y * size + x] = d <= 0 ? 0 : Math.min(1, d / heartEdge);
    }
  }
  for (const { shape, edge } of greatVessels(anatomy)) {
    const occupancy = ellipseOccupancy(shape, edge);
    const reach = Math.max(shape.rx, shape.ry);
    const x0 = Math.max(0, Math.floor((shape.cx - reach) * size));
    const x1 = Math.min(size - 1, Math.ceil((shape.cx + reach) * size));
    const y0 = Math.max(0, Math.floor((shape.cy - reach) * size));
    const y1 = Math.min(size - 1, Math.ceil((shape.cy + reach) * size));
    for (let y = y0; y <= y1; y++) {
      const v = (y + 0.5) / size;
      for (let x = x0; x <= x1; x++) {
        const o = occupancy((x + 0.5) / size, v);
        const i = y * size + x;
        if (o > (out[i] as number)) out[i] = o;
      }
    }
  }
  return out;
}

/** Body half-width at height v: neck, sloping shoulders, chest wall, slight waist. */
export function bodyHalfWidth(anatomy: ChestAnatomy, v: number): number {
  const { neckHalfWidth: neck, shoulderHalfWidth: shoulder, chestHalfWidth: chest, shoulderV } = anatomy;
  if (v <= shoulderV) {
    // Sloping shoulders: quick to leave the neck, slow to reach their full width.
    const t = Math.max(0, (v - 0.03) / (shoulderV - 0.03));
    return neck + (shoulder - neck) * (1 - (1 - t) * (1 - t));
  }
  if (v <= 0.36) return shoulder + (chest - shoulder) * ((v - shoulderV) / (0.36 - shoulderV));
  return chest * (1 - 0.07 * Math.max(0, (v - 0.72) / 0.28));
}
