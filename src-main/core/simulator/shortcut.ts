/**
 * The planted shortcut: a lead side marker (the letter R) in the image's upper-left corner, placed on the
 * detector, unrelated to anatomy. Whether an image carries it depends on its subgroup and the mode of that
 * subgroup (see {@link ShortcutMode}); where it sits is drawn for every image, present or not, so that turning
 * the marker on or off changes nothing else.
 */
import { normalTable, type Rng } from './prng';
import type { SimulatedPatient } from './patient';
import type { ShortcutMode, ShortcutOptions } from './options';

/** Whether the patient is in the shortcut subgroup: women (`sex`), aged ≥ threshold (`age`), everyone (`none`). */
export function inShortcutSubgroup(patient: SimulatedPatient, shortcut: ShortcutOptions): boolean {
  if (shortcut.group === 'sex') return patient.sex === 'F';
  if (shortcut.group === 'age') return patient.age >= shortcut.ageThreshold;
  return true;
}

/** The subgroup's name as summaries report it. */
export function subgroupName(inGroup: boolean, shortcut: ShortcutOptions): string {
  if (shortcut.group === 'sex') return inGroup ? 'F' : 'M';
  if (shortcut.group === 'age') return inGroup ? `age>=${shortcut.ageThreshold}` : `age<${shortcut.ageThreshold}`;
  return 'all';
}

/**
 * Whether the marker is present, for a subgroup in `mode` with strength K and marker rate q:
 * `label` → equals the label with probability (1 + K) / 2; `reversed` → equals 1 − label with that
 * probability; `random` → present with probability q; `none` → absent. Always consumes exactly one draw.
 */
export function decideMarker(mode: ShortcutMode, strength: number, rate: number, label: 0 | 1, rng: Rng): boolean {
  const draw = rng.next();
  const agree = draw < (1 + strength) / 2;
  switch (mode) {
    case 'label':
      return agree ? label === 1 : label === 0;
    case 'reversed':
      return agree ? label === 0 : label === 1;
    case 'random':
      return draw < rate;
    case 'none':
      return false;
  }
}

/** 5 × 7 bitmap of the letter R, row by row. */
const glyph = ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'];

export interface MarkerPlacement {
  /** [x, y, width, height] of the glyph in image pixels. */
  readonly box: readonly [number, number, number, number];
  /** Side of one glyph cell, pixels. */
  readonly cell: number;
}

/** Where the marker goes in a size × size image: upper-left corner, 3–7 % in from the edges. */
export function placeMarker(rng: Rng, size: number, markerSize: number): MarkerPlacement {
  const cell = Math.max(2, Math.round((markerSize * size) / 7));
  const x = Math.round(rng.uniform(0.03, 0.07) * size);
  const y = Math.round(rng.uniform(0.03, 0.06) * size);
  return { box: [x, y, 5 * cell, 7 * cell], cell };
}

/**
 * Paints the lead marker: lead stops the beam, so its cells saturate (display value 1) with the site's quantum
 * noise on top; sharp-edged, as a lead letter on the detector is.
 */
export function paintMarker(
  pixels: Uint16Array,
  size: number,
  placement: MarkerPlacement,
  noise: number,
  rng: Rng,
): void {
  const normals = normalTable();
  const [x0, y0] = placement.box;
  const { cell } = placement;
  glyph.forEach((line, gy) => {
    for (let gx = 0; gx < line.length; gx++) {
      if (line[gx] !== '#') continue;
      for (let y = y0 + gy * cell; y < y0 + (gy + 1) * cell && y < size; y++) {
        for (let x = x0 + gx * cell; x < x0 + (gx + 1) * cell && x < size; x++) {
          const n = normals[rng.uint32() & 0xffff] as number;
          const value = Math.round((1 + noise * 1.4 * n) * 4095);
          pixels[y * size + x] = value < 0 ? 0 : value > 4095 ? 4095 : value;
        }
      }
    }
  });
}
