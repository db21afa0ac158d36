import { describe, expect, it } from 'vitest';
import { parseCohortOptions, type CohortOptionsInput } from '../../src-main/core/simulator/options';
import { unionMask } from '../../src-main/core/simulator/region';
import { simulateImage } from '../../src-main/core/simulator/simulate-image';

const size = 256;
const sameValues = (a: Uint16Array, b: Uint16Array | null): boolean =>
  b !== null && a.length === b.length && a.every((v, i) => v === b[i]);
const options = (extra: Partial<CohortOptionsInput> = {}) =>
  parseCohortOptions({ out: 'x', size, seed: 'unit', prevalence: 0.5, annotateFraction: 1, ...extra });

describe('simulateImage', () => {
  it('is deterministic', () => {
    const a = simulateImage(options(), 3, true);
    const b = simulateImage(options(), 3, true);
    expect(sameValues(a.pixels, b.pixels)).toBe(true);
    expect(a.annotations).toEqual(b.annotations);
    expect(a.truth).toEqual(b.truth);
    expect(simulateImage(options(), 4).pixels).not.toEqual(a.pixels);
  });

  it('keeps the anatomy, findings and noise when only the shortcut options change', () => {
    for (let index = 1; index <= 6; index++) {
      const strong = simulateImage(options({ shortcut: { strength: 1, mode: 'label' } }), index, true);
      const none = simulateImage(options({ shortcut: { mode: 'none', otherMode: 'none' } }), index, true);
      expect(sameValues(strong.twin as Uint16Array, none.twin)).toBe(true);
      expect(strong.window).toEqual(none.window);
      expect(none.marker.present).toBe(false);
      expect(sameValues(none.pixels, none.twin)).toBe(true);
    }
  });

  it('paints a saturated marker only inside its box; the twin differs nowhere else', () => {
    let seen = 0;
    for (let index = 1; index <= 12; index++) {
      const image = simulateImage(
        options({ shortcut: { group: 'none', mode: 'random', markerRate: 0.5 } }),
        index,
        true,
      );
      const twin = image.twin as Uint16Array;
      const [bx, by, bw, bh] = image.marker.placement.box;
      let changedOutside = 0;
      let bright = 0;
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const i = y * size + x;
          const inside = x >= bx && x < bx + bw && y >= by && y < by + bh;
          if (!inside && image.pixels[i] !== twin[i]) changedOutside++;
          if (inside && (image.pixels[i] as number) >= 0.9 * 4095) bright++;
        }
      expect(changedOutside).toBe(0);
      // The R glyph covers 17 of its 5 × 7 cells.
      const cells = 17 * (bw / 5) * (bh / 7);
      if (image.marker.present) {
        seen++;
        expect(bright).toBeGreaterThan(0.8 * cells);
      } else expect(bright).toBeLessThan(0.05 * cells);
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('gives every positive finding a region, no negative one, and lesions that stand out', () => {
    let nodules = 0;
    for (let index = 1; index <= 16; index++) {
      const image = simulateImage(options(), index, true);
      for (const finding of ['nodule', 'effusion', 'edema'] as const) {
        const regions = image.truth[finding];
        if (image.labels[finding] !== 1) {
          expect(regions).toBeUndefined();
          expect(image.annotations[finding]).toBeUndefined();
          continue;
        }
        expect(regions?.length).toBeGreaterThan(0);
        const mask = unionMask(regions ?? [], size, size);
        expect(mask.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
      }
      if (image.labels.nodule === 1) {
        nodules++;
        // A visible lesion: at least 10 % of full scale brighter than the lung around it.
        expect(noduleContrast(image.twin as Uint16Array, image.truth.nodule ?? [])).toBeGreaterThan(0.1 * 4095);
      }
    }
    expect(nodules).toBeGreaterThan(2);
  });

  it('makes nodules invisible at amplitude 0 (the contrast check can fail)', () => {
    const faint = options({ findings: ['nodule'], prevalence: 1, lesion: { noduleAmplitude: 0 } });
    for (let index = 1; index <= 4; index++) {
      const image = simulateImage(faint, index, true);
      expect(Math.abs(noduleContrast(image.twin as Uint16Array, image.truth.nodule ?? []))).toBeLessThan(0.03 * 4095);
    }
  });
});

/** Grows a mask by `steps` pixels (3 × 3 neighbourhood per step). */
function dilate(mask: Uint8Array, steps: number): Uint8Array {
  let current = mask;
  for (let k = 0; k < steps; k++) {
    const next = current.slice();
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        if (current[y * size + x] !== 1) continue;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && xx >= 0 && yy < size && xx < size) next[yy * size + xx] = 1;
          }
      }
    current = next;
  }
  return current;
}

/** Mean value inside the nodules minus the mean of a ring 3–6 px around them, in stored values. */
function noduleContrast(pixels: Uint16Array, regions: Parameters<typeof unionMask>[0]): number {
  const inside = unionMask(regions, size, size);
  const near = dilate(inside, 3);
  const far = dilate(inside, 6);
  let sumIn = 0;
  let nIn = 0;
  let sumRing = 0;
  let nRing = 0;
  for (let i = 0; i < inside.length; i++) {
    if (inside[i] === 1) {
      sumIn += pixels[i] as number;
      nIn++;
    } else if (far[i] === 1 && near[i] === 0) {
      sumRing += pixels[i] as number;
      nRing++;
    }
  }
  return sumIn / nIn - sumRing / nRing;
}
