import { describe, expect, it } from 'vitest';
import {
  classificationMetrics,
  fairnessReport,
  fairnessReportWith,
  parallelBootstrap,
  parsePredictionsCsv,
} from '../../src-main/core/evaluation';
import {
  bootstrapClaimed,
  bootstrapRange,
  bootstrapScratch,
  replicateColumns,
  type BootstrapPlan,
} from '../../src-main/core/evaluation/bootstrap';
import { drawRate, drawResample, poissonDraw, resampleScratch } from '../../src-main/core/evaluation/resample';
import {
  lanes,
  sortedLayout,
  stratumSizes,
  weightedPass,
  type SortedLayout,
} from '../../src-main/core/evaluation/weighted-pass';
import { prng } from '../helpers/dicom-prng';

/** Random predictions with ties (scores on a coarse grid), two attributes, some rows without a value. */
function randomData(n: number, seed: number, grid = 20) {
  const random = prng(seed);
  const labels = Uint8Array.from({ length: n }, () => (random() < 0.35 ? 1 : 0));
  const scores = Float64Array.from(labels, (y) => Math.round((random() * 0.7 + y * 0.3) * grid) / grid);
  const sex = Int32Array.from({ length: n }, () => (random() < 0.1 ? -1 : random() < 0.5 ? 0 : 1));
  const site = Int32Array.from({ length: n }, () => Math.floor(random() * 3));
  const attributes = [
    { name: 'sex', codes: sex, values: ['F', 'M'] },
    { name: 'site', codes: site, values: ['a', 'b', 'c'] },
  ];
  return { scores, labels, attributes };
}

/** The layout and plan fairnessReport builds (slot 0 overall, then sex F/M, then site a/b/c). */
function planOf(data: ReturnType<typeof randomData>, resamples: number, seed: number, threshold = 0.5) {
  const slotOfRow = [
    Int32Array.from(data.attributes[0]!.codes, (c) => (c < 0 ? -1 : 1 + c)),
    Int32Array.from(data.attributes[1]!.codes, (c) => (c < 0 ? -1 : 3 + c)),
  ];
  const layout = sortedLayout(data.scores, data.labels, slotOfRow, 6, threshold);
  const plan: BootstrapPlan = {
    layout,
    resamples,
    seed,
    bases: Int32Array.of(1, 3),
    valueCounts: Int32Array.of(2, 3),
    present: Uint8Array.of(1, 1, 1, 1, 1, 1),
  };
  return { layout, plan };
}

/** Per position p: its stratum, and the rank of its score (the run it is in), from the layout alone. */
function positions(layout: SortedLayout) {
  const stratum = new Int32Array(layout.n);
  for (let s = 0; s < layout.strata; s++) stratum.fill(s, layout.offsets[s], layout.offsets[s + 1]);
  const rank = new Int32Array(layout.n);
  let run = -1;
  for (let k = 0; k < layout.n; k++) {
    if ((layout.flags[k]! & 2) !== 0) run++;
    rank[layout.position[k]!] = run;
  }
  return { stratum, rank };
}

describe('weightedPass', () => {
  it("gives every group's 2U in one pass: the pairwise definition, ties half, on random weights", () => {
    for (const seed of [1, 2, 3]) {
      const data = randomData(300, seed, seed === 3 ? 4 : 20);
      const { layout } = planOf(data, 1, 0);
      const { stratum, rank } = positions(layout);
      const random = prng(seed + 10);
      const counts = new Uint32Array(layout.n);
      const weight = Array.from({ length: lanes }, () => new Uint8Array(layout.n));
      for (let p = 0; p < layout.n; p++)
        for (let lane = 0; lane < lanes; lane++) {
          const w = Math.floor(random() * 4);
          weight[lane]![p] = w;
          counts[p] = counts[p]! + w * 256 ** lane;
        }
      const u2 = new Float64Array((layout.slots + 1) * lanes);
      weightedPass(layout, counts, u2);
      for (let g = 0; g < layout.slots; g++) {
        const inSlot = (p: number): boolean => {
          if (g === 0) return true;
          const s = stratum[p]!;
          for (let a = 0; a < layout.attributes; a++)
            if (layout.stratumSlots[s * layout.attributes + a] === g) return true;
          return false;
        };
        for (let lane = 0; lane < lanes; lane++) {
          let expected = 0;
          for (let i = 0; i < layout.n; i++) {
            if (!inSlot(i) || layout.stratumLabel[stratum[i]!] !== 1) continue;
            for (let j = 0; j < layout.n; j++) {
              if (!inSlot(j) || layout.stratumLabel[stratum[j]!] !== 0) continue;
              const order = rank[j]! < rank[i]! ? 2 : rank[j] === rank[i] ? 1 : 0;
              expected += weight[lane]![i]! * weight[lane]![j]! * order;
            }
          }
          expect(u2[g * lanes + lane], `seed ${seed} slot ${g} lane ${lane}`).toBe(expected);
        }
      }
    }
  });
});

