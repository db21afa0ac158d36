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
  const coarseRow = new Float32Array(coarse.n);
  const fineRow = new Float32Array(fine.n);
  for (let y = 0; y < size; y++) {
    // Interpolate the grid along y once per row; then each pixel needs one interpolation along x per octave.
    interpolateRow(coarse, y, coarseRow);
    interpolateRow(fine, y, fineRow);
    const row = y * size;
    for (let x = 0; x < size; x++) {
      const ic = coarse.cell[x] as number;
      const wc = coarse.weight[x] as number;
      const iF = fine.cell[x] as number;
      const wf = fine.weight[x] as number;
      const c0 = coarseRow[ic] as number;
      const f0 = fineRow[iF] as number;
      data[row + x] =
        (data[row + x] as number) +
        c0 +
        ((coarseRow[ic + 1] as number) - c0) * wc +
        f0 +
        ((fineRow[iF + 1] as number) - f0) * wf;
    }
  }
}

/** The octave's grid interpolated to pixel row y: one value per grid column. */
function interpolateRow(o: Octave, y: number, out: Float32Array): void {
  const top = (o.cell[y] as number) * o.n;
  const fy = o.weight[y] as number;
  for (let i = 0; i < o.n; i++) {
    const a = o.grid[top + i] as number;
    out[i] = a + ((o.grid[top + o.n + i] as number) - a) * fy;
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
