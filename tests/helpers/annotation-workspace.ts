import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiError, ApiResult } from '../../src-main/api/errors';
import { runCli } from './cli';
import { makeDxFiles } from './dx-files';

/** The synthetic DX images of the annotation tests: 256 rows × 200 columns (not square, so axes cannot swap unnoticed). */
export const dxRows = 256;
export const dxColumns = 200;

/**
 * Writes `n` DX files into `<parent>/<source>` and imports them with the built
 * CLI into `db` as `source` with `role`, as a user would.
 *
 * @returns the DICOM files written, sorted by name
 */
export async function importDxWithCli(
  db: string,
  parent: string,
  options: { source: string; role: 'train' | 'validation' | 'ood-test'; n: number; seed: number },
  env: NodeJS.ProcessEnv = {},
): Promise<string[]> {
  const folder = join(parent, options.source);
  const files = makeDxFiles(folder, options.n, dxRows, dxColumns, options.seed);
  await importFolderWithCli(db, folder, options.source, options.role, env);
  return files;
}

/** Imports a folder with the built CLI; throws with the CLI's output when it does not exit 0. */
export async function importFolderWithCli(
  db: string,
  folder: string,
  source: string,
  role: 'train' | 'validation' | 'ood-test',
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const run = await runCli(['import', folder, '--db', db, '--source', source, '--role', role], env);
  if (run.code !== 0) throw new Error(`aligner import exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

/** Image ids by original file name and source, read from the workspace file (read-only). */
export function imageIds(db: string): { id: number; name: string; source: string }[] {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn
      .prepare(
        `SELECT i.id, i.original_name AS name, s.name AS source FROM images i JOIN sources s ON s.id = i.source_id
         ORDER BY i.id`,
      )
      .all() as { id: number; name: string; source: string }[];
  } finally {
    conn.close();
  }
}

export interface StoreCounts {
  readonly annotations: number;
  readonly history: number;
  readonly flags: number;
  readonly reads: number;
}

/** Row counts of the annotation tables, read through a separate read-only connection (committed data only). */
export function storeCounts(db: string): StoreCounts {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const count = (table: string): number => conn.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    return {
      annotations: count('annotations'),
      history: count('annotation_history'),
      flags: count('finding_flags'),
      reads: count('image_reads'),
    };
  } finally {
    conn.close();
  }
}

export interface CallAnswer {
  readonly status: number;
  readonly result: ApiResult<unknown>;
}

/** `POST /api/<call>` with a raw body (so tests can send what JSON.stringify would not write). */
export async function postRaw(baseUrl: string, call: string, body: string): Promise<CallAnswer> {
  const response = await fetch(new URL(`/api/${call}`, baseUrl), {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json' },
  });
  return { status: response.status, result: (await response.json()) as ApiResult<unknown> };
}

/** `POST /api/<call>` with a JSON body. */
export function postCall(baseUrl: string, call: string, input: unknown): Promise<CallAnswer> {
  return postRaw(baseUrl, call, JSON.stringify(input));
}

/** The value of a call that must succeed; throws with the error otherwise. */
export async function callOk(baseUrl: string, call: string, input: unknown): Promise<unknown> {
  const { status, result } = await postCall(baseUrl, call, input);
  if (!result.ok || status !== 200) throw new Error(`${call} answered ${status}: ${JSON.stringify(result)}`);
  return result.value;
}

/** The error of an answer that must have failed; throws otherwise. */
export function errorOf(answer: CallAnswer): ApiError {
  if (answer.result.ok) throw new Error(`expected an error, got ${JSON.stringify(answer.result.value)}`);
  return answer.result.error;
}
