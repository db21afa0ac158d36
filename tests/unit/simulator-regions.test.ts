import { describe, expect, it } from 'vitest';
import { drawPolygon, polygonContains, rasterizePolygon, readerStyles } from '../../src-main/core/simulator/annotate';
import { Rng } from '../../src-main/core/simulator/prng';
import {
  decodeRle,
  encodeRle,
  maskBox,
  regionWhere,
  unionMask,
  type Region,
} from '../../src-main/core/simulator/region';
import { warpRegion } from '../../src-main/core/simulator/acquisition';

describe('COCO RLE', () => {
  it('runs down columns first, starting with zeros', () => {
    // 3 rows × 2 columns:
    // 0 1
    // 1 1
    // 0 0
    const mask = Uint8Array.from([0, 1, 1, 1, 0, 0]);
    // Column-major: column 0 = 0,1,0; column 1 = 1,1,0 → 0 | 1 | 0 1 1 | 0 → runs 1,1,1,2,1.
    expect(encodeRle(mask, 2, 3)).toEqual({ size: [3, 2], counts: [1, 1, 1, 2, 1] });
    expect(encodeRle(Uint8Array.from([1, 1]), 2, 1).counts).toEqual([0, 2]);
  });

  it('decodes what it encodes, and refuses runs that do not fill the mask', () => {
    const rng = new Rng('rle');
    const mask = Uint8Array.from({ length: 37 * 23 }, () => (rng.chance(0.3) ? 1 : 0));
    expect(Array.from(decodeRle(encodeRle(mask, 37, 23)))).toEqual(Array.from(mask));
    expect(() => decodeRle({ size: [2, 2], counts: [1, 1] })).toThrow(RangeError);
    expect(() => decodeRle({ size: [2, 2], counts: [3, 3] })).toThrow(RangeError);
  });
});

describe('regions', () => {
  it('select pixel centres inside a shape, and union into a full mask with its box', () => {
    const size = 20;
    const disc = regionWhere(
      size,
      { u0: 0.2, v0: 0.3, u1: 0.6, v1: 0.7 },
      (u, v) => (u - 0.4) ** 2 + (v - 0.5) ** 2 < 0.15 ** 2,
    );
    const mask = unionMask([disc], size, size);
    // Pixel centres (x + ½)/20 within 0.15 of (0.4, 0.5): x + ½ in (5, 11) and y + ½ in (7, 13).
    expect(maskBox(mask, size, size)).toEqual([5, 7, 6, 6]);
    expect(mask[10 * size + 8]).toBe(1);
    expect(mask[7 * size + 5]).toBe(0);
  });

  it('carry through an identity acquisition unchanged, and move with a shift', () => {
    const size = 64;
    const region = regionWhere(size, { u0: 0.3, v0: 0.3, u1: 0.5, v1: 0.45 }, () => true);
    const still = warpRegion(region, size, { rotation: 0, shiftX: 0, shiftY: 0, exposure: 1 });
    expect(Array.from(unionMask([still], size, size))).toEqual(Array.from(unionMask([region], size, size)));
    const moved = warpRegion(region, size, { rotation: 0, shiftX: 4 / size, shiftY: -2 / size, exposure: 1 });
    const a = maskBox(unionMask([region], size, size), size, size);
    const b = maskBox(unionMask([moved], size, size), size, size);
    expect(b).toEqual([(a?.[0] ?? 0) + 4, (a?.[1] ?? 0) - 2, a?.[2], a?.[3]]);
  });
});

describe('readers and polygons', () => {
  const circle = (cx: number, cy: number, r: number): Region =>
    regionWhere(
      256,
      { u0: (cx - r) / 256, v0: (cy - r) / 256, u1: (cx + r) / 256, v1: (cy + r) / 256 },
      (u, v) => Math.hypot(u * 256 - cx, v * 256 - cy) < r,
    );

  it('readers differ in style, the same reader is the same in every cohort of a seed', () => {
    const styles = readerStyles('s', 3);
    expect(styles.map((s) => s.name)).toEqual(['reader-1', 'reader-2', 'reader-3']);
    expect(readerStyles('s', 3)).toEqual(styles);
    expect(new Set(styles.map((s) => s.margin)).size).toBe(3);
    for (const s of styles) expect(s.margin).toBeGreaterThan(0);
  });

  it('draw a polygon larger than the region, irregular, that covers nearly all of it', () => {
    const region = circle(100, 120, 12);
    const truth = unionMask([region], 256, 256);
    const truthArea = truth.reduce((a, b) => a + b, 0);
    for (const style of readerStyles('polygons', 3)) {
      for (let k = 0; k < 10; k++) {
        const polygon = drawPolygon(region, 256, 256, style, new Rng('poly', style.name, k));
        expect(polygon).not.toBeNull();
        const drawn = rasterizePolygon(polygon ?? [], 256, 256);
        let overlap = 0;
        let area = 0;
        for (let i = 0; i < drawn.length; i++) {
          area += drawn[i] as number;
          overlap += (drawn[i] as number) & (truth[i] as number);
        }
        expect(overlap / truthArea).toBeGreaterThan(0.9);
        expect(area).toBeGreaterThan(truthArea);
        expect(area).toBeLessThan(truthArea * 4);
        const radii = (polygon ?? []).map(([x, y]) => Math.hypot(x - 100.5, y - 120.5));
        // Irregular: not every vertex at the same distance.
        expect(Math.max(...radii) - Math.min(...radii)).toBeGreaterThan(0.5);
      }
    }
  });

  it('keep vertices inside the image, and give nothing for an empty region', () => {
    const corner = circle(3, 3, 6);
    const polygon = drawPolygon(corner, 256, 256, readerStyles('edge', 1)[0]!, new Rng('edge'));
    for (const [x, y] of polygon ?? []) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(256);
      expect(y).toBeLessThanOrEqual(256);
    }
    const empty: Region = { x0: 0, y0: 0, width: 2, height: 2, mask: new Uint8Array(4) };
    expect(drawPolygon(empty, 256, 256, readerStyles('edge', 1)[0]!, new Rng('edge'))).toBeNull();
  });

  it('tests points against a polygon with the even-odd rule', () => {
    const square: [number, number][] = [
      [1, 1],
      [5, 1],
      [5, 5],
      [1, 5],
    ];
    expect(polygonContains(square, 3, 3)).toBe(true);
    expect(polygonContains(square, 6, 3)).toBe(false);
    expect(rasterizePolygon(square, 8, 8).reduce((a, b) => a + b, 0)).toBe(16);
  });
});
