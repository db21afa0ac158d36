import { describe, expect, it } from 'vitest';
import { normalQuantile, normalTable, Rng } from '../../src-main/core/simulator/prng';

describe('Rng', () => {
  it('gives the same sequence for the same keys and another for other keys', () => {
    const a = new Rng('seed', 'riverside', 1, 'noise');
    const b = new Rng('seed', 'riverside', 1, 'noise');
    const c = new Rng('seed', 'riverside', 2, 'noise');
    const xs = Array.from({ length: 20 }, () => a.uint32());
    expect(Array.from({ length: 20 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.uint32())).not.toEqual(xs);
    // Keys are length-prefixed: ('ab', 'c') and ('a', 'bc') are different streams.
    expect(new Rng('ab', 'c').uint32()).not.toBe(new Rng('a', 'bc').uint32());
  });

  it('fill gives exactly the words uint32 would', () => {
    const a = new Rng('fill');
    const b = new Rng('fill');
    const words = a.fill(new Uint32Array(101));
    expect(Array.from(words)).toEqual(Array.from({ length: 101 }, () => b.uint32()));
    expect(a.uint32()).toBe(b.uint32());
  });

  it('draws uniforms, integers and normals with the right moments (4-sigma bounds)', () => {
    const rng = new Rng('moments');
    const n = 40_000;
    const u = Array.from({ length: n }, () => rng.next());
    const mean = u.reduce((s, x) => s + x, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const ints = Array.from({ length: n }, () => rng.int(3, 5));
    for (const k of [3, 4, 5]) {
      const share = ints.filter((x) => x === k).length / n;
      expect(Math.abs(share - 1 / 3)).toBeLessThan(4 * Math.sqrt(((1 / 3) * (2 / 3)) / n));
    }
    const z = Array.from({ length: n }, () => rng.normal(2, 3));
    const zMean = z.reduce((s, x) => s + x, 0) / n;
    const zVar = z.reduce((s, x) => s + (x - zMean) ** 2, 0) / (n - 1);
    expect(Math.abs(zMean - 2)).toBeLessThan(4 * (3 / Math.sqrt(n)));
    expect(Math.abs(Math.sqrt(zVar) - 3)).toBeLessThan(4 * (3 / Math.sqrt(2 * n)));
  });
});

describe('normal quantiles', () => {
  it('match known values of the standard normal', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 7);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it('tabulate a standard normal', () => {
    const table = normalTable();
    expect(table).toHaveLength(65536);
    const mean = table.reduce((s, x) => s + x, 0) / table.length;
    const sd = Math.sqrt(table.reduce((s, x) => s + x * x, 0) / table.length);
    expect(Math.abs(mean)).toBeLessThan(1e-6);
    expect(sd).toBeGreaterThan(0.995);
    expect(sd).toBeLessThan(1.001);
  });
});
