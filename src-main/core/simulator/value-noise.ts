/** Smooth random fields: a grid of random values interpolated with smoothstep weights (value noise). */
import type { Rng } from './prng';

/**
 * A field over the unit square with `cells` × `cells` cells, values standard normal at the grid points.
 * @returns a sampler of (s, t) in [0, 1]² (clamped outside)
 */
export function valueNoise(rng: Rng, cells: number): (s: number, t: number) => number {
  const n = cells + 1;
  const grid = new Float32Array(n * n);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.normal();
  return (s, t) => {
    const x = Math.min(cells - 1e-6, Math.max(0, s * cells));
    const y = Math.min(cells - 1e-6, Math.max(0, t * cells));
    const ix = x | 0;
    const iy = y | 0;
    let fx = x - ix;
    let fy = y - iy;
    fx = fx * fx * (3 - 2 * fx);
    fy = fy * fy * (3 - 2 * fy);
    const i = iy * n + ix;
    const a = grid[i] as number;
    const b = grid[i + 1] as number;
    const c = grid[i + n] as number;
    const d = grid[i + n + 1] as number;
    return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
  };
}

/**
 * Adds smooth noise of standard deviation ≈ `sd` to a size × size field: two octaves (cells of ~1/12 and
 * ~1/40 of the image), evaluated on a coarse grid per row for speed.
 */
export function addSmoothNoise(data: Float32Array, size: number, sd: number, rng: Rng): void {
  if (sd <= 0) return;
  const coarse = valueNoise(rng, 12);
  const fine = valueNoise(rng, 40);
  // The interpolated field's sd is below 1; these weights give ≈ sd overall.
  const a = sd * 1.2;
  const b = sd * 0.7;
  for (let y = 0; y < size; y++) {
    const t = (y + 0.5) / size;
    const row = y * size;
    for (let x = 0; x < size; x++) {
      const s = (x + 0.5) / size;
      data[row + x] = (data[row + x] as number) + a * coarse(s, t) + b * fine(s, t);
    }
  }
}
