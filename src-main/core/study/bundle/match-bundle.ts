import type Database from 'better-sqlite3';
import type { BundleImage } from '../../../api/bundle-schemas';
import { expandStudy, type StudyConfig } from '../../../api/study-schemas';
import { appVersion } from '../../app-version';
import { InputError } from '../../input-error';
import { importBundleRegions } from './bundle-regions';
import type { StudyBundle } from './read-bundle';
import { studyMembership, type StudyMembership } from './study-membership';

export interface BundleMatch {
  /** The bundle's study with this workspace's source names. */
  readonly config: StudyConfig;
  /** Bundle source name → the source here holding exactly its images. */
  readonly sources: readonly { readonly bundle: string; readonly local: string }[];
  /** Regions added from regions.json (with `importRegions`). */
  readonly regionsImported: { readonly regions: number; readonly images: number };
  /** Differences that do not stop the re-run but may change its numbers (another app version). */
  readonly warnings: readonly string[];
}

/** The bundle's study cannot be re-run here as it is: every reason, one line each. */
export class BundleMismatchError extends InputError {
  constructor(readonly problems: readonly string[]) {
    super(`the bundle does not match this workspace: ${problems.join('; ')}`, 'bundle');
    this.name = 'BundleMismatchError';
  }
}

/** How many examples a message names. */
const examples = 3;

/**
 * Finds the bundle's study in this workspace, or says everything that stands in the way. The images are found
 * by key wherever they were imported; each bundle source must be exactly one source here (no image missing,
 * none extra), the labels the same, each training mask the same (digest of the mask the trainer sees), and
 * every run must draw the same training and aligned images as the bundle recorded. With `importRegions`,
 * training images whose masks differ because they have no regions here take the bundle's regions — in the
 * same transaction as the check, so a check that still fails stores nothing.
 *
 * @throws InputError (field `bundle`) listing every problem
 */
