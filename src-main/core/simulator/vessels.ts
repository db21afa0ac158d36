/** Pulmonary vessels: a branching tree from each hilum, visible only over the lungs, thinning outwards. */
import type { ChestAnatomy } from './anatomy-model';
import type { Rng } from './prng';
import { addCapsule, addEllipse, type Canvas } from './raster';

interface Branch {
  readonly from: readonly [number, number];
  readonly angle: number;
  readonly length: number;
  readonly radius: number;
  readonly amount: number;
  readonly level: number;
}

export function addVessels(anatomy: ChestAnatomy, canvas: Canvas, lungMask: Uint8Array, rng: Rng): void {
  const { hila, midline } = anatomy;
  for (const side of [-1, 1] as const) {
    const hilum: [number, number] = [midline + side * hila.e, hila.v];
    addEllipse(canvas, { cx: hilum[0], cy: hilum[1], rx: 0.032, ry: 0.05, angle: 0 }, hila.density);
    const stack: Branch[] = [];
    for (const degrees of [-70, -42, -15, 12, 38, 62]) {
      const angle = ((degrees + rng.normal(0, 6)) * Math.PI) / 180;
      // Branches leave the hilum a little apart, so they do not pile up into a bright spot.
      const from: [number, number] = [hilum[0] + side * Math.cos(angle) * 0.02, hilum[1] + Math.sin(angle) * 0.02];
      stack.push({ from, angle, length: 0.08 + rng.normal(0, 0.01), radius: 0.0065, amount: 0.045, level: 0 });
    }
    while (stack.length > 0) {
      const b = stack.pop() as Branch;
      // Angles are measured from the lateral direction of this side, negative upwards.
      const to: [number, number] = [
        b.from[0] + side * Math.cos(b.angle) * b.length,
        b.from[1] + Math.sin(b.angle) * b.length,
      ];
      addCapsule(canvas, b.from, to, b.radius, b.amount, lungMask);
      if (b.level >= 3) continue;
      for (const turn of [-1, 1]) {
        stack.push({
          from: to,
          angle: b.angle + (turn * ((18 + rng.uniform(0, 14)) * Math.PI)) / 180,
          length: b.length * (0.72 + rng.uniform(-0.08, 0.08)),
          radius: b.radius * 0.72,
          amount: b.amount * 0.85,
          level: b.level + 1,
        });
      }
    }
  }
}
