import { join } from 'node:path';
import { openWorkspace } from '../../src-main/core/db/open-workspace';
import { createRun } from '../../src-main/core/training/run-store';
import { trainConfigSchema } from '../../src-main/api/training-schemas';
import { runCli, type CliRun } from './cli';
import { learnableNodules, simulateInto } from './trainer-workspace';

/**
 * A workspace for the export tests, made as a user makes one: `aligner simulate --into-db` for a training site
 * (every positive annotated), a validation site and an out-of-domain test site, each with nodules and effusions
 * (nodules large enough for the micro model to learn in two epochs), then `aligner train` on the real trainer.
 */
export interface ExportWorkspace {
  readonly db: string;
  /** Folders the simulator wrote (DICOM files, labels.csv, annotations.json), one per site. */
  readonly cohorts: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

export interface TrainAnswer {
  readonly runId: number;
  readonly status: string;
  readonly bestEpoch: number | null;
  readonly valAuc: number | null;
  readonly testAuc: number | null;
}

/** The trainer tests' learnable nodules, with effusions too (a later `--findings` overrides the earlier one). */
const cohortOptions = [...learnableNodules, '--findings', 'nodule,effusion'];

export async function buildExportWorkspace(dir: string): Promise<ExportWorkspace> {
  const db = join(dir, 'w.db');
  const env: NodeJS.ProcessEnv = { ALIGNER_USER_DATA: join(dir, 'user-data'), ALIGNER_DB: '' };
  const sites = [
    ['riverside', '40', '1', '--annotate-fraction', '1'],
    ['hillcrest', '20', '2', '--role', 'validation'],
    ['summit', '30', '3', '--ood'],
  ] as const;
  const cohorts: string[] = [];
  for (const [site, n, seed, ...extra] of sites) {
    const out = join(dir, site);
    cohorts.push(out);
    await simulateInto(db, ['--out', out, '--site', site, '--n', n, '--seed', seed, ...cohortOptions, ...extra], env);
  }
  return { db, cohorts, env };
}

/** `aligner train` of the micro preset for two epochs on the wasm backend, with summit as the test source. */
export async function trainMicro(ws: ExportWorkspace, task: string): Promise<TrainAnswer> {
  const run = await runCli(
    [
      'train',
      '--task',
      task,
      '--train',
      'riverside',
      '--val',
      'hillcrest',
      '--test',
      'summit',
      '--alignment',
      '0.5',
      '--epochs',
      '2',
      '--batch',
      '16',
      '--backend',
      'wasm',
      '--db',
      ws.db,
      '--json',
    ],
    ws.env,
  );
  if (run.code !== 0) throw new Error(`aligner train exited ${run.code}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as TrainAnswer;
}

/** A run that never started (status 'queued'), recorded by the run store as the app records one. */
export function queuedRun(ws: ExportWorkspace): number {
  const opened = openWorkspace(ws.db);
  try {
    const config = trainConfigSchema.parse({
      findings: ['nodule'],
      train: ['riverside'],
      validation: ['hillcrest'],
      alignment: 0,
    });
    return createRun(opened.db, config);
  } finally {
    opened.close();
  }
}

/** What a bad-input case must look like: exit 2, one line on stderr, nothing on stdout but the JSON error. */
export function oneLineError(run: CliRun): string {
  const lines = run.stderr.trim().split('\n');
  if (run.code !== 2 || lines.length !== 1 || !lines[0]?.startsWith('aligner: error: ')) {
    throw new Error(`expected exit 2 with one error line, got ${run.code}:\n${run.stderr}`);
  }
  return lines[0];
}