describe('sortedLayout', () => {
  it('finds the strata of many attribute values (keys past the lookup table) and no attribute at all', () => {
    const random = prng(21);
    const n = 3000;
    const labels = Uint8Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0));
    const scores = Float64Array.from(labels, (y) => Math.round((random() + y * 0.4) * 50) / 50);
    const attributes = ['a', 'b', 'c'].map((name) => ({
      name,
      codes: Int32Array.from({ length: n }, () => (random() < 0.05 ? -1 : Math.floor(random() * 120))),
      values: Array.from({ length: 120 }, (_, v) => `${name}${v}`),
    }));
    const report = fairnessReport(scores, labels, attributes, { bootstrap: 8 });
    for (const attribute of attributes)
      for (const v of [0, 7, 119]) {
        const rows = [...attribute.codes.keys()].filter((i) => attribute.codes[i] === v);
        if (rows.length === 0) continue;
        expect(report.groups[attribute.name]![attribute.values[v]!]).toEqual(
          classificationMetrics(
            rows.map((i) => scores[i]!),
            rows.map((i) => labels[i]!),
          ),
        );
      }
    const none = fairnessReport(scores, labels, [], { bootstrap: 8 });
    expect(none.overall).toEqual(classificationMetrics(scores, labels));
    expect(none.intervals?.overall.auc).not.toBeNull();
  });
});

describe('stratified resamples', () => {
  it.each([
    [400, 1000],
    [4000, 300],
  ])('keep every stratum at its size and draw each row once on average (%i rows)', (rows, resamples) => {
    const data = randomData(rows, 4);
    const { layout } = planOf(data, 1, 0);
    const sizes = stratumSizes(layout);
    const scratch = resampleScratch(layout);
    const counts = new Uint8Array(4 * layout.n);
    const sum = new Float64Array(layout.n);
    const squares = new Float64Array(layout.n);
    // Small strata draw Poisson(1) counts; a stratum of more than 100 rows makes the rate a little lower.
    expect(drawRate(layout) < 1).toBe(rows > 1000);
    for (let r = 0; r < resamples; r++) {
      drawResample(layout, sizes, 9, r, counts, 4, r % 4, scratch);
      for (let s = 0; s < layout.strata; s++) {
        let total = 0;
        let below = 0;
        for (let p = layout.offsets[s]!; p < layout.offsets[s + 1]!; p++) {
          const c = counts[4 * p + (r % 4)]!;
          total += c;
          if (p - layout.offsets[s]! < layout.stratumBelow[s]!) below += c;
          sum[p] = sum[p]! + c;
          squares[p] = squares[p]! + c * c;
        }
        expect(total).toBe(sizes[s]);
        expect(scratch.below[s]).toBe(below);
      }
    }
    // Multinomial(m, 1/m) per row: mean 1, variance 1 − 1/m; averaged over the rows.
    let meanOfMeans = 0;
    let meanVariance = 0;
    for (let p = 0; p < layout.n; p++) {
      const mean = sum[p]! / resamples;
      meanOfMeans += mean / layout.n;
      meanVariance += (squares[p]! / resamples - mean * mean) / layout.n;
    }
    expect(meanOfMeans).toBeCloseTo(1, 10);
    expect(meanVariance).toBeGreaterThan(0.95);
    expect(meanVariance).toBeLessThan(1.02);
  });

  it('draw Poisson counts by inversion of 32-bit numbers', () => {
    const { thresholds, table } = poissonDraw(0.9);
    expect(thresholds[0]).toBe(Math.ceil(Math.exp(-0.9) * 2 ** 32));
    expect(thresholds[1]).toBe(Math.ceil(1.9 * Math.exp(-0.9) * 2 ** 32));
    expect(thresholds.length).toBeGreaterThan(10);
    // The table agrees with the thresholds wherever it answers.
    for (let i = 0; i < 4096; i++) {
      if (table[i] === 255) continue;
      const t = i * 1048576 + 524288;
      expect(table[i]).toBe(thresholds.filter((x) => x <= t).length);
    }
  });
});

