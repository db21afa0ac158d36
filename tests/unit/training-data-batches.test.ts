import { describe, expect, it } from 'vitest';
import { batchCount, batches, type Batch, type BatchOptions } from '../../src-main/core/training/data/batches';
import type { Example, Label } from '../../src-main/core/training/data/examples';
import { pixelStatistics } from '../../src-main/core/training/data/normalise';
import { randomAlignmentMaskFor } from '../../src-main/core/training/data/random-mask';

const S = 8;
const R = 4;
const C = 2;

/** Image k (id 10 + k): constant pixels k·10; finding 0 positive for even k, finding 1 unknown for k % 3 === 0. */
function cohort(n: number): Example[] {
  return Array.from({ length: n }, (_, k) => {
    const labels: Label[] = [k % 2 === 0 ? 1 : 0, k % 3 === 0 ? null : 1];
    const mask = new Uint8Array(R * R);
    mask[k % (R * R)] = 1;
    return {
      imageId: 10 + k,
      key: `key-${10 + k}`,
      sourceId: 1,
      source: 'site',
      role: 'train',
      sex: 'F',
      age: 40,
      rows: 16,
      cols: 16,
      pixels: new Uint8Array(S * S).fill(k * 10),
      labels,
      masks: [k % 4 === 0 ? mask : null, null],
    };
  });
}

const base: BatchOptions = { batchSize: 4, seed: 1, epoch: 0, maskSize: R, normalise: { mean: 0.5, std: 0.25 } };

async function collect(examples: readonly Example[], options: BatchOptions): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const batch of batches(examples, options)) out.push(batch);
  return out;
}

describe('batches', () => {
  const examples = cohort(10);

  it('yields [B×S×S] images, [B×C] labels, known and weights, [B×C×R×R] masks, the last batch smaller', async () => {
    const list = await collect(examples, { ...base, shuffle: false, aligned: new Set([10, 14, 12]) });
    expect(list.map((b) => b.imageIds.length)).toEqual([4, 4, 2]);
    expect(batchCount(10, 4)).toBe(3);
    expect(batchCount(10, 4, true)).toBe(2);
    const first = list[0] as Batch;
    expect(first.imageIds).toEqual([10, 11, 12, 13]);
    expect(first.images).toHaveLength(4 * S * S);
    expect(first.labels).toHaveLength(4 * C);
    expect(first.masks).toHaveLength(4 * C * R * R);
    // Image 11: pixels 10 → (10/255 − 0.5) / 0.25.
    expect(first.images[S * S]).toBeCloseTo((10 / 255 - 0.5) / 0.25, 5);
    expect([...first.labels]).toEqual([1, 0, 0, 1, 1, 1, 0, 0]);
    expect([...first.known]).toEqual([1, 0, 1, 1, 1, 1, 1, 0]);
    // Aligned 10 (positive, mask) → 1; 12 (positive, no mask) → 0; 14 (positive, mask) in batch 2.
    expect([...first.alignWeight]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect([...(list[1] as Batch).alignWeight]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    // Image 10's mask (pixel 0 set) is in its finding-0 slot; no other image of the batch has a mask.
    expect([...first.masks.subarray(0, R * R)]).toEqual([...(examples[0]!.masks[0] as Uint8Array)]);
    expect(first.masks.subarray(R * R, 4 * C * R * R).reduce((s, v) => s + v, 0)).toBe(0);
    expect((list[1] as Batch).alignWeight.length).toBe(4 * C);
    const dropped = await collect(examples, { ...base, dropLast: true });
    expect(dropped).toHaveLength(2);
    expect(await collect([], base)).toEqual([]);
  });

  it('shuffles by (seed, epoch): every image once per epoch, the same order again, another order next epoch', async () => {
    const order = async (epoch: number, seed = 1): Promise<number[]> =>
      (await collect(examples, { ...base, epoch, seed })).flatMap((b) => b.imageIds);
    const e0 = await order(0);
    expect([...e0].sort((a, b) => a - b)).toEqual(examples.map((e) => e.imageId));
    expect(await order(0)).toEqual(e0);
    expect(await order(1)).not.toEqual(e0);
    expect(await order(0, 2)).not.toEqual(e0);
  });

  it('gives aligned positives a fresh random target per epoch under random alignment', async () => {
    const aligned = new Set([10, 12]);
    const epoch = async (n: number): Promise<Batch> =>
      (
        await collect(examples, { ...base, batchSize: 10, shuffle: false, aligned, randomAlignment: true, epoch: n })
      )[0] as Batch;
    const [b0, b1] = [await epoch(0), await epoch(1)];
    // Image 12 (k = 2) has no human mask but is positive and aligned: weight 1 with random alignment.
    expect(b0.alignWeight[2 * C]).toBe(1);
    expect(b0.alignWeight[0]).toBe(1);
    expect(b0.alignWeight[1]).toBe(0); // finding 1 of image 10 is unknown
    expect([...b0.masks.subarray(0, R * R)]).toEqual([...randomAlignmentMaskFor(1, 0, 'key-10', 0, R)]);
    expect([...b1.masks.subarray(0, R * R)]).toEqual([...randomAlignmentMaskFor(1, 1, 'key-10', 0, R)]);
    // Not aligned: the human mask stays (image 14, k = 4), weight 0.
    expect([...b0.masks.subarray(4 * C * R * R, 4 * C * R * R + R * R)]).toEqual([
      ...(examples[4]!.masks[0] as Uint8Array),
    ]);
    expect(b0.alignWeight[4 * C]).toBe(0);
  });

  it('augments reproducibly per (seed, epoch, image) and yields to the event loop between batches', async () => {
    const a = await collect(examples, { ...base, augment: true });
    const b = await collect(examples, { ...base, augment: true });
    expect(a.map((x) => [...x.images])).toEqual(b.map((x) => [...x.images]));
    // Without a yield inside the generator, a for-await loop runs on microtasks only and a
    // setImmediate callback would wait for the whole epoch.
    const seen: number[] = [];
    let seenWhenFired = -1;
    setImmediate(() => (seenWhenFired = seen.length));
    for await (const batch of batches(cohort(40), { ...base, batchSize: 1 })) seen.push(batch.imageIds[0] as number);
    expect(seen).toHaveLength(40);
    expect(seenWhenFired).toBeGreaterThanOrEqual(1);
    expect(seenWhenFired).toBeLessThan(40);
  });

  it('refuses bad options and mismatched examples', async () => {
    await expect(collect(examples, { ...base, batchSize: 0 })).rejects.toThrow(/batch size/);
    await expect(collect(examples, { ...base, normalise: { mean: 0, std: 0 } })).rejects.toThrow(/std/);
    await expect(collect(examples, { ...base, maskSize: 5 })).rejects.toThrow(/not 5×5/);
  });
});

describe('pixelStatistics', () => {
  it('gives the mean and std of the pixels in [0, 1], std 1 for a constant set', () => {
    const stats = pixelStatistics(cohort(2));
    expect(stats.mean).toBeCloseTo(5 / 255, 6);
    expect(stats.std).toBeCloseTo(5 / 255, 6);
    expect(pixelStatistics(cohort(1)).std).toBe(1);
    expect(() => pixelStatistics([])).toThrow(RangeError);
  });
});
