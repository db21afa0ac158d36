import type Database from 'better-sqlite3';
import type { BundleManifest } from '../../../api/bundle-schemas';
import { studyRunRows } from '../study-store';
import { predictionsDigest } from './predictions-digest';

export interface RunReproduction {
  /** 0-based queue position, as in the bundle. */
  readonly index: number;
  readonly runId: number;
  readonly testAuc: number | null;
  readonly bundleTestAuc: number | null;
  /** Every test prediction equal to the bundle's (same digest). */
  readonly identical: boolean;
}

export interface Reproduction {
  /** Runs done both here and in the bundle. */
  readonly compared: number;
  /** Of those, runs whose test predictions are identical. */
  readonly identical: number;
  /** Largest |test AUC here − test AUC in the bundle| over the compared runs; null when none. */
  readonly maxAbsTestAucDiff: number | null;
  readonly runs: readonly RunReproduction[];
}

/**
 * How a re-run study compares with the bundle it came from, run by run in queue order: identical test
 * predictions (digest) and the test AUC difference. The same app version on the same backend gives identical
 * predictions; another backend (wasm here, a GPU there) agrees only to floating-point rounding.
 */
export function compareWithBundle(db: Database.Database, studyId: number, manifest: BundleManifest): Reproduction {
  const runs: RunReproduction[] = [];
  studyRunRows(db, studyId).forEach((run, index) => {
    const theirs = manifest.runs[index];
    if (!theirs || run.status !== 'done' || theirs.status !== 'done') return;
    runs.push({
      index,
      runId: run.id,
      testAuc: run.testAuc,
      bundleTestAuc: theirs.testAuc,
      identical: theirs.predictionsSha256 !== null && predictionsDigest(db, run.id) === theirs.predictionsSha256,
    });
  });
  const diffs = runs
    .filter((r) => r.testAuc !== null && r.bundleTestAuc !== null)
    .map((r) => Math.abs((r.testAuc as number) - (r.bundleTestAuc as number)));
  return {
    compared: runs.length,
    identical: runs.filter((r) => r.identical).length,
    maxAbsTestAucDiff: diffs.length > 0 ? Math.max(...diffs) : null,
    runs,
  };
}
