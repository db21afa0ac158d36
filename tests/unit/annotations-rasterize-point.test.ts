import { describe, expect, it } from 'vitest';
import { regionGeometrySchema, type RegionGeometry } from '../../src-main/api/annotation-schemas';
import { rasterizedPixel, rasterizeRegions } from '../../src-main/core/annotations/rasterize';

/**
 * rasterizedPixel is the pointing game's shortcut (one pixel instead of a 2048×2500 mask): it must equal the
 * rasteriser at every pixel, for every kind of region, erasers included, at image size and at other sizes.
 */
const region = (r: unknown): RegionGeometry => regionGeometrySchema.parse(r);

function lcg(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

function randomRegion(random: () => number, columns: number, rows: number): RegionGeometry {
  const x = (): number => random() * (columns + 40) - 20;
  const y = (): number => random() * (rows + 40) - 20;
  switch (Math.floor(random() * 5)) {
    case 0:
      return region({ kind: 'rect', x: x(), y: y(), width: 0.3 + random() * 60, height: 0.3 + random() * 40 });
    case 1:
      return region({
        kind: 'ellipse',
        cx: x(),
        cy: y(),
        rx: 0.2 + random() * 40,
        ry: 0.2 + random() * 30,
        rotation: random() * 360 - 180,
      });
    case 2:
      return region({
        kind: 'polygon',
        points: Array.from({ length: 3 + Math.floor(random() * 12) }, () => [x(), y()]),
      });
    case 3:
      // Integer and half-integer vertices: edges through pixel centres, the ties a point test must break alike.
      return region({
        kind: 'polygon',
        points: Array.from({ length: 3 + Math.floor(random() * 6) }, () => [
          Math.round(x() * 2) / 2,
          Math.round(y() * 2) / 2,
        ]),
      });
    default:
      return region({
        kind: 'stroke',
        points: Array.from({ length: 1 + Math.floor(random() * 8) }, () => [x(), y()]),
        radius: 0.3 + random() * 12,
        erase: random() < 0.35,
      });
  }
}

function everyPixel(
  regions: readonly RegionGeometry[],
  image: { columns: number; rows: number },
  size = { width: image.columns, height: image.rows },
): Uint8Array {
  const mask = new Uint8Array(size.width * size.height);
  for (let i = 0; i < size.height; i++)
    for (let j = 0; j < size.width; j++) mask[i * size.width + j] = rasterizedPixel(regions, image, j, i, size);
  return mask;
}

const differences = (a: Uint8Array, b: Uint8Array): number => a.reduce((n, v, k) => n + (v === b[k] ? 0 : 1), 0);

describe('rasterizedPixel', () => {
  it('equals the rasteriser at every pixel of random region sets (all kinds, erasers) at image size', () => {
    const random = lcg(2024);
    const image = { columns: 97, rows: 71 };
    let set = 0;
    for (let trial = 0; trial < 60; trial++) {
      const regions = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
        randomRegion(random, image.columns, image.rows),
      );
      const mask = rasterizeRegions(regions, image);
      set += mask.reduce((n, v) => n + v, 0);
      expect(differences(everyPixel(regions, image), mask), JSON.stringify(regions)).toBe(0);
    }
    expect(set).toBeGreaterThan(1000); // the trials did paint pixels
  });

  it('equals the rasteriser at other mask sizes (per-axis scaling, as the model-size cache)', () => {
    const random = lcg(7);
    const image = { columns: 150, rows: 110 };
    for (const size of [
      { width: 56, height: 56 },
      { width: 37, height: 90 },
      { width: 300, height: 220 },
    ]) {
      for (let trial = 0; trial < 10; trial++) {
        const regions = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
          randomRegion(random, image.columns, image.rows),
        );
        const mask = rasterizeRegions(regions, image, size);
        expect(differences(everyPixel(regions, image, size), mask), `${size.width}×${size.height}`).toBe(0);
      }
    }
  });

  it('follows the edge conventions: a rectangle is half-open, an eraser clears what came before it', () => {
    const image = { columns: 20, rows: 20 };
    const rect = region({ kind: 'rect', x: 2, y: 3, width: 4, height: 5 });
    expect(rasterizedPixel([rect], image, 2, 3)).toBe(1); // centre (2.5, 3.5)
    expect(rasterizedPixel([rect], image, 5, 7)).toBe(1);
    expect(rasterizedPixel([rect], image, 6, 7)).toBe(0); // centre 6.5 >= x + width
    const eraser = region({ kind: 'stroke', points: [[4.5, 5.5]], radius: 1, erase: true });
    expect(rasterizedPixel([rect, eraser], image, 4, 5)).toBe(0);
    expect(rasterizedPixel([eraser, rect], image, 4, 5)).toBe(1);
    expect(rasterizedPixel([], image, 0, 0)).toBe(0);
  });

  it('refuses pixels outside the mask', () => {
    const image = { columns: 10, rows: 8 };
    expect(() => rasterizedPixel([], image, 10, 0)).toThrow(/outside/);
    expect(() => rasterizedPixel([], image, 0, -1)).toThrow(/not a mask pixel/);
    expect(() => rasterizedPixel([], image, 1.5, 0)).toThrow(/not a mask pixel/);
  });
});