export function matchBundle(
  db: Database.Database,
  bundle: StudyBundle,
  options: { readonly importRegions?: boolean } = {},
): BundleMatch {
  const { manifest } = bundle;
  const problems: string[] = [];
  const refuse = (): never => {
    throw new BundleMismatchError(problems);
  };

  const local = localImages(db, bundle.images);
  const sourceMap = new Map<string, string>();
  for (const source of manifest.sources) {
    const keys = bundle.images.filter((i) => i.source === source.name && i.split === source.split).map((i) => i.key);
    const missing = keys.filter((k) => !local.has(k));
    const where = `source '${source.name}' (${source.split}, ${source.images} images)`;
    if (missing.length > 0) {
      problems.push(
        `${where}: ${missing.length} image${missing.length === 1 ? ' is' : 's are'} not in this workspace ` +
          `(${missing.slice(0, examples).map(short).join(', ')}${missing.length > examples ? ', …' : ''}): import the same files`,
      );
      continue;
    }
    const holders = [...new Set(keys.map((k) => (local.get(k) as LocalImage).source))];
    if (holders.length > 1) {
      problems.push(`${where}: its images are spread over ${holders.map((h) => `'${h}'`).join(', ')} here`);
      continue;
    }
    const holder = holders[0] as string;
    const held = db
      .prepare('SELECT count(*) FROM images i JOIN sources s ON s.id = i.source_id WHERE s.name = ?')
      .pluck()
      .get(holder) as number;
    if (held !== keys.length) {
      const more = held - keys.length;
      problems.push(
        `${where}: source '${holder}' here holds ${more} image${more === 1 ? '' : 's'} the bundle does not list`,
      );
      continue;
    }
    sourceMap.set(source.name, holder);
  }
  if (problems.length > 0) refuse();

  const finding = manifest.study.config.finding;
  const label = db.prepare('SELECT value FROM labels WHERE image_id = ? AND finding = ?').pluck();
  const relabelled = bundle.images.filter((i) => {
    const here = label.get((local.get(i.key) as LocalImage).id, finding) as 0 | 1 | undefined;
    return (here ?? null) !== i.label;
  });
  if (relabelled.length > 0) {
    problems.push(
      `the '${finding}' labels differ on ${relabelled.length} image${relabelled.length === 1 ? '' : 's'} ` +
        `(${relabelled
          .slice(0, examples)
          .map((i) => `${short(i.key)}: bundle ${i.label ?? 'none'}`)
          .join(', ')})`,
    );
    refuse();
  }

  const original = manifest.study.config;
  const rename = (name: string): string => sourceMap.get(name) as string;
  const config: StudyConfig = {
    ...original,
    train: original.train.map(rename),
    validation: rename(original.validation),
    test: original.test.map(rename),
  };
  const membershipHere = (): StudyMembership => {
    try {
      return studyMembership(db, config, expandStudy(config));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(err.message);
      return refuse();
    }
  };

  const wanted = new Map(bundle.images.filter((i) => i.split === 'train').map((i) => [i.key, i.maskSha256]));
  const maskMismatches = (membership: StudyMembership): string[] =>
    membership.images.filter((i) => i.split === 'train' && wanted.get(i.key) !== i.maskSha256).map((i) => i.key);

  return db.transaction((): BundleMatch => {
    let membership = membershipHere();
    if (membership.maskSize !== manifest.maskSize) {
      problems.push(
        `masks are ${membership.maskSize}² here, ${manifest.maskSize}² in the bundle (another app version)`,
      );
      refuse();
    }
    let imported = { regions: 0, images: 0 };
    let differ = maskMismatches(membership);
    if (differ.length > 0 && options.importRegions === true) {
      const ids = new Map(differ.map((k) => [k, (local.get(k) as LocalImage).id]));
      const result = importBundleRegions(db, bundle.regions, ids);
      imported = { regions: result.added, images: result.images };
      membership = membershipHere();
      differ = maskMismatches(membership);
    }
    if (differ.length > 0) {
      problems.push(
        `the regions differ on ${differ.length} training image${differ.length === 1 ? '' : 's'} ` +
          `(${differ.slice(0, examples).map(short).join(', ')}${differ.length > examples ? ', …' : ''})` +
          (options.importRegions === true
            ? ': those images have regions of their own here, which the bundle does not replace'
            : ": add the bundle's regions to images that have none with --import-regions"),
      );
      refuse();
    }
    bundle.subsets.forEach((theirs, index) => {
      const ours = membership.subsets[index];
      const run = manifest.runs[index];
      const sameTrain = ours !== undefined && ours.train.join() === theirs.train.join();
      const sameAligned =
        ours !== undefined &&
        ours.aligned.size === theirs.aligned.size &&
        [...theirs.aligned].every((k) => ours.aligned.has(k));
      if (!sameTrain || !sameAligned) {
        problems.push(
          `run ${index + 1} (level ${run?.level}, seed ${run?.seed}) draws other ${sameTrain ? 'aligned' : 'training'} images here` +
            ` than in the bundle (made by version ${manifest.appVersion}, this is ${appVersion})`,
        );
      }
    });
    if (problems.length > 0) refuse();
    const warnings =
      manifest.appVersion === appVersion
        ? []
        : [`the bundle was made by version ${manifest.appVersion}, this is ${appVersion}: results may differ`];
    return {
      config,
      sources: [...sourceMap].map(([bundleName, localName]) => ({ bundle: bundleName, local: localName })),
      regionsImported: imported,
      warnings,
    };
  })();
}

interface LocalImage {
  readonly id: number;
  readonly source: string;
}

function localImages(db: Database.Database, images: readonly BundleImage[]): Map<string, LocalImage> {
  const rows = db
    .prepare(
      `SELECT i.id, i.blob_sha256 AS key, s.name AS source FROM images i JOIN sources s ON s.id = i.source_id
       WHERE i.blob_sha256 IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(images.map((i) => i.key))) as { id: number; key: string; source: string }[];
  return new Map(rows.map((r) => [r.key, { id: r.id, source: r.source }]));
}

/** An image key as messages show it: its first 12 hex digits. */
function short(key: string): string {
  return `${key.slice(0, 12)}…`;
}
