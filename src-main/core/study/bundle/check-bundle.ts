import type Database from 'better-sqlite3';
import type { BundleCheckResult } from '../../../api/bundle-schemas';
import { checkStudy } from '../check-study';
import { BundleMismatchError, matchBundle, type BundleMatch } from './match-bundle';
import type { StudyBundle } from './read-bundle';

/** Thrown inside the check's transaction to roll it back once the answer is known. */
class DryRun extends Error {}

/**
 * What `studyFromBundle` would do, without doing it: the match of {@link matchBundle} (with `importRegions`,
 * the regions it would add) and the study checks of `checkStudy` on the matched config, all in one transaction
 * that is rolled back — nothing is stored, nothing queued.
 */
export function checkBundle(
  db: Database.Database,
  bundle: StudyBundle,
  options: { readonly importRegions: boolean },
): BundleCheckResult {
  let match: BundleMatch | null = null;
  let problems: string[] = [];
  try {
    db.transaction(() => {
      match = matchBundle(db, bundle, options);
      problems = checkStudy(db, match.config).errors;
      throw new DryRun();
    })();
  } catch (err) {
    if (err instanceof BundleMismatchError) problems = [...err.problems];
    else if (!(err instanceof DryRun)) throw err;
  }
  const matched = match as BundleMatch | null;
  const { manifest } = bundle;
  return {
    ok: problems.length === 0,
    problems,
    warnings: matched ? [...matched.warnings] : [],
    study: {
      name: manifest.study.config.name,
      finding: manifest.study.config.finding,
      runs: manifest.runs.length,
      images: bundle.images.length,
      appVersion: manifest.appVersion,
      createdAt: manifest.createdAt,
    },
    sources: matched ? [...matched.sources] : [],
    regionsToImport: matched ? matched.regionsImported : { regions: 0, images: 0 },
  };
}
