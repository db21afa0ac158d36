import { describe, expect, it } from 'vitest';
import { createRng, isRngState, permutation } from '../../src-main/core/training/data/rng';
import { resizeSquare } from '../../src-main/core/training/data/resize';

describe('createRng', () => {
  it('gives the same stream for the same keys and another for other keys', () => {
    const draw = (rng: ReturnType<typeof createRng>): number[] => Array.from({ length: 16 }, () => rng.uint32());
    const xs = draw(createRng(7, 'shuffle', 3));
    expect(draw(createRng(7, 'shuffle', 3))).toEqual(xs);
    expect(draw(createRng(7, 'shuffle', 4))).not.toEqual(xs);
    expect(draw(createRng('7', 'shuffle', 3))).toEqual(xs);
    // Keys are length-prefixed: ('ab', 'c') and ('a', 'bc') are different streams.
    expect(createRng('ab', 'c').uint32()).not.toBe(createRng('a', 'bc').uint32());
  });

  it('round-trips its state: a restored generator continues exactly, also through JSON', () => {
    const rng = createRng(42, 'init');
    for (let i = 0; i < 5; i++) rng.next();
    const saved = JSON.parse(JSON.stringify(rng.getState())) as unknown;
    expect(isRngState(saved)).toBe(true);
    const expected = Array.from({ length: 10 }, () => rng.next());
    const other = createRng('something else');
    if (!isRngState(saved)) throw new Error('unreachable');
    other.setState(saved);
    expect(Array.from({ length: 10 }, () => other.next())).toEqual(expected);
    // getState is a copy, and setState(getState()) changes nothing.
    const state = other.getState();
    other.setState(state);
    const a = other.next();
    other.setState(state);
    expect(other.next()).toBe(a);
  });

  it('refuses what is not a state and non-finite keys', () => {
    const rng = createRng(1);
    expect(() => rng.setState([1, 2, 3] as unknown as [number, number, number, number])).toThrow(/not an rng state/);
    expect(() => rng.setState([1, 2, 3, -1])).toThrow(/not an rng state/);
    expect(() => createRng(Number.NaN)).toThrow(RangeError);
  });

  it('draws uniforms in [0, 1) and integers in range', () => {
    const rng = createRng('moments');
    const u = Array.from({ length: 5000 }, () => rng.next());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((s, x) => s + x, 0) / u.length - 0.5)).toBeLessThan(0.02);
    const ints = new Set(Array.from({ length: 500 }, () => rng.int(3, 5)));
    expect([...ints].sort()).toEqual([3, 4, 5]);
  });
});

describe('permutation', () => {
  it('is a seeded permutation of 0 … n − 1', () => {
    const p = permutation(50, createRng(1, 'p'));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...permutation(50, createRng(1, 'p'))]).toEqual([...p]);
    expect([...permutation(50, createRng(2, 'p'))]).not.toEqual([...p]);
    expect(permutation(0, createRng(1))).toHaveLength(0);
  });
});

describe('resizeSquare', () => {
  it('averages areas exactly when shrinking', () => {
    const from = Uint8Array.from([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
    expect([...resizeSquare(from, 4, 2)]).toEqual([25, 45, 105, 125]);
    // 3 → 2: each output covers 1.5 source pixels per axis.
    const three = Uint8Array.from([0, 90, 180, 0, 90, 180, 0, 90, 180]);
    expect([...resizeSquare(three, 3, 2)]).toEqual([30, 150, 30, 150]);
    // A constant image stays constant.
    expect(new Set(resizeSquare(new Uint8Array(224 * 224).fill(77), 224, 64))).toEqual(new Set([77]));
  });

  it('interpolates bilinearly when growing, copies when equal, and checks its input', () => {
    const two = Uint8Array.from([0, 100, 0, 100]);
    expect([...resizeSquare(two, 2, 4)]).toEqual([0, 25, 75, 100, 0, 25, 75, 100, 0, 25, 75, 100, 0, 25, 75, 100]);
    const same = Uint8Array.from([1, 2, 3, 4]);
    const copy = resizeSquare(same, 2, 2);
    expect([...copy]).toEqual([1, 2, 3, 4]);
    expect(copy).not.toBe(same);
    expect(() => resizeSquare(same, 3, 2)).toThrow(RangeError);
  });
});
