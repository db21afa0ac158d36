import type Database from 'better-sqlite3';
import type { BundleManifest } from '../../../api/bundle-schemas';
import type { Reproduction } from '../../../api/study-schemas';
import { studyRunRows } from '../study-store';
import { predictionsDigest } from './predictions-digest';

/**
 * How a re-run study compares with the bundle it came from, run by run in queue order: identical test
 * predictions (digest) and the test AUC difference. The same app version on the same backend gives identical
 * predictions; another backend (wasm here, a GPU there) agrees only to floating-point rounding.
 */
export function compareWithBundle(db: Database.Database, studyId: number, manifest: BundleManifest): Reproduction {
  const runs: Reproduction['runs'] = [];
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

/** One line for people: how many runs reproduced the bundle's predictions, and the largest AUC difference. */
export function describeReproduction(reproduction: Reproduction): string {
  const auc = reproduction.maxAbsTestAucDiff;
  return (
    `compared with the bundle: ${reproduction.identical} of ${reproduction.compared} finished runs gave identical test predictions` +
    (auc === null ? '' : `; largest test AUC difference ${auc.toPrecision(3)}`)
  );
}
