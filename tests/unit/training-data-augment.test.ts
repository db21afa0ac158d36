import { describe, expect, it } from 'vitest';
import { augment } from '../../src-main/core/training/data/augment';
import { createRng } from '../../src-main/core/training/data/rng';

const S = 64;
const R = 16;

/** An image bright where (x, y) (normalised) satisfies `inside`, and its mask at R. */
function scene(inside: (x: number, y: number) => boolean): { pixels: Uint8Array; mask: Uint8Array } {
  const pixels = new Uint8Array(S * S);
  for (let i = 0; i < S; i++)
    for (let j = 0; j < S; j++) pixels[i * S + j] = inside((j + 0.5) / S, (i + 0.5) / S) ? 220 : 20;
  const mask = new Uint8Array(R * R);
  for (let i = 0; i < R; i++)
    for (let j = 0; j < R; j++) mask[i * R + j] = inside((j + 0.5) / R, (i + 0.5) / R) ? 1 : 0;
  return { pixels, mask };
}

/** Share of the bright mass in the left half. */
function leftShare(pixels: Float32Array): number {
  let left = 0;
  let total = 0;
  pixels.forEach((v, i) => {
    total += v;
    if (i % S < S / 2) left += v;
  });
  return left / total;
}

describe('augment', () => {
  it('never flips: an image bright only in its left half stays bright on the left', () => {
    const { pixels, mask } = scene((x) => x < 0.5);
    for (let k = 0; k < 200; k++) {
      const out = augment(pixels, [mask], S, R, createRng(k, 'flip'), { brightness: 0, contrast: 0 });
      const dark = out.pixels.map((v) => Math.max(0, v - 20 / 255));
      expect(leftShare(dark)).toBeGreaterThan(0.85);
      const m = out.masks[0] as Uint8Array;
      let left = 0;
      m.forEach((v, i) => (left += i % R < R / 2 ? v : 0));
      expect(left / m.reduce((s, v) => s + v, 0)).toBeGreaterThan(0.85);
    }
  });

  it('moves the masks with the image (nearest at their own resolution)', () => {
    const { pixels, mask } = scene((x, y) => Math.hypot(x - 0.4, y - 0.6) < 0.25);
    const centre = (p: ArrayLike<number>, side: number, threshold: number): [number, number] => {
      let [sx, sy, n] = [0, 0, 0];
      for (let i = 0; i < p.length; i++) {
        const w = Math.max(0, (p[i] as number) - threshold);
        sx += (w * ((i % side) + 0.5)) / side;
        sy += (w * (Math.floor(i / side) + 0.5)) / side;
        n += w;
      }
      return [sx / n, sy / n];
    };
    const still = centre(pixels, S, 120);
    let travelled = 0;
    for (let k = 0; k < 30; k++) {
      const out = augment(pixels, [mask, null], S, R, createRng(k, 'move'), { brightness: 0, contrast: 0 });
      expect(out.masks[1]).toBeNull();
      const moved = out.masks[0] as Uint8Array;
      const [ix, iy] = centre(out.pixels, S, 0.5);
      const [mx, my] = centre(moved, R, 0);
      expect(Math.abs(ix - mx)).toBeLessThan(0.5 / R);
      expect(Math.abs(iy - my)).toBeLessThan(0.5 / R);
      travelled = Math.max(travelled, Math.hypot(ix - still[0], iy - still[1]));
      // Each mask pixel's 4×4 block of image pixels is bright where the mask is set, dark elsewhere.
      let agree = 0;
      for (let i = 0; i < R; i++) {
        for (let j = 0; j < R; j++) {
          let sum = 0;
          for (let a = 0; a < 4; a++) {
            for (let b = 0; b < 4; b++) sum += out.pixels[(i * 4 + a) * S + j * 4 + b] as number;
          }
          if (sum / 16 > 0.47 === (moved[i * R + j] === 1)) agree++;
        }
      }
      expect(agree / (R * R)).toBeGreaterThan(0.93);
    }
    expect(travelled).toBeGreaterThan(0.5 / R);
  });

  it('shifts by at most ±4 % and scales by at most ±5 % by default', () => {
    const { pixels } = scene((x, y) => Math.hypot(x - 0.5, y - 0.5) < 0.1);
    const centre = (p: Float32Array): [number, number] => {
      let [sx, sy, n] = [0, 0, 0];
      p.forEach((v, i) => {
        const w = Math.max(0, v - 0.5);
        sx += w * ((i % S) + 0.5);
        sy += w * (Math.floor(i / S) + 0.5);
        n += w;
      });
      return [sx / n / S, sy / n / S];
    };
    const shifts = Array.from({ length: 100 }, (_, k) => {
      const [x, y] = centre(augment(pixels, [], S, R, createRng(k, 'shift'), { brightness: 0, contrast: 0 }).pixels);
      return Math.max(Math.abs(x - 0.5), Math.abs(y - 0.5));
    });
    expect(Math.max(...shifts)).toBeLessThan(0.045);
    expect(Math.max(...shifts)).toBeGreaterThan(0.02);
  });

  it('is deterministic for an rng state, jitters brightness and contrast, and can be turned off', () => {
    const { pixels, mask } = scene((x, y) => x + y < 0.8);
    const a = augment(pixels, [mask], S, R, createRng(1, 'same'));
    const b = augment(pixels, [mask], S, R, createRng(1, 'same'));
    expect([...a.pixels]).toEqual([...b.pixels]);
    expect([...(a.masks[0] as Uint8Array)]).toEqual([...(b.masks[0] as Uint8Array)]);
    const rng = createRng(1, 'same');
    augment(pixels, [mask], S, R, rng);
    const drawn = rng.getState();
    expect(drawn).not.toEqual(createRng(1, 'same').getState());
    const means = Array.from({ length: 20 }, (_, k) =>
      augment(pixels, [], S, R, createRng(k, 'bc'), { translate: 0, scale: 0 }).pixels.reduce((s, v) => s + v, 0),
    );
    expect(new Set(means.map((m) => m.toFixed(3))).size).toBeGreaterThan(10);
    for (const v of a.pixels) expect(v >= 0 && v <= 1).toBe(true);

    const off = createRng(1, 'off');
    const before = off.getState();
    const plain = augment(pixels, [mask, null], S, R, off, { enabled: false });
    expect(off.getState()).toEqual(before);
    expect([...plain.pixels]).toEqual([...pixels].map((v) => Math.fround(v / 255)));
    expect([...(plain.masks[0] as Uint8Array)]).toEqual([...mask]);
    expect(plain.masks[1]).toBeNull();
    expect(() => augment(pixels, [new Uint8Array(3)], S, R, off)).toThrow(RangeError);
  });
});
