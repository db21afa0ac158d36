import { describe, expect, it } from 'vitest';
import {
  expandStudy,
  studyConfigSchema,
  studyIssues,
  studyRunCount,
  type StudyConfig,
} from '../../src-main/api/study-schemas';
import { estimateStudy } from '../../src-main/core/study/timing';

const minimal = { name: 'nodule sweep', finding: 'nodule', train: ['a'], validation: 'v', test: ['t'] };

function parse(raw: unknown): StudyConfig {
  return studyConfigSchema.parse(raw);
}

/** The problems of a config, one line each ([] when it parses). */
function issues(raw: unknown): string[] {
  const result = studyConfigSchema.safeParse(raw);
  return result.success ? [] : studyIssues(result.error, raw);
}

describe('study config schema', () => {
  it('fills the documented defaults', () => {
    expect(parse(minimal)).toEqual({
      ...minimal,
      levels: [0, 0.25, 0.5, 0.75, 1],
      seeds: [1, 2, 3, 4, 5],
      dataRatios: [1],
      randomAlignment: false,
      preset: 'tiny',
      imageSize: 224,
      epochs: 100,
      patience: 30,
      batchSize: 32,
      lr: 5e-5,
      backend: 'auto',
    });
  });

  it('needs name, finding, train, validation and test', () => {
    for (const key of ['name', 'finding', 'train', 'validation', 'test'] as const) {
      const { [key]: _dropped, ...rest } = minimal;
      expect(issues(rest), key).toEqual([expect.stringMatching(new RegExp(`^${key}: `))]);
    }
  });

  it('refuses unknown keys, naming them and the keys a study has', () => {
    expect(issues({ ...minimal, lambda: 20 })).toEqual([
      "unknown key 'lambda' (a study has name, finding, train, validation, test, levels, seeds, dataRatios, " +
        'randomAlignment, preset, imageSize, epochs, patience, batchSize, lr, backend)',
    ]);
    expect(issues({ ...minimal, lambda: 20, alignment: 1 })[0]).toMatch(/^unknown keys 'lambda', 'alignment' /);
  });

  it.each([
    ['a level above 1', { levels: [0, 1.5] }, 'levels[1]: an alignment level is a fraction from 0 to 1, got 1.5'],
    ['a negative level', { levels: [-0.25] }, 'levels[0]: an alignment level is a fraction from 0 to 1, got -0.25'],
    ['no level', { levels: [] }, 'levels: give at least one alignment level'],
    ['no seed', { seeds: [] }, 'seeds: give at least one seed'],
    ['a fractional seed', { seeds: [1.5] }, 'seeds[0]: a seed is a whole number'],
    ['a data ratio of 0', { dataRatios: [0] }, 'dataRatios[0]: a data ratio is a fraction above 0, at most 1, got 0'],
    ['a repeated level', { levels: [0, 0.5, 0.5] }, 'levels: 0.5 is listed twice'],
    ['a repeated seed', { seeds: [3, 3] }, 'seeds: 3 is listed twice'],
    ['no test source', { test: [] }, 'test: give at least one out-of-domain test source'],
    ['a source used twice', { test: ['a'] }, "test: source 'a' is both a training and a test source"],
    [
      'validation among training',
      { validation: 'a' },
      "validation: source 'a' is both a training and a validation source",
    ],
    ['an unknown finding', { finding: 'fracture' }, expect.stringMatching(/^finding: /)],
    ['an unknown preset', { preset: 'huge' }, expect.stringMatching(/^preset: /)],
    ['a learning rate of 0', { lr: 0 }, expect.stringMatching(/^lr: .*, got 0$/)],
  ])('says what is wrong with %s', (_name, change, message) => {
    expect(issues({ ...minimal, ...change })).toEqual([message]);
  });
});

