import { join } from 'node:path';
import { runCli } from './cli';
import { fairnessSites, microTrainArgs, type MicroRun } from './fairness-plan';
import { simulateInto } from './trainer-workspace';

export { fairnessFinding, fairnessTestSources, type MicroRun } from './fairness-plan';

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

export async function buildFairnessWorkspace(dir: string): Promise<FairnessWorkspace> {
  const db = join(dir, 'w.db');
  const env: NodeJS.ProcessEnv = { ALIGNER_USER_DATA: join(dir, 'user-data'), ALIGNER_DB: '' };
  const cohorts: string[] = [];
  for (const { site, args } of fairnessSites) {
    const out = join(dir, site);
    cohorts.push(out);
    await simulateInto(db, ['--out', out, ...args], env);
  }
  return { db, env, cohorts };
}

/** `aligner train` of one micro run for two epochs; its id (it must end 'done'). */
export async function trainFairnessRun(ws: FairnessWorkspace, run: MicroRun): Promise<number> {
  const args = microTrainArgs(ws.db, run);
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
