import type { RegionGeometry } from '../../../api/annotation-schemas';
import { rasterizeRegions } from '../../annotations/rasterize';
import { createRng, type Rng } from './rng';

/** Equivalent radius of a random target, as a share of the mask side: about a nodule to a small consolidation. */
export const randomMaskRadius = { min: 0.04, max: 0.15 } as const;

/**
 * The random-alignment ablation's target (ARCHITECTURE §6): one random shape —
 * an ellipse (random radii, aspect up to 1.4, rotation) or a lobulated polygon
 * blob (6–10 vertices, radius jittered ±30 %) — of plausible lesion size
 * ({@link randomMaskRadius}, at least 1.5 mask pixels), placed uniformly where
 * it lies wholly inside the mask. Rasterised with the one rasteriser. Never
 * empty (a shape that covers no pixel centre sets its centre pixel).
 *
 * @param maskSize R
 * @param rng draws a fixed number of values per shape kind
 * @returns [R × R] 0/1, row-major
 */
export function randomAlignmentMask(maskSize: number, rng: Rng): Uint8Array {
  if (!(Number.isInteger(maskSize) && maskSize > 0))
    throw new RangeError(`mask size must be a positive integer, got ${maskSize}`);
  const radius = Math.max(1.5, rng.uniform(randomMaskRadius.min, randomMaskRadius.max) * maskSize);
  let region: RegionGeometry;
  let extent: number;
  if (rng.next() < 0.5) {
    const aspect = Math.exp(rng.uniform(-Math.log(1.4), Math.log(1.4)));
    const rx = radius * Math.sqrt(aspect);
    const ry = radius / Math.sqrt(aspect);
    extent = Math.max(rx, ry);
    region = { kind: 'ellipse', cx: 0, cy: 0, rx, ry, rotation: rng.uniform(0, 180) };
  } else {
    const n = rng.int(6, 10);
    const phase = rng.uniform(0, 2 * Math.PI);
    const points: [number, number][] = [];
    extent = 0;
    for (let k = 0; k < n; k++) {
      const angle = phase + ((k + rng.uniform(-0.3, 0.3)) * 2 * Math.PI) / n;
      const r = radius * rng.uniform(0.7, 1.3);
      extent = Math.max(extent, r);
      points.push([r * Math.cos(angle), r * Math.sin(angle)]);
    }
    region = { kind: 'polygon', points };
  }
  const room = Math.max(0, maskSize - 2 * extent);
  const cx = Math.min(extent, maskSize / 2) + rng.next() * room;
  const cy = Math.min(extent, maskSize / 2) + rng.next() * room;
  const placed: RegionGeometry =
    region.kind === 'ellipse'
      ? { ...region, cx, cy }
      : region.kind === 'polygon'
        ? { kind: 'polygon', points: region.points.map(([x, y]): [number, number] => [x + cx, y + cy]) }
        : region;
  const image = { columns: maskSize, rows: maskSize };
  const mask = rasterizeRegions([placed], image, { width: maskSize, height: maskSize });
  if (!mask.includes(1)) {
    const clamp = (v: number): number => Math.min(maskSize - 1, Math.max(0, Math.floor(v)));
    mask[clamp(cy) * maskSize + clamp(cx)] = 1;
  }
  return mask;
}

/**
 * The random target of one aligned image and finding in one epoch: a function of (seed, epoch, image key, finding)
 * alone, so it is reproducible, independent of batch order, and moves from epoch to epoch.
 */
export function randomAlignmentMaskFor(
  seed: number | string,
  epoch: number,
  imageKey: string,
  finding: number,
  maskSize: number,
): Uint8Array {
  return randomAlignmentMask(maskSize, createRng(seed, 'random-alignment', epoch, imageKey, finding));
}
