/** Ribs (posterior and anterior arcs), clavicles and humeral heads, drawn onto the density canvas. */
import { lungLateralE, type ChestAnatomy, type Side } from './anatomy-model';
import { addCurvedBand, addEllipse, type Canvas } from './raster';

export function addBones(anatomy: ChestAnatomy, canvas: Canvas): void {
  for (const side of [-1, 1] as const) {
    addRibs(anatomy, canvas, side);
    addClavicle(anatomy, canvas, side);
    addHumerus(anatomy, canvas, side);
  }
}

/**
 * Posterior ribs run from the spine laterally, arching slightly up and then down to the chest wall; the
 * anterior arc of the same rib returns medially and downwards, fainter, fading out where the costal
 * cartilage (not calcified) begins.
 */
function addRibs(anatomy: ChestAnatomy, canvas: Canvas, side: Side): void {
  const { ribs, midline } = anatomy;
  const lung = anatomy.lungs[side === -1 ? 0 : 1];
  for (let i = 0; i < ribs.count; i++) {
    const startV = ribs.firstV + i * ribs.spacing + (ribs.offsets[i] ?? 0);
    const curl = 1.25 + 0.06 * i;
    const posterior = (e: number): number => startV - 0.34 * e + curl * e * e;
    const cageE = Math.min(anatomy.chestHalfWidth - 0.01, lungLateralE(lung, posterior(lung.lateralE) + 0.02) + 0.02);
    // Behind the spine and mediastinum the rib's neck is hardly seen.
    // Beyond the lung the rib runs tangentially into the chest wall's soft tissue and fades.
    const edgeE = lungLateralE(lung, posterior(lung.lateralE));
    const fadeOut = (e: number): number => Math.min(1, Math.max(0.35, 1 - (e - edgeE) / 0.02));
    const fadeIn = (e: number): number => {
      const t = Math.min(1, Math.max(0, (e - 0.03) / 0.06));
      return t * t * (3 - 2 * t);
    };
    addCurvedBand(canvas, {
      midline,
      side,
      fromE: 0.02,
      toE: cageE,
      centre: posterior,
      thickness: () => ribs.thickness,
      density: (e) => ribs.density * fadeIn(e) * fadeOut(e),
    });
    const lateralV = posterior(cageE);
    const anteriorEnd = 0.1 + 0.006 * i;
    addCurvedBand(canvas, {
      midline,
      side,
      fromE: anteriorEnd,
      toE: cageE,
      centre: (e) => lateralV + (cageE - e) * 0.55 + 0.8 * (cageE - e) * (cageE - e),
      thickness: () => ribs.thickness * 0.85,
      density: (e) => ribs.anteriorDensity * Math.min(1, (e - anteriorEnd) / 0.06) * fadeOut(e),
    });
  }
}

/** The clavicle: an S-curved bone from the sternal notch up and out to the shoulder. */
function addClavicle(anatomy: ChestAnatomy, canvas: Canvas, side: Side): void {
  const c = anatomy.clavicle;
  const span = c.lateralE - c.medialE;
  addCurvedBand(canvas, {
    midline: anatomy.midline,
    side,
    fromE: c.medialE,
    toE: c.lateralE,
    centre: (e) => {
      const t = (e - c.medialE) / span;
      return c.medialV + (c.lateralV - c.medialV) * t + 0.012 * Math.sin(2 * Math.PI * t);
    },
    thickness: (e) => c.thickness * (1.1 - 0.3 * ((e - c.medialE) / span)),
    density: () => c.density,
  });
}

/** The humeral head at the edge of the field, within the shoulder's soft tissue. */
function addHumerus(anatomy: ChestAnatomy, canvas: Canvas, side: Side): void {
  const h = anatomy.humerus;
  const cx = anatomy.midline + side * h.e;
  addEllipse(canvas, { cx, cy: h.v, rx: h.r, ry: h.r * 1.1, angle: 0 }, h.density, (d) => 0.6 + 0.4 * d * d);
}
