import { describe, expect, it } from 'vitest';
import { rasterizeRegions } from '../../src-main/core/annotations/rasterize';
import { traceOuterContours } from '../../src-main/core/annotations/trace-contours';
import { filledHoles } from '../helpers/filled-holes';

/** Rasterises traced contours back with the one rasteriser (each a filled polygon, united). */
function backToMask(mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const points of traceOuterContours(mask, width, height)) {
    rasterizeRegions([{ kind: 'polygon', points }], { columns: width, rows: height }).forEach((v, k) => {
      if (v) out[k] = 1;
    });
  }
  return out;
}


function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('traceOuterContours', () => {
  it('outlines one pixel clockwise on screen with its four corners', () => {
    const mask = new Uint8Array(9);
    mask[4] = 1;
    expect(traceOuterContours(mask, 3, 3)).toEqual([
      [
        [1, 1],
        [2, 1],
        [2, 2],
        [1, 2],
      ],
    ]);
  });

  it('keeps only the turning vertices of an L shape', () => {
    // ##.
    // #..
    const mask = Uint8Array.from([1, 1, 0, 1, 0, 0]);
    const [contour, ...rest] = traceOuterContours(mask, 3, 2);
    expect(rest).toEqual([]);
    expect(contour).toHaveLength(6);
  });

  it('gives pixels that touch only at a corner a contour each, and a ring one contour without its hole', () => {
    expect(traceOuterContours(Uint8Array.from([1, 0, 0, 1]), 2, 2)).toHaveLength(2);
    const ring = Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1]);
    const contours = traceOuterContours(ring, 3, 3);
    expect(contours).toHaveLength(1);
    expect(backToMask(ring, 3, 3)).toEqual(new Uint8Array(9).fill(1));
  });

  it('rasterises back to the same pixels, holes filled, for random masks touching the border', () => {
    const next = random(7);
    for (let trial = 0; trial < 60; trial++) {
      const width = 3 + Math.floor(next() * 30);
      const height = 3 + Math.floor(next() * 30);
      const density = 0.2 + next() * 0.6;
      const mask = Uint8Array.from({ length: width * height }, () => (next() < density ? 1 : 0));
      expect(backToMask(mask, width, height), `trial ${trial}`).toEqual(filledHoles(mask, width, height));
    }
  });

  it('finds nothing in an empty mask', () => {
    expect(traceOuterContours(new Uint8Array(12), 4, 3)).toEqual([]);
  });
});
