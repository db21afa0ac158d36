import { join } from 'node:path';
import { runCli } from './cli';
import { learnableNodules, simulateInto } from './trainer-workspace';

/**
 * A workspace for the fairness and study-report tests, made as a user makes one: `aligner simulate --into-db`
 * for a training site (every positive annotated), a validation site and two out-of-domain test sites (summit's
 * positives each drawn by two readers, lakeside's 60 % annotated), nodules the micro model learns in two epochs;
 * runs are trained by the built CLI (`aligner train`, micro preset, wasm backend).
 */
export interface FairnessWorkspace {
  readonly db: string;
  readonly env: NodeJS.ProcessEnv;
  /** Folders the simulator wrote (DICOM files, labels.csv, annotations.json), one per site. */
  readonly cohorts: readonly string[];
}

export const fairnessFinding = 'nodule';
export const fairnessTestSources: readonly string[] = ['summit', 'lakeside'];

export async function buildFairnessWorkspace(dir: string): Promise<FairnessWorkspace> {
  const db = join(dir, 'w.db');
  const env: NodeJS.ProcessEnv = { ALIGNER_USER_DATA: join(dir, 'user-data'), ALIGNER_DB: '' };
  const sites: [string, number, number, ...string[]][] = [
    ['riverside', 48, 1, '--annotate-fraction', '1'],
    ['hillcrest', 16, 2, '--shortcut-mode', 'none', '--role', 'validation'],
    ['summit', 40, 3, '--ood', '--annotate-fraction', '1', '--annotators', '2'],
    ['lakeside', 24, 4, '--ood', '--annotate-fraction', '0.6'],
  ];
  const cohorts: string[] = [];
  for (const [site, n, seed, ...extra] of sites) {
    const out = join(dir, site);
    cohorts.push(out);
    const args = ['--out', out, '--site', site, '--n', `${n}`, '--seed', `${seed}`, ...learnableNodules, ...extra];
    await simulateInto(db, args, env);
  }
  return { db, env, cohorts };
}

export interface MicroRun {
  readonly alignment: number;
  readonly seed: number;
  /** Default true: tested on both out-of-domain sites. */
  readonly test?: boolean;
}

/** `aligner train` of one micro run for two epochs; its id (it must end 'done'). */
export async function trainFairnessRun(ws: FairnessWorkspace, run: MicroRun): Promise<number> {
  const args = [
    'train',
    ...['--task', fairnessFinding, '--train', 'riverside', '--val', 'hillcrest'],
    ...(run.test === false ? [] : ['--test', fairnessTestSources.join(',')]),
    ...['--alignment', `${run.alignment}`, '--seed', `${run.seed}`, '--epochs', '2', '--batch', '16'],
    ...['--backend', 'wasm', '--db', ws.db, '--json'],
  ];
  const result = await runCli(args, ws.env);
  if (result.code !== 0) throw new Error(`aligner train exited ${result.code}:\n${result.stderr}`);
  const answer = JSON.parse(result.stdout.trim()) as { runId: number; status: string };
  if (answer.status !== 'done') throw new Error(`run ${answer.runId} ended ${answer.status}:\n${result.stderr}`);
  return answer.runId;
}

/** Trains the runs two at a time (two cores); their ids in the order of `runs`. */
export async function trainFairnessRuns(ws: FairnessWorkspace, runs: readonly MicroRun[]): Promise<number[]> {
  const ids: number[] = new Array<number>(runs.length);
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      for (let i = next++; i < runs.length; i = next++) ids[i] = await trainFairnessRun(ws, runs[i]!);
    }),
  );
  return ids;
}
