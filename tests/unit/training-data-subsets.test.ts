import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AlignmentShortageError,
  chooseAligned,
  type ChooseAlignedOptions,
} from '../../src-main/core/training/data/aligned-subset';
import { dataRatioSubset } from '../../src-main/core/training/data/data-ratio';
import type { Example, Label } from '../../src-main/core/training/data/examples';

const R = 4;

/** A file hash, as the workspace keys images by: its order is not the order of k. */
const keyOf = (k: number): string => createHash('sha256').update(`image ${k}`).digest('hex');

/** Image k (id 100 + k, key keyOf(k)): positive for finding 0 when k % 3 === 0, annotated when also k % 2 === 0; finding 1 all 0. */
function cohort(n: number, role: Example['role'] = 'train'): Example[] {
  return Array.from({ length: n }, (_, k) => {
    const positive = k % 3 === 0;
    const labels: Label[] = [positive ? 1 : k % 7 === 1 ? null : 0, 0];
    const mask = new Uint8Array(R * R).fill(1);
    return {
      imageId: 100 + k,
      key: keyOf(k),
      sourceId: 1,
      source: role === 'train' ? 'site' : 'other',
      role,
      sex: k % 2 ? 'F' : 'M',
      age: 50,
      rows: 8,
      cols: 8,
      pixels: new Uint8Array(4),
      labels,
      masks: [positive && k % 2 === 0 ? mask : null, null],
    };
  });
}

/** The same images as another workstation would number them: ids in another (import) order, keys unchanged. */
function renumbered(examples: readonly Example[]): Example[] {
  return examples.map((e, k) => ({ ...e, imageId: 5000 + ((k * 37) % examples.length) }));
}
const keysOf = (examples: readonly Example[], ids: Iterable<number>): string[] => {
  const byId = new Map(examples.map((e) => [e.imageId, e.key]));
  return [...ids].map((id) => byId.get(id) as string).sort();
};

const isSubset = (a: ReadonlySet<number>, b: ReadonlySet<number>): boolean => [...a].every((x) => b.has(x));

