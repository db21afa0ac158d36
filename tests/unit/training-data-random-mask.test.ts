import { describe, expect, it } from 'vitest';
import {
  randomAlignmentMask,
  randomAlignmentMaskFor,
  randomMaskRadius,
} from '../../src-main/core/training/data/random-mask';
import { createRng } from '../../src-main/core/training/data/rng';

const R = 56;
const centroid = (mask: Uint8Array, side: number): [number, number] => {
  let [sx, sy, n] = [0, 0, 0];
  mask.forEach((v, i) => {
    if (v) {
      sx += i % side;
      sy += Math.floor(i / side);
      n++;
    }
  });
  return [sx / n, sy / n];
};

describe('randomAlignmentMask', () => {
  it('draws one non-empty blob of lesion size, wholly inside the mask', () => {
    const rng = createRng(3, 'shapes');
    const minArea = Math.PI * (randomMaskRadius.min * R) ** 2 * 0.3;
    const maxArea = Math.PI * (randomMaskRadius.max * R * 1.4) ** 2;
    for (let k = 0; k < 60; k++) {
      const mask = randomAlignmentMask(R, rng);
      expect(mask).toHaveLength(R * R);
      const area = mask.reduce((s, v) => s + v, 0);
      expect(area).toBeGreaterThan(minArea);
      expect(area).toBeLessThan(maxArea);
      // Wholly inside: the centroid is at least about the shape's own radius from every edge (a shape cut by an
      // edge has its centroid closer to that edge than its equivalent radius).
      const [cx, cy] = centroid(mask, R);
      const radius = Math.sqrt(area / Math.PI);
      for (const d of [cx, cy, R - cx, R - cy]) expect(d).toBeGreaterThan(0.8 * radius);
      // One blob: the bounding box is compact (no scattered pixels).
      const xs: number[] = [];
      mask.forEach((v, i) => v && xs.push(i % R));
      expect(Math.max(...xs) - Math.min(...xs)).toBeLessThan(2 * 1.4 * randomMaskRadius.max * R + 2);
    }
    // A tiny mask still gets a pixel.
    expect(randomAlignmentMask(2, createRng(1)).includes(1)).toBe(true);
    expect(() => randomAlignmentMask(0, createRng(1))).toThrow(RangeError);
  });

  it('places shapes all over the mask, never wrapping past its edges', () => {
    const rng = createRng(8, 'spread');
    const centres = Array.from({ length: 200 }, () => centroid(randomAlignmentMask(R, rng), R));
    const xs = centres.map(([x]) => x);
    const ys = centres.map(([, y]) => y);
    expect(Math.min(...xs)).toBeLessThan(R * 0.2);
    expect(Math.max(...xs)).toBeGreaterThan(R * 0.8);
    expect(Math.min(...ys)).toBeLessThan(R * 0.2);
    expect(Math.max(...ys)).toBeGreaterThan(R * 0.8);
  });

  it('is a function of (seed, epoch, image key, finding) and moves between epochs', () => {
    const a = randomAlignmentMaskFor(1, 0, 'image-17', 0, R);
    expect([...randomAlignmentMaskFor(1, 0, 'image-17', 0, R)]).toEqual([...a]);
    const epochs = [1, 2, 3, 4].map((epoch) => randomAlignmentMaskFor(1, epoch, 'image-17', 0, R));
    for (const m of epochs) expect([...m]).not.toEqual([...a]);
    const moved = epochs.map((m) => Math.hypot(...centroid(m, R).map((v, i) => v - (centroid(a, R)[i] as number))));
    expect(Math.max(...moved)).toBeGreaterThan(R * 0.1);
    expect([...randomAlignmentMaskFor(1, 0, 'image-18', 0, R)]).not.toEqual([...a]);
    expect([...randomAlignmentMaskFor(1, 0, 'image-17', 1, R)]).not.toEqual([...a]);
    expect([...randomAlignmentMaskFor(2, 0, 'image-17', 0, R)]).not.toEqual([...a]);
  });
});