describe('bootstrap replicates', () => {
  const data = randomData(2000, 5);
  const resamples = 23;
  const { plan } = planOf(data, resamples, 7);
  const length = replicateColumns(plan) * resamples;
  const same = (a: Float64Array, b: Float64Array): void => {
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect(`${i}: ${b[i]}`).toBe(`${i}: ${a[i]}`);
  };

  it('are the same from the WebAssembly SIMD kernels and the JavaScript loops', () => {
    const simd = bootstrapScratch(plan, true);
    expect(simd.simd, 'WebAssembly SIMD in Node').not.toBeNull();
    const a = new Float64Array(length);
    const b = new Float64Array(length);
    bootstrapRange(plan, a, 0, resamples, simd);
    bootstrapRange(plan, b, 0, resamples, bootstrapScratch(plan, false));
    same(a, b);
  });

  it('do not depend on how the resamples are split between threads', () => {
    const whole = new Float64Array(length);
    bootstrapRange(plan, whole, 0, resamples);
    // Ranges of odd sizes, computed in reverse order, each with its own scratch (as separate threads would).
    const split = new Float64Array(length);
    for (const [from, to] of [
      [17, 23],
      [5, 17],
      [2, 5],
      [0, 2],
    ] as const)
      bootstrapRange(plan, split, from, to, bootstrapScratch(plan, from % 2 === 0));
    same(whole, split);
    // Claimed in batches of 3 from a shared counter by two "threads" taking turns.
    const claimed = new Float64Array(length);
    const claim = new Int32Array(2);
    bootstrapClaimed(plan, claimed, claim, 3);
    same(whole, claimed);
  });

  it('give the same report through the parallel runner as in this thread', async () => {
    const options = { bootstrap: 40, seed: 3 };
    const sync = fairnessReport(data.scores, data.labels, data.attributes, options);
    const runner = parallelBootstrap({ workerPath: null, threads: 2, cores: 2 });
    const parallel = await fairnessReportWith(runner, data.scores, data.labels, data.attributes, options);
    expect(parallel).toEqual(sync);
    expect(sync.intervals?.overall.auc).not.toBeNull();
  });
});

describe('parsePredictionsCsv fast path', () => {
  it('reads plain lines as the quoted (string) path reads them', () => {
    const random = prng(12);
    const numbers = ['0.25', '.5', '1.', '0', '1', '+0.75', '1e-3', ' 0.125 ', '0.123456789012345678', '00.5', '7'];
    const groups = ['F', 'M', '', ' F', 'M ', 'Ä', 'x y'];
    const rows: string[][] = [];
    for (let i = 0; i < 400; i++)
      rows.push([
        numbers[Math.floor(random() * numbers.length)]!,
        ['0', '1', '1.0', ' 0', '0e0'][Math.floor(random() * 5)]!,
        groups[Math.floor(random() * groups.length)]!,
        ['59', '60', '', '59.999', '1e2', ' 61'][Math.floor(random() * 6)]!,
      ]);
    const plain = `score,label,sex,age\n${rows.map((r) => r.join(',')).join('\n')}\n`;
    const quoted = `score,label,sex,age\r\n${rows.map((r) => r.map((f) => `"${f}"`).join(',')).join('\r\n')}\r\n`;
    const options = { groupColumns: ['sex'], ageColumn: 'age' };
    const a = parsePredictionsCsv(plain, options);
    const b = parsePredictionsCsv(quoted, options);
    expect(a).toEqual(b);
    expect([...a.scores.slice(0, 5)]).toEqual(rows.slice(0, 5).map((r) => Number(r[0])));
    expect(a.attributes[0]!.values).toEqual(b.attributes[0]!.values);
  });

  it('names the line of a bad value found on the fast path', () => {
    expect(() => parsePredictionsCsv('score,label\n0.5,1\n0.5,1\n0.5.5,0\n')).toThrow(/line 4: column 'score'/);
    expect(() => parsePredictionsCsv('score,label\n0.5,1\n\n0.5,3\n')).toThrow(/line 4: column 'label'/);
    expect(() => parsePredictionsCsv('score,label\n0.5,1,2\n')).toThrow(/line 2: 3 fields/);
  });
});