describe('chooseAligned', () => {
  const examples = cohort(60); // 20 positives, 10 annotated
  const base: ChooseAlignedOptions = { fraction: 0, seed: 5, onShortage: 'use-available' };

  it('takes round(f × positives) annotated positives, nested across fractions, the same for the same seed', () => {
    const sets = [0, 0.25, 0.5, 0.75, 1].map((fraction) => chooseAligned(examples, { ...base, fraction }));
    expect(sets.map((s) => s.needed)).toEqual([0, 5, 10, 15, 20]);
    expect(sets.map((s) => s.aligned.size)).toEqual([0, 5, 10, 10, 10]);
    expect(sets.every((s) => s.available === 10 && s.positives === 20)).toBe(true);
    for (let i = 1; i < sets.length; i++) expect(isSubset(sets[i - 1]!.aligned, sets[i]!.aligned)).toBe(true);
    const annotated = new Set(examples.filter((e) => e.masks[0]).map((e) => e.imageId));
    expect(isSubset(sets[4]!.aligned, annotated)).toBe(true);
    // Same seed, same images, whatever the input order; another seed, other images.
    const again = chooseAligned([...examples].reverse(), { ...base, fraction: 0.25 });
    expect([...again.aligned].sort()).toEqual([...sets[1]!.aligned].sort());
    const other = [1, 2, 3, 4, 6, 7].map((seed) => chooseAligned(examples, { ...base, fraction: 0.25, seed }));
    expect(other.some((o) => [...o.aligned].sort().join() !== [...sets[1]!.aligned].sort().join())).toBe(true);
  });

  it('chooses by image key, not id: the same images whatever order they were imported in', () => {
    const here = chooseAligned(examples, { ...base, fraction: 0.5 });
    const elsewhere = renumbered(examples);
    const there = chooseAligned(elsewhere, { ...base, fraction: 0.5 });
    expect(there.aligned.size).toBe(10);
    expect(keysOf(elsewhere, there.aligned)).toEqual(keysOf(examples, here.aligned));
  });

  it('says how many more regions to draw when the fraction needs more than exist', () => {
    expect(() => chooseAligned(examples, { fraction: 0.75, seed: 1 })).toThrow(AlignmentShortageError);
    expect(() => chooseAligned(examples, { fraction: 0.75, seed: 1 })).toThrow(
      /needs 15 annotated positive training images but 10 have a region: draw regions on 5 more/,
    );
    let caught: unknown;
    try {
      chooseAligned(examples, { fraction: 1, seed: 1, onShortage: 'error' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AlignmentShortageError);
    const shortage = caught as AlignmentShortageError;
    expect([shortage.needed, shortage.available, shortage.field]).toEqual([20, 10, 'fraction']);
    expect(chooseAligned(examples, { fraction: 0.5, seed: 1 }).aligned.size).toBe(10);
  });

  it('only considers training images, can ignore annotations for random alignment, checks its input', () => {
    const mixed = [...examples, ...cohort(30, 'validation').map((e) => ({ ...e, imageId: e.imageId + 1000 }))];
    const choice = chooseAligned(mixed, { ...base, fraction: 1 });
    expect(choice.positives).toBe(20);
    expect([...choice.aligned].every((id) => id < 1000)).toBe(true);
    const anyPositive = chooseAligned(examples, { fraction: 1, seed: 5, requireAnnotation: false });
    expect(anyPositive.aligned.size).toBe(20);
    // Finding 1 has no positive: nothing needed.
    expect(chooseAligned(examples, { fraction: 1, seed: 5, findings: [1] }).needed).toBe(0);
    expect(() => chooseAligned(examples, { fraction: 1.5, seed: 1 })).toThrow(/\[0, 1\]/);
    expect(() => chooseAligned(examples, { fraction: 0.5, seed: 1, findings: [2] })).toThrow(/finding index 2/);
  });
});

describe('dataRatioSubset', () => {
  const examples = cohort(80);

  it('is seeded, nested and keeps the label strata in proportion', () => {
    const subsets = [0.25, 0.5, 0.75, 1].map((r) => dataRatioSubset(examples, r, 9));
    const ids = subsets.map((s) => new Set(s.map((e) => e.imageId)));
    for (let i = 1; i < ids.length; i++) expect(isSubset(ids[i - 1]!, ids[i]!)).toBe(true);
    expect(subsets[3]).toHaveLength(80);
    const count = (list: readonly Example[], label: Label): number => list.filter((e) => e.labels[0] === label).length;
    for (const label of [1, 0, null] as const) {
      expect(count(subsets[1]!, label)).toBe(Math.round(count(examples, label) / 2));
      expect(count(subsets[0]!, label)).toBe(Math.max(1, Math.round(count(examples, label) / 4)));
    }
    expect(dataRatioSubset(examples, 0.5, 9).map((e) => e.imageId)).toEqual(subsets[1]!.map((e) => e.imageId));
    expect(dataRatioSubset(examples, 0.5, 10).map((e) => e.imageId)).not.toEqual(subsets[1]!.map((e) => e.imageId));
    // Input order kept.
    const kept = subsets[1]!.map((e) => e.imageId);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
  });

  it('chooses by image key, not id: the same images whatever order they were imported in', () => {
    const here = dataRatioSubset(examples, 0.25, 3);
    const elsewhere = renumbered(examples);
    const there = dataRatioSubset(elsewhere, 0.25, 3);
    expect(keysOf(elsewhere, there.map((e) => e.imageId))).toEqual(keysOf(examples, here.map((e) => e.imageId)));
  });

  it('refuses ratios outside (0, 1] and examples that are not training images', () => {
    expect(() => dataRatioSubset(examples, 0, 1)).toThrow(/\(0, 1\]/);
    expect(() => dataRatioSubset(examples, 1.2, 1)).toThrow(/\(0, 1\]/);
    expect(() => dataRatioSubset(cohort(3, 'validation'), 0.5, 1)).toThrow(/training images only.*validation/);
  });
});
