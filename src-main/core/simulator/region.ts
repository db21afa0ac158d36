/**
 * Binary regions (a finding's exact extent) as a mask over a bounding box, and their encodings: a full-image
 * mask, COCO-style uncompressed RLE, a bounding box.
 */
export interface Region {
  /** Left column and top row of the box, pixels. */
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
  /** width × height, row-major, 1 inside. */
  readonly mask: Uint8Array;
}

/** The region of pixels (centres at ((x + ½)/size, (y + ½)/size)) within the box for which `inside` holds. */
export function regionWhere(
  size: number,
  box: { readonly u0: number; readonly v0: number; readonly u1: number; readonly v1: number },
  inside: (u: number, v: number, index: number) => boolean,
): Region {
  const x0 = Math.max(0, Math.floor(box.u0 * size));
  const y0 = Math.max(0, Math.floor(box.v0 * size));
  const x1 = Math.min(size - 1, Math.ceil(box.u1 * size));
  const y1 = Math.min(size - 1, Math.ceil(box.v1 * size));
  const width = Math.max(0, x1 - x0 + 1);
  const height = Math.max(0, y1 - y0 + 1);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const v = (y0 + y + 0.5) / size;
    for (let x = 0; x < width; x++) {
      const i = (y0 + y) * size + x0 + x;
      if (inside((x0 + x + 0.5) / size, v, i)) mask[y * width + x] = 1;
    }
  }
  return { x0, y0, width, height, mask };
}

export function regionArea(region: Region): number {
  let n = 0;
  for (const m of region.mask) n += m;
  return n;
}

/** The regions' union as a width × height mask (1 inside). */
export function unionMask(regions: readonly Region[], width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const r of regions) {
    for (let y = 0; y < r.height; y++) {
      const iy = r.y0 + y;
      if (iy < 0 || iy >= height) continue;
      for (let x = 0; x < r.width; x++) {
        const ix = r.x0 + x;
        if (ix >= 0 && ix < width && r.mask[y * r.width + x] === 1) out[iy * width + ix] = 1;
      }
    }
  }
  return out;
}

/** [x, y, width, height] of the pixels set in a full mask, or null when none is. */
export function maskBox(mask: Uint8Array, width: number, height: number): [number, number, number, number] | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] !== 1) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

/**
 * COCO's uncompressed RLE: `counts` alternate runs of 0 and 1 in column-major order (down each column, columns
 * left to right), starting with a (possibly empty) run of 0; `size` is [height, width].
 */
export interface Rle {
  readonly size: readonly [number, number];
  readonly counts: readonly number[];
}

export function encodeRle(mask: Uint8Array, width: number, height: number): Rle {
  const counts: number[] = [];
  const box = maskBox(mask, width, height);
  if (!box) return { size: [height, width], counts: [width * height] };
  const [bx, , bw] = box;
  let current = 0;
  // Columns left and right of the box are all 0: whole runs without reading them.
  let run = bx * height;
  for (let x = bx; x < bx + bw; x++) {
    for (let y = 0; y < height; y++) {
      const value = mask[y * width + x] === 1 ? 1 : 0;
      if (value !== current) {
        counts.push(run);
        run = 0;
        current = value;
      }
      run++;
    }
  }
  const after = (width - bx - bw) * height;
  if (current === 1) {
    counts.push(run);
    if (after > 0) counts.push(after);
  } else counts.push(run + after);
  return { size: [height, width], counts };
}

/** The mask (row-major, 1 inside) an {@link Rle} describes. @throws RangeError when the runs do not fill it */
export function decodeRle(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  const mask = new Uint8Array(width * height);
  let at = 0;
  rle.counts.forEach((count, k) => {
    if (at + count > width * height) throw new RangeError('RLE runs exceed the mask size');
    if (k % 2 === 1) {
      for (let j = at; j < at + count; j++) mask[(j % height) * width + Math.floor(j / height)] = 1;
    }
    at += count;
  });
  if (at !== width * height) throw new RangeError(`RLE runs cover ${at} pixels, the mask has ${width * height}`);
  return mask;
}
