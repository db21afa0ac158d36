import { describe, expect, it } from 'vitest';
import { regionGeometrySchema, type RegionGeometry } from '../../src-main/api/annotation-schemas';
import { rasterizeRegions } from '../../src-main/core/annotations/rasterize';
import { rasterizePolygon } from '../../src-main/core/simulator';

const count = (mask: Uint8Array): number => mask.reduce((sum, v) => sum + v, 0);
const region = (r: unknown): RegionGeometry => regionGeometrySchema.parse(r);
const image = { columns: 200, rows: 100 };

type Point = [number, number];
const equal = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
/** A mask from a predicate on mask pixel centres (x = j + 0.5, y = i + 0.5 at image size). */
const maskOf = (width: number, height: number, inside: (x: number, y: number) => boolean): Uint8Array => {
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < height; i++)
    for (let j = 0; j < width; j++) mask[i * width + j] = inside(j + 0.5, i + 0.5) ? 1 : 0;
  return mask;
};
const lcg =
  (seed: number): (() => number) =>
  () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };

/**
 * The slow definition the fast rasteriser must reproduce bit for bit: every
 * pixel of the whole mask, its centre mapped to image coordinates per axis,
 * tested against the region; regions in order, erasers clearing.
 */
function referenceRasterize(
  regions: readonly RegionGeometry[],
  img: { columns: number; rows: number },
  size = { width: img.columns, height: img.rows },
): Uint8Array {
  const mask = new Uint8Array(size.width * size.height);
  const sx = img.columns / size.width;
  const sy = img.rows / size.height;
  for (const r of regions) {
    const value = r.kind === 'stroke' && r.erase ? 0 : 1;
    for (let i = 0; i < size.height; i++) {
      for (let j = 0; j < size.width; j++) {
        if (referenceInside(r, (j + 0.5) * sx, (i + 0.5) * sy)) mask[i * size.width + j] = value;
      }
    }
  }
  return mask;
}

function referenceInside(r: RegionGeometry, x: number, y: number): boolean {
  switch (r.kind) {
    case 'rect':
      return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
    case 'ellipse': {
      const angle = (r.rotation * Math.PI) / 180;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const dx = x - r.cx;
      const dy = y - r.cy;
      const u = dx * cos + dy * sin;
      const v = -dx * sin + dy * cos;
      return (u * u) / (r.rx * r.rx) + (v * v) / (r.ry * r.ry) <= 1;
    }
    case 'polygon': {
      let inside = false;
      for (let k = 0, l = r.points.length - 1; k < r.points.length; l = k++) {
        const [xk, yk] = r.points[k] as Point;
        const [xl, yl] = r.points[l] as Point;
        if (yk > y !== yl > y && x < ((xl - xk) * (y - yk)) / (yl - yk) + xk) inside = !inside;
      }
      return inside;
    }
    case 'stroke': {
      const r2 = r.radius * r.radius;
      if (r.points.length === 1) {
        const [px, py] = r.points[0] as Point;
        return (x - px) ** 2 + (y - py) ** 2 <= r2;
      }
      for (let k = 1; k < r.points.length; k++) {
        if (capsuleDistance2(x, y, r.points[k - 1] as Point, r.points[k] as Point) <= r2) return true;
      }
      return false;
    }
  }
}

