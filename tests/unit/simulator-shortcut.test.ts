import { describe, expect, it } from 'vitest';
import { parseCohortOptions, type ShortcutMode } from '../../src-main/core/simulator/options';
import { Rng } from '../../src-main/core/simulator/prng';
import { decideMarker, inShortcutSubgroup, placeMarker, subgroupName } from '../../src-main/core/simulator/shortcut';
import { subgroupStats } from '../../src-main/core/simulator/cohort-summary';

/** Marker decisions for n positives and n negatives; returns P(marker | +) and P(marker | −). */
function rates(mode: ShortcutMode, strength: number, rate: number, n: number): { tpr: number; fpr: number } {
  const rng = new Rng('decide', mode, strength, rate);
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    if (decideMarker(mode, strength, rate, 1, rng)) tp++;
    if (decideMarker(mode, strength, rate, 0, rng)) fp++;
  }
  return { tpr: tp / n, fpr: fp / n };
}

/** 4-sigma bound of a difference of two proportions from n draws each. */
const bound = (p1: number, p2: number, n: number): number => 4 * Math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n) + 1e-9;

describe('decideMarker', () => {
  const n = 20_000;
  it.each([0, 0.3, 0.8, 1])('label mode: P(marker|+) − P(marker|−) = K = %s', (k) => {
    const { tpr, fpr } = rates('label', k, 0.5, n);
    expect(Math.abs(tpr - (1 + k) / 2)).toBeLessThan(bound((1 + k) / 2, 0, n));
    expect(Math.abs(fpr - (1 - k) / 2)).toBeLessThan(bound((1 - k) / 2, 0, n));
    expect(Math.abs(tpr - fpr - k)).toBeLessThan(bound((1 + k) / 2, (1 - k) / 2, n));
  });

  it('reversed mode: the difference is −K', () => {
    const { tpr, fpr } = rates('reversed', 0.6, 0.5, n);
    expect(Math.abs(tpr - fpr + 0.6)).toBeLessThan(bound(0.2, 0.8, n));
  });

  it('random mode: present at the marker rate whatever the label', () => {
    const { tpr, fpr } = rates('random', 0.9, 0.3, n);
    expect(Math.abs(tpr - 0.3)).toBeLessThan(bound(0.3, 0, n));
    expect(Math.abs(fpr - 0.3)).toBeLessThan(bound(0.3, 0, n));
  });

  it('none: never; K = 1: marker exactly when positive', () => {
    expect(rates('none', 1, 1, 1000)).toEqual({ tpr: 0, fpr: 0 });
    expect(rates('label', 1, 0, 1000)).toEqual({ tpr: 1, fpr: 0 });
  });

  it('consumes one draw whatever the mode, so modes do not shift later draws', () => {
    const reference = new Rng('draws');
    reference.next();
    const afterOneDraw = reference.uint32();
    for (const mode of ['label', 'reversed', 'random', 'none'] as const) {
      const rng = new Rng('draws');
      decideMarker(mode, 0.5, 0.5, 1, rng);
      expect(rng.uint32()).toBe(afterOneDraw);
    }
  });
});

describe('subgroups', () => {
  const patient = (sex: 'M' | 'F', age: number) => ({ sex, age, habitus: 0 });
  it('by sex (women), by age (at least the threshold) or everyone', () => {
    const bySex = parseCohortOptions({ out: 'x', shortcut: { group: 'sex' } }).shortcut;
    const byAge = parseCohortOptions({ out: 'x', shortcut: { group: 'age', ageThreshold: 65 } }).shortcut;
    const all = parseCohortOptions({ out: 'x', shortcut: { group: 'none' } }).shortcut;
    expect([inShortcutSubgroup(patient('F', 30), bySex), inShortcutSubgroup(patient('M', 80), bySex)]).toEqual([
      true,
      false,
    ]);
    expect([inShortcutSubgroup(patient('M', 65), byAge), inShortcutSubgroup(patient('F', 64), byAge)]).toEqual([
      true,
      false,
    ]);
    expect(inShortcutSubgroup(patient('M', 20), all)).toBe(true);
    expect([subgroupName(true, byAge), subgroupName(false, byAge), subgroupName(true, all)]).toEqual([
      'age>=65',
      'age<65',
      'all',
    ]);
  });

  it('summary statistics: informedness and phi of a known table', () => {
    // 10 positives (8 with the marker), 30 negatives (3 with it).
    const pairs = [
      ...Array.from({ length: 10 }, (_, i) => ({ label: 1 as const, marker: i < 8 })),
      ...Array.from({ length: 30 }, (_, i) => ({ label: 0 as const, marker: i < 3 })),
    ];
    const s = subgroupStats('F', true, 'label', pairs);
    expect(s).toMatchObject({ n: 40, positives: 10, negatives: 30, markerWithPositive: 8, markerWithNegative: 3 });
    expect(s.informedness).toBeCloseTo(0.8 - 0.1, 4);
    // phi = (n·a − P·M) / sqrt(P·N·M·(n − M)) with a = 8, P = 10, N = 30, M = 11.
    expect(s.phi).toBeCloseTo((40 * 8 - 10 * 11) / Math.sqrt(10 * 30 * 11 * 29), 4);
    expect(subgroupStats('M', false, 'none', [{ label: 0, marker: false }]).informedness).toBeNull();
  });
});

describe('placeMarker', () => {
  it('puts the glyph in the upper-left corner, sized from the image', () => {
    for (let i = 0; i < 50; i++) {
      const p = placeMarker(new Rng('place', i), 512, 0.055);
      const [x, y, w, h] = p.box;
      expect(p.cell).toBe(Math.round((0.055 * 512) / 7));
      expect([w, h]).toEqual([5 * p.cell, 7 * p.cell]);
      expect(x).toBeGreaterThanOrEqual(Math.round(0.03 * 512));
      expect(x + w).toBeLessThanOrEqual(Math.round(0.07 * 512) + 5 * p.cell);
      expect(y).toBeGreaterThanOrEqual(Math.round(0.03 * 512));
      expect(y + h).toBeLessThanOrEqual(Math.round(0.06 * 512) + 7 * p.cell);
    }
  });
});