describe('expandStudy', () => {
  it('gives levels × seeds × data ratios runs, seed-major within each data ratio, in a fixed order', () => {
    const study = parse({ ...minimal, levels: [0, 0.5, 1], seeds: [7, 8], dataRatios: [0.5, 1] });
    const runs = expandStudy(study);
    expect(runs).toHaveLength(12);
    expect(studyRunCount(study)).toBe(12);
    expect(runs.map((r) => [r.dataRatio, r.seed, r.level])).toEqual([
      [0.5, 7, 0],
      [0.5, 7, 0.5],
      [0.5, 7, 1],
      [0.5, 8, 0],
      [0.5, 8, 0.5],
      [0.5, 8, 1],
      [1, 7, 0],
      [1, 7, 0.5],
      [1, 7, 1],
      [1, 8, 0],
      [1, 8, 0.5],
      [1, 8, 1],
    ]);
    expect(runs.map((r) => r.index)).toEqual([...runs.keys()]);
    expect(runs.every((r) => !r.randomAlignment)).toBe(true);
    expect(expandStudy(study)).toEqual(runs);
  });

  it('adds the random-alignment arm at every level above 0, after the human arm', () => {
    const study = parse({ ...minimal, levels: [0, 0.5, 1], seeds: [1], randomAlignment: true });
    const runs = expandStudy(study);
    expect(runs.map((r) => [r.level, r.randomAlignment])).toEqual([
      [0, false],
      [0.5, false],
      [0.5, true],
      [1, false],
      [1, true],
    ]);
    expect(studyRunCount(study)).toBe(5);
    expect(runs.map((r) => r.config.randomAlignment)).toEqual([false, false, true, false, true]);
  });

  it('turns each run into the TrainConfig the trainer takes', () => {
    const study = parse({
      ...minimal,
      train: ['a', 'b'],
      test: ['t', 'u'],
      levels: [0.75],
      seeds: [4],
      dataRatios: [0.25],
      preset: 'micro',
      imageSize: 64,
      epochs: 3,
      patience: 2,
      batchSize: 16,
      lr: 1e-3,
      backend: 'wasm',
    });
    const [run] = expandStudy(study);
    expect(run?.config).toEqual({
      findings: ['nodule'],
      train: ['a', 'b'],
      validation: ['v'],
      test: ['t', 'u'],
      alignment: 0.75,
      randomAlignment: false,
      onShortage: 'error',
      dataRatio: 0.25,
      preset: 'micro',
      imageSize: 64,
      epochs: 3,
      patience: 2,
      batchSize: 16,
      learningRate: 1e-3,
      weightDecay: 0.01,
      alignmentRegion: 'image',
      augment: true,
      seed: 4,
      backend: 'wasm',
    });
  });
});

describe('estimateStudy', () => {
  it('sums, per run, a trainer start, every epoch of training steps and validation scoring, and the test scoring', () => {
    const study = parse({ ...minimal, levels: [0, 1], seeds: [1, 2], dataRatios: [0.5, 1], epochs: 10, batchSize: 20 });
    const plan = {
      runs: 8,
      trainImages: 100,
      validationImages: 40,
      testImages: 60,
      positives: 50,
      annotated: 50,
      levels: [],
    };
    const timing = {
      backend: 'wasm',
      device: null,
      readySeconds: 2,
      secondsPerStep: 0.5,
      secondsPerImageScored: 0.01,
    };
    const estimate = estimateStudy(study, plan, timing);
    // Ratio 1: 5 steps × 0.5 + 40 × 0.01 = 2.9 s per epoch; 2 + 10 × 2.9 + 60 × 0.01 = 31.6 s per run.
    // Ratio 0.5: 2.5 steps × 0.5 + 0.4 = 1.65 s per epoch; 2 + 16.5 + 0.6 = 19.1 s per run. Four runs each.
    expect(estimate.secondsPerEpoch).toBeCloseTo(2.9, 9);
    expect(estimate.secondsPerRun).toBeCloseTo(31.6, 9);
    expect(estimate.totalSeconds).toBeCloseTo(4 * 31.6 + 4 * 19.1, 9);
    expect(estimate).toMatchObject({ backend: 'wasm', trainImages: 100, validationImages: 40, testImages: 60 });
  });
});
