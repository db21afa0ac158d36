import { describe, expect, it } from 'vitest';
import { regionGeometrySchema, type RegionGeometry } from '../../src-main/api/annotation-schemas';
import { rasterizeRegions } from '../../src-main/core/annotations/rasterize';
import { rasterizePolygon } from '../../src-main/core/simulator';

const count = (mask: Uint8Array): number => mask.reduce((sum, v) => sum + v, 0);
const region = (r: unknown): RegionGeometry => regionGeometrySchema.parse(r);
const image = { columns: 200, rows: 100 };

describe('rasterizeRegions', () => {
  it('fills an integer-aligned rectangle exactly, at image size and at a coarser mask size', () => {
    const rect = region({ kind: 'rect', x: 20, y: 10, width: 60, height: 30 });
    const full = rasterizeRegions([rect], image);
    expect(count(full)).toBe(60 * 30);
    expect(full[10 * 200 + 20]).toBe(1);
    expect(full[10 * 200 + 19]).toBe(0);
    expect(full[40 * 200 + 20]).toBe(0);
    // Each axis scaled as the model-size cache is: a 50×25 mask of a 200×100 image.
    expect(count(rasterizeRegions([rect], image, { width: 50, height: 25 }))).toBe(15 * 8); // centres (j + 0.5)·4 in [20, 80) and (i + 0.5)·4 in [10, 40)
  });

  it('agrees with the simulator polygon rasteriser (pixel centres, even-odd)', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 20; trial++) {
      const points: [number, number][] = Array.from({ length: 3 + Math.floor(random() * 8) }, () => [
        random() * 200,
        random() * 100,
      ]);
      const ours = rasterizeRegions([region({ kind: 'polygon', points })], image);
      expect(Buffer.from(ours).equals(Buffer.from(rasterizePolygon(points, 200, 100))), `trial ${trial}`).toBe(true);
    }
  });

  it('fills ellipses with the right area, and a quarter turn swaps the radii', () => {
    const ellipse = region({ kind: 'ellipse', cx: 100, cy: 50, rx: 40, ry: 20 });
    const area = count(rasterizeRegions([ellipse], image));
    expect(Math.abs(area - Math.PI * 40 * 20)).toBeLessThan(2 * Math.PI * 40); // within one perimeter of pixels
    const turned = rasterizeRegions(
      [region({ kind: 'ellipse', cx: 100, cy: 50, rx: 20, ry: 40, rotation: 90 })],
      image,
    );
    expect(Buffer.from(turned).equals(Buffer.from(rasterizeRegions([ellipse], image)))).toBe(true);
  });

  it('paints brush strokes as capsules and erases with an eraser stroke drawn later', () => {
    const dot = rasterizeRegions([region({ kind: 'stroke', points: [[50, 50]], radius: 10 })], image);
    expect(Math.abs(count(dot) - Math.PI * 100)).toBeLessThan(2 * Math.PI * 10);
    const line = region({
      kind: 'stroke',
      points: [
        [20, 50],
        [120, 50],
      ],
      radius: 5,
    });
    const painted = count(rasterizeRegions([line], image));
    expect(Math.abs(painted - (100 * 10 + Math.PI * 25))).toBeLessThan(2 * (100 + Math.PI * 5));
    const eraser = region({
      kind: 'stroke',
      points: [
        [70, 40],
        [70, 60],
      ],
      radius: 10,
      erase: true,
    });
    const erased = rasterizeRegions([line, eraser], image);
    expect(erased[50 * 200 + 70]).toBe(0);
    expect(erased[50 * 200 + 30]).toBe(1);
    // Order matters: an eraser before the paint erases nothing.
    const eraserFirst = rasterizeRegions([eraser, line], image);
    expect(count(eraserFirst)).toBe(painted);
  });

  it('clips regions that reach outside the image', () => {
    expect(count(rasterizeRegions([region({ kind: 'rect', x: -50, y: -50, width: 100, height: 100 })], image))).toBe(
      50 * 50,
    );
  });

  it('refuses impossible sizes and geometry', () => {
    expect(() => rasterizeRegions([], { columns: 0, rows: 10 })).toThrow(RangeError);
    expect(() => rasterizeRegions([], image, { width: 2.5, height: 3 })).toThrow(RangeError);
    expect(() =>
      region({
        kind: 'polygon',
        points: [
          [0, 0],
          [1, 1],
        ],
      }),
    ).toThrow();
    expect(() => region({ kind: 'stroke', points: [[0, 0]], radius: -1 })).toThrow();
    expect(() => region({ kind: 'circle', x: 1 })).toThrow();
  });
});
