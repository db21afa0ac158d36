/**
 * Resizes the model-size cache (224×224) to the run's image size S. Both axes
 * scale alike, so a region rasterised at any R from image coordinates (per-axis
 * scaling, as the cache was made) lies on the same pixels at S.
 */

/** One output index's source taps (index, weight), weights summing to 1. */
type Taps = readonly (readonly [number, number])[];

/**
 * @param pixels [from × from] uint8, row-major
 * @param from the source side
 * @param to the output side: area averaging (each output pixel the exact
 *   area-weighted mean of the source pixels it covers) when smaller, bilinear
 *   (half-pixel centres, edges clamped) when larger, a copy when equal
 * @returns [to × to] uint8, row-major, rounded to nearest
 */
export function resizeSquare(pixels: Uint8Array, from: number, to: number): Uint8Array {
  if (!(Number.isInteger(from) && from > 0 && Number.isInteger(to) && to > 0))
    throw new RangeError(`resize sides must be positive integers, got ${from} → ${to}`);
  if (pixels.length !== from * from)
    throw new RangeError(`expected ${from}×${from} = ${from * from} pixels, got ${pixels.length}`);
  if (to === from) return pixels.slice();
  const taps = to < from ? areaTaps(from, to) : bilinearTaps(from, to);
  // Rows first (from × to), then columns (to × to).
  const wide = new Float64Array(from * to);
  for (let y = 0; y < from; y++) {
    const row = y * from;
    for (let x = 0; x < to; x++) {
      let sum = 0;
      for (const [k, w] of taps[x] as Taps) sum += (pixels[row + k] as number) * w;
      wide[y * to + x] = sum;
    }
  }
  const out = new Uint8Array(to * to);
  for (let y = 0; y < to; y++) {
    const tapsY = taps[y] as Taps;
    for (let x = 0; x < to; x++) {
      let sum = 0;
      for (const [k, w] of tapsY) sum += (wide[k * to + x] as number) * w;
      out[y * to + x] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return out;
}

/** Output pixel o covers source [o·f, (o + 1)·f), f = from / to > 1; weights are overlaps / f. */
function areaTaps(from: number, to: number): Taps[] {
  const f = from / to;
  return Array.from({ length: to }, (_, o) => {
    const start = o * f;
    const end = (o + 1) * f;
    const taps: [number, number][] = [];
    for (let k = Math.floor(start); k < Math.min(from, Math.ceil(end)); k++) {
      const overlap = Math.min(end, k + 1) - Math.max(start, k);
      if (overlap > 1e-12) taps.push([k, overlap / f]);
    }
    return taps;
  });
}

/** Output centre (o + ½)·from/to − ½ in source pixels, between its two neighbours, clamped at the edges. */
function bilinearTaps(from: number, to: number): Taps[] {
  return Array.from({ length: to }, (_, o) => {
    const x = Math.min(from - 1, Math.max(0, ((o + 0.5) * from) / to - 0.5));
    const k = Math.floor(x);
    const t = x - k;
    return k + 1 < from && t > 0
      ? [
          [k, 1 - t],
          [k + 1, t],
        ]
      : [[k, 1]];
  });
}
