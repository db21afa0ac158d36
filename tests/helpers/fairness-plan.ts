/**
 * The fairness and study-report workspace as data: the simulated sites and the `aligner train` arguments of a
 * micro run. Import-free (types only), so that a benchmark run by plain `node` loads it too
 * (tests/bench/bench-lib.mjs `importTs`).
 */

/**
 * `aligner simulate` options for a nodule-only cohort, half positive, that the micro model learns in a few
 * epochs on the wasm backend: nodules larger and denser than the simulator's defaults (radius 6–10 % of the
 * side instead of 2–4.5 %, amplitude 0.9 instead of 0.45), because the micro preset sees a 64-pixel image,
 * where a default nodule is 1–3 pixels wide (SCIENCE-NOTES finding 4 on lesion visibility).
 */
export const learnableNodules: readonly string[] = [
  '--findings',
  'nodule',
  '--prevalence',
  '0.5',
  '--nodule-amplitude',
  '0.9',
  '--nodule-radius',
  '0.06-0.1',
];

export const fairnessFinding = 'nodule';
export const fairnessTestSources: readonly string[] = ['summit', 'lakeside'];

/**
 * Per site, the `aligner simulate` arguments after `--out DIR`: a training site (every positive annotated), a
 * validation site and two out-of-domain test sites (summit's positives each drawn by two readers, lakeside's 60 %
 * annotated).
 */
export const fairnessSites: readonly { readonly site: string; readonly args: readonly string[] }[] = [
  ['riverside', 48, 1, '--annotate-fraction', '1'],
  ['hillcrest', 16, 2, '--shortcut-mode', 'none', '--role', 'validation'],
  ['summit', 40, 3, '--ood', '--annotate-fraction', '1', '--annotators', '2'],
  ['lakeside', 24, 4, '--ood', '--annotate-fraction', '0.6'],
].map(([site, n, seed, ...extra]) => ({
  site: String(site),
  args: ['--site', String(site), '--n', String(n), '--seed', String(seed), ...learnableNodules, ...extra.map(String)],
}));

export interface MicroRun {
  readonly alignment: number;
  readonly seed: number;
  /** Default true: tested on both out-of-domain sites. */
  readonly test?: boolean;
}

/** `aligner train … --json` of one micro run for two epochs on the wasm backend. */
export function microTrainArgs(db: string, run: MicroRun): string[] {
  return [
    'train',
    ...['--task', fairnessFinding, '--train', 'riverside', '--val', 'hillcrest'],
    ...(run.test === false ? [] : ['--test', fairnessTestSources.join(',')]),
    ...['--alignment', `${run.alignment}`, '--seed', `${run.seed}`, '--epochs', '2', '--batch', '16'],
    ...['--backend', 'wasm', '--db', db, '--json'],
  ];
}
