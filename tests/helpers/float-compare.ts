/** Seeded inputs and a relative error, for kernels checked against the cpu backend (tests/unit/compute-wasm-*). */

/** Uniform(−scale, scale) values from a small LCG, the same every run. */
export function seededUniform(size: number, seed: number, scale = 1): Float32Array {
  let state = seed * 2654435761 + 12345;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 31 - 1) * scale;
  });
}

/** max |x − y| / max |y| (the absolute difference where y is all zeros); throws on a length mismatch. */
export function relativeError(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) throw new Error(`lengths differ: ${x.length} against ${y.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    diff = Math.max(diff, Math.abs((x[i] ?? Number.NaN) - (y[i] ?? 0)));
    scale = Math.max(scale, Math.abs(y[i] ?? 0));
  }
  return scale === 0 ? diff : diff / scale;
}
