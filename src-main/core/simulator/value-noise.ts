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
 * Adds smooth noise of standard deviation ≈ `sd` to a size × size field: two octaves (cells of 1/12 and 1/40
 * of the image) in one pass. Interpolation weights are computed once per column and row, not per pixel.
 */
export function addSmoothNoise(data: Float32Array, size: number, sd: number, rng: Rng): void {
  if (sd <= 0) return;
  // The interpolated field's sd is below 1; these weights give ≈ sd overall.
  const coarse = octave(size, 12, sd * 1.2, rng);
  const fine = octave(size, 40, sd * 0.7, rng);
  for (let y = 0; y < size; y++) {
    const topC = (coarse.cell[y] as number) * coarse.n;
    const fyC = coarse.weight[y] as number;
    const topF = (fine.cell[y] as number) * fine.n;
    const fyF = fine.weight[y] as number;
    const row = y * size;
    for (let x = 0; x < size; x++) {
      data[row + x] =
        (data[row + x] as number) +
        bilinear(coarse.grid, topC + (coarse.cell[x] as number), coarse.n, coarse.weight[x] as number, fyC) +
        bilinear(fine.grid, topF + (fine.cell[x] as number), fine.n, fine.weight[x] as number, fyF);
    }
  }
}

interface Octave {
  readonly n: number;
  readonly grid: Float32Array;
  /** Per pixel column (and row): the grid cell and the smoothstep weight within it. */
  readonly cell: Int32Array;
  readonly weight: Float32Array;
}

function octave(size: number, cells: number, amount: number, rng: Rng): Octave {
  const n = cells + 1;
  const grid = new Float32Array(n * n);
  for (let i = 0; i < grid.length; i++) grid[i] = amount * rng.normal();
  const cell = new Int32Array(size);
  const weight = new Float32Array(size);
  for (let k = 0; k < size; k++) {
    const t = Math.min(cells - 1e-6, ((k + 0.5) / size) * cells);
    cell[k] = t | 0;
    const f = t - (t | 0);
    weight[k] = f * f * (3 - 2 * f);
  }
  return { n, grid, cell, weight };
}

function bilinear(grid: Float32Array, i: number, n: number, fx: number, fy: number): number {
  const a = grid[i] as number;
  const b = grid[i + 1] as number;
  const c = grid[i + n] as number;
  const d = grid[i + n + 1] as number;
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}