/** Squared distance from (x, y) to the segment a–b. */
function capsuleDistance2(x: number, y: number, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / length2));
  const px = a[0] + t * dx - x;
  const py = a[1] + t * dy - y;
  return px * px + py * py;
}

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
  it('fills a polygon with a hole (the path bridges to an inner ring), either ring direction, even-odd', () => {
    const outer: Point[] = [
      [10, 10],
      [30, 10],
      [30, 30],
      [10, 30],
      [10, 20],
    ];
    const innerClockwise: Point[] = [
      [15, 20],
      [15, 25],
      [25, 25],
      [25, 15],
      [15, 15],
      [15, 20],
    ];
    const innerCounter: Point[] = [
      [15, 20],
      [15, 15],
      [25, 15],
      [25, 25],
      [15, 25],
      [15, 20],
    ];
    // Every edge lies on integer coordinates, pixel centres on half-integers: no ties to decide.
    const expected = maskOf(
      200,
      100,
      (x, y) => x > 10 && x < 30 && y > 10 && y < 30 && !(x > 15 && x < 25 && y > 15 && y < 25),
    );
    expect(count(expected)).toBe(20 * 20 - 10 * 10);
    for (const inner of [innerClockwise, innerCounter]) {
      const mask = rasterizeRegions([region({ kind: 'polygon', points: [...outer, ...inner, [10, 20]] })], image);
      expect(equal(mask, expected)).toBe(true);
    }
  });

  it('leaves the crossing of a bow-tie and the centre of a pentagram empty (even-odd)', () => {
    // Shifted by a quarter pixel so no pixel centre lies on an edge.
    const bowTie = region({
      kind: 'polygon',
      points: [
        [0.25, 0],
        [8.25, 8],
        [8.25, 0],
        [0.25, 8],
      ],
    });
    const expectedBowTie = maskOf(200, 100, (x, y) => {
      const u = x - 0.25;
      const left = u > 0 && u < y && u < 8 - y;
      const right = x < 8.25 && u > y && u > 8 - y;
      return left || right;
    });
    const bowTieMask = rasterizeRegions([bowTie], image);
    expect(equal(bowTieMask, expectedBowTie)).toBe(true);
    expect(count(bowTieMask)).toBe(32);
    expect(bowTieMask[1 * 200 + 4]).toBe(0); // the upper wedge between the two triangles
    expect(bowTieMask[6 * 200 + 4]).toBe(0); // and the lower one

    // A regular pentagram drawn as one path (every second vertex of a pentagon).
    const [cx, cy, radius] = [100, 50, 45];
    const vertex = (k: number): Point => {
      const angle = ((-90 + 72 * k) * Math.PI) / 180;
      return [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)];
    };
    const star = region({ kind: 'polygon', points: [0, 2, 4, 1, 3].map(vertex) });
    // Independently: each of the five lines splits the plane; the five tips are exactly the
    // points on the far side (from the centre) of one line, the inner pentagon of none.
    const farSides = (x: number, y: number): number => {
      let sides = 0;
      for (let k = 0; k < 5; k++) {
        const [ax, ay] = vertex(k);
        const [bx, by] = vertex(k + 2);
        const side = (px: number, py: number): number => (bx - ax) * (py - ay) - (by - ay) * (px - ax);
        if (Math.sign(side(x, y)) !== Math.sign(side(cx, cy))) sides++;
      }
      return sides;
    };
    const starMask = rasterizeRegions([star], image);
    expect(
      equal(
        starMask,
        maskOf(200, 100, (x, y) => farSides(x, y) === 1),
      ),
    ).toBe(true);
    expect(starMask[50 * 200 + 100]).toBe(0); // the centre
    expect(starMask[48 * 200 + 112]).toBe(0); // still inside the inner pentagon (radius ≈ 17)
    for (let k = 0; k < 5; k++) {
      const [x, y] = vertex(k);
      const tip = [cx + 0.8 * (x - cx), cy + 0.8 * (y - cy)] as const;
      expect(starMask[Math.floor(tip[1]) * 200 + Math.floor(tip[0])], `tip ${k}`).toBe(1);
    }
  });

  it('paints a straight stroke exactly and a multi-point stroke as the union of its capsules', () => {
    // Radius 2 around (10.5…20.5, 10.5), hand-counted by row: dy 0 → 15, dy ±1 → 13, dy ±2 → 11.
    const straight = rasterizeRegions(
      [
        region({
          kind: 'stroke',
          points: [
            [10.5, 10.5],
            [20.5, 10.5],
          ],
          radius: 2,
        }),
      ],
      image,
    );
    expect(count(straight)).toBe(15 + 2 * 13 + 2 * 11);
    expect(straight[10 * 200 + 8]).toBe(1);
    expect(straight[9 * 200 + 8]).toBe(0);
    // An L: two such capsules of 63 pixels sharing 16 around the corner.
    const l: Point[] = [
      [10.5, 10.5],
      [20.5, 10.5],
      [20.5, 20.5],
    ];
    const lMask = rasterizeRegions([region({ kind: 'stroke', points: l, radius: 2 })], image);
    expect(count(lMask)).toBe(63 + 63 - 16);
    // A wandering stroke against the union of its capsules, each tested plainly.
    const random = lcg(11);
    const path: Point[] = Array.from({ length: 40 }, () => [random() * 220 - 10, random() * 120 - 10]);
    for (const radius of [0.7, 3, 12.5]) {
      const union = maskOf(200, 100, (x, y) =>
        path.slice(1).some((b, k) => capsuleDistance2(x, y, path[k] as Point, b) <= radius * radius),
      );
      const mask = rasterizeRegions([region({ kind: 'stroke', points: path, radius })], image);
      expect(equal(mask, union), `radius ${radius}`).toBe(true);
    }
  });

  it('clips regions that reach partly outside the image', () => {
    const corner = region({ kind: 'rect', x: 190, y: 90, width: 100, height: 100 });
    const cornerMask = rasterizeRegions([corner], image);
    expect(count(cornerMask)).toBe(10 * 10);
    expect(cornerMask[99 * 200 + 199]).toBe(1);
    const partly: RegionGeometry[] = [
      corner,
      region({ kind: 'ellipse', cx: 0, cy: 50, rx: 30, ry: 70, rotation: 20 }),
      region({
        kind: 'polygon',
        points: [
          [-40, -40],
          [60, 20],
          [250, -30],
          [180, 140],
        ],
      }),
      region({
        kind: 'stroke',
        points: [
          [-30, 50],
          [100, -20],
          [230, 120],
        ],
        radius: 6,
      }),
    ];
    for (const r of partly) {
      expect(() => rasterizeRegions([r], image)).not.toThrow();
      expect(equal(rasterizeRegions([r], image), referenceRasterize([r], image)), r.kind).toBe(true);
      expect(count(rasterizeRegions([r], image)), r.kind).toBeGreaterThan(0);
    }
  });

  it('gives an empty mask for regions entirely outside the image', () => {
    const outside: RegionGeometry[] = [
      region({ kind: 'rect', x: -50, y: 10, width: 50, height: 20 }), // ends exactly at the left edge
      region({ kind: 'rect', x: 200, y: 0, width: 10, height: 10 }),
      region({ kind: 'ellipse', cx: 100, cy: -30, rx: 40, ry: 29 }),
      region({
        kind: 'polygon',
        points: [
          [250, 10],
          [300, 10],
          [270, 80],
        ],
      }),
      region({
        kind: 'polygon',
        points: [
          [-1e6, -1e6],
          [-1e6 + 5, -1e6],
          [-1e6, -1e6 + 5],
        ],
      }),
      region({
        kind: 'stroke',
        points: [
          [-20, -20],
          [-5, 150],
        ],
        radius: 4.9,
      }),
      region({ kind: 'stroke', points: [[100, 1e9]], radius: 10 }),
    ];
    for (const r of outside) expect(count(rasterizeRegions([r], image)), JSON.stringify(r)).toBe(0);
    expect(count(rasterizeRegions(outside, image, { width: 37, height: 11 }))).toBe(0);
  });

  it('handles tiny regions: no pixel centre covered gives nothing, one covered gives one pixel', () => {
    const none: RegionGeometry[] = [
      region({ kind: 'rect', x: 10.6, y: 10.6, width: 0.3, height: 0.3 }),
      region({ kind: 'ellipse', cx: 50.2, cy: 50.2, rx: 0.1, ry: 0.2 }),
      region({
        kind: 'polygon',
        points: [
          [70.6, 70.6],
          [70.9, 70.6],
          [70.7, 70.9],
        ],
      }),
      region({ kind: 'stroke', points: [[30, 40]], radius: 0.3 }), // the nearest centres are √0.5 away
      region({
        kind: 'stroke',
        points: [
          [30, 40],
          [31, 40],
        ],
        radius: 0.4,
      }),
    ];
    for (const r of none) expect(count(rasterizeRegions([r], image)), r.kind).toBe(0);
    const one: [RegionGeometry, number][] = [
      [region({ kind: 'rect', x: 10.4, y: 20.4, width: 0.2, height: 0.2 }), 20 * 200 + 10],
      [region({ kind: 'rect', x: 33.5, y: 44.5, width: 0.01, height: 0.01 }), 44 * 200 + 33], // [x, x + w) holds the centre
      [region({ kind: 'ellipse', cx: 50.5, cy: 60.5, rx: 0.1, ry: 0.3, rotation: 45 }), 60 * 200 + 50],
      [
        region({
          kind: 'polygon',
          points: [
            [70.4, 70.4],
            [70.6, 70.4],
            [70.5, 70.6],
          ],
        }),
        70 * 200 + 70,
      ],
      [region({ kind: 'stroke', points: [[30.5, 40.5]], radius: 0.01 }), 40 * 200 + 30],
    ];
    for (const [r, index] of one) {
      const mask = rasterizeRegions([r], image);
      expect(count(mask), r.kind).toBe(1);
      expect(mask[index], r.kind).toBe(1);
    }
    // A rect ending exactly on a centre leaves it out (half-open).
    expect(count(rasterizeRegions([region({ kind: 'rect', x: 10, y: 10, width: 0.5, height: 0.5 })], image))).toBe(0);
  });

  it('fills the whole mask for regions far larger than the image', () => {
    const huge: RegionGeometry[] = [
      region({
        kind: 'polygon',
        points: [
          [-1000, -500],
          [3000, -500],
          [3000, 1500],
          [-1000, 1500],
        ],
      }),
      region({ kind: 'rect', x: -1e7, y: -1e7, width: 2e7, height: 2e7 }),
      region({ kind: 'ellipse', cx: 100, cy: 50, rx: 2000, ry: 1000, rotation: 30 }),
      region({
        kind: 'stroke',
        points: [
          [-500, 50],
          [700, 50],
        ],
        radius: 1000,
      }),
      region({ kind: 'stroke', points: [[100, 50]], radius: 1e6 }),
    ];
    for (const r of huge) {
      expect(count(rasterizeRegions([r], image)), r.kind).toBe(200 * 100);
      expect(count(rasterizeRegions([r], image, { width: 7, height: 300 })), r.kind).toBe(7 * 300);
    }
  });

  it('applies regions in order: an eraser clears only what was drawn before it', () => {
    const rect = region({ kind: 'rect', x: 20, y: 10, width: 60, height: 30 });
    // Centres within 2.1 of x = 50 are the 4 columns 48…51, over all 30 rows of the rectangle.
    const eraser = region({
      kind: 'stroke',
      points: [
        [50, 0],
        [50, 100],
      ],
      radius: 2.1,
      erase: true,
    });
    const patch = region({ kind: 'rect', x: 50, y: 10, width: 2, height: 30 });
    expect(count(rasterizeRegions([rect], image))).toBe(1800);
    expect(count(rasterizeRegions([rect, eraser], image))).toBe(1800 - 4 * 30);
    expect(count(rasterizeRegions([eraser, rect], image))).toBe(1800);
    expect(count(rasterizeRegions([rect, eraser, patch], image))).toBe(1800 - 4 * 30 + 2 * 30);
    expect(count(rasterizeRegions([eraser], image))).toBe(0);
    expect(
      equal(
        rasterizeRegions([rect, eraser], image),
        maskOf(200, 100, (x, y) => x > 20 && x < 80 && y > 10 && y < 40 && Math.abs(x - 50) > 2.1),
      ),
    ).toBe(true);
  });

  it('scales each axis on its own for a mask of another size than the image', () => {
    const rect = region({ kind: 'rect', x: 20, y: 10, width: 60, height: 30 });
    // 40×50 of 200×100: (j + 0.5)·5 in [20, 80) → j 4…15; (i + 0.5)·2 in [10, 40) → i 5…19.
    const down = rasterizeRegions([rect], image, { width: 40, height: 50 });
    expect(
      equal(
        down,
        maskOf(40, 50, (x, y) => x * 5 >= 20 && x * 5 < 80 && y * 2 >= 10 && y * 2 < 40),
      ),
    ).toBe(true);
    expect(count(down)).toBe(12 * 15);
    // 400×300: (j + 0.5)/2 in [20, 80) → j 40…159; (i + 0.5)/3 in [10, 40) → i 30…119.
    expect(count(rasterizeRegions([rect], image, { width: 400, height: 300 }))).toBe(120 * 90);
    // A circle in the image is an ellipse in a non-uniformly scaled mask.
    const circle = region({ kind: 'ellipse', cx: 100, cy: 50, rx: 30, ry: 30 });
    const squashed = rasterizeRegions([circle], image, { width: 40, height: 50 });
    expect(
      equal(
        squashed,
        maskOf(40, 50, (x, y) => (x * 5 - 100) ** 2 + (y * 2 - 50) ** 2 <= 900),
      ),
    ).toBe(true);
    const shapes: RegionGeometry[] = [
      circle,
      region({
        kind: 'polygon',
        points: [
          [20, 10],
          [180, 30],
          [60, 90],
          [150, 80],
        ],
      }),
      region({
        kind: 'stroke',
        points: [
          [10, 10],
          [100, 80],
          [190, 20],
        ],
        radius: 7,
      }),
      region({
        kind: 'stroke',
        points: [
          [100, 40],
          [100, 60],
        ],
        radius: 9,
        erase: true,
      }),
    ];
    for (const size of [
      { width: 40, height: 50 },
      { width: 56, height: 56 },
      { width: 333, height: 77 },
      { width: 1, height: 1 },
    ]) {
      expect(
        equal(rasterizeRegions(shapes, image, size), referenceRasterize(shapes, image, size)),
        `${size.width}×${size.height}`,
      ).toBe(true);
    }
  });

  it('matches the per-pixel definition on random strokes and polygons, bit for bit', () => {
    const random = lcg(2024);
    const coordinate = (extent: number): number => {
      const v = random() * extent * 1.6 - extent * 0.3;
      // Many on the pixel grid or its centres, where rounding decides ties.
      return random() < 0.3 ? Math.round(v * 2) / 2 : v;
    };
    for (let trial = 0; trial < 150; trial++) {
      const img = { columns: 10 + Math.floor(random() * 110), rows: 10 + Math.floor(random() * 110) };
      const size =
        random() < 0.4
          ? { width: img.columns, height: img.rows }
          : { width: 1 + Math.floor(random() * 150), height: 1 + Math.floor(random() * 150) };
      const regions: RegionGeometry[] = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
        if (random() < 0.3) {
          const points: Point[] = Array.from({ length: 3 + Math.floor(random() * 12) }, () => [
            coordinate(img.columns),
            coordinate(img.rows),
          ]);
          return region({ kind: 'polygon', points });
        }
        const points: Point[] = [];
        const length = 1 + Math.floor(random() * 40);
        for (let k = 0; k < length; k++) {
          const previous = points[k - 1];
          const step = random();
          // Mostly a wandering path; sometimes a repeated point, a vertical or a horizontal step.
          if (previous && step < 0.1) points.push([previous[0], previous[1]]);
          else if (previous && step < 0.2) points.push([previous[0], coordinate(img.rows)]);
          else if (previous && step < 0.3) points.push([coordinate(img.columns), previous[1]]);
          else points.push([coordinate(img.columns), coordinate(img.rows)]);
        }
        const radius = random() < 0.2 ? Math.round(random() * 8) / 2 + 0.5 : 0.05 + random() * random() * 30;
        return region({ kind: 'stroke', points, radius, erase: random() < 0.25 });
      });
      const ours = rasterizeRegions(regions, img, size);
      expect(equal(ours, referenceRasterize(regions, img, size)), `trial ${trial}: ${JSON.stringify(regions)}`).toBe(
        true,
      );
    }
  });

  it('rasterises a 500-point brush stroke across a 2048×2500 image quickly', () => {
    const points: Point[] = Array.from({ length: 500 }, (_, k) => [100 + k * 3.6, 1300 + 900 * Math.sin(k / 80)]);
    const stroke = region({ kind: 'stroke', points, radius: 20 });
    const big = { columns: 2048, rows: 2500 };
    rasterizeRegions([stroke], big); // warm up the JIT
    const started = performance.now();
    const mask = rasterizeRegions([stroke], big);
    const elapsed = performance.now() - started;
    // About 25 ms on a 2-core CI machine (the per-pixel definition takes ~10 s); generous for loaded runners.
    expect(elapsed).toBeLessThan(500);
    expect(count(mask)).toBeGreaterThan(500 * 3.6 * 40 * 0.9);
  });
});
