/**
 * `aligner study bundle ID --out FILE` and the `studyBundle` call (issue 8): a study's reproducibility bundle,
 * one `.tar.gz` a co-author re-runs with `aligner study run --bundle FILE` on a workstation holding the same
 * images. What it holds and why: docs/reproducibility.md.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import {
  bundleFormat,
  bundleManifestSchema,
  bundleVersion,
  type BundleFile,
  type BundleManifest,
  type BundleRun,
  type StudyBundleInput,
  type StudyBundleResult,
} from '../../../api/bundle-schemas';
import { appVersion } from '../../app-version';
import { writeFileAtomic } from '../../write-file-atomic';
import { readStudy, studyRunRows, sweepPlace } from '../study-store';
import { imagesCsv, subsetsCsv } from './bundle-csv';
import { bundleReadme } from './bundle-readme';
import { collectBundleRegions } from './bundle-regions';
import { predictionsDigest } from './predictions-digest';
import { studyMembership } from './study-membership';
import { writeTar } from './tar';

export function writeStudyBundle(db: Database.Database, input: StudyBundleInput): StudyBundleResult {
  const started = performance.now();
  const study = readStudy(db, input.studyId);
  const runRows = studyRunRows(db, study.id);
  const membership = studyMembership(
    db,
    study.config,
    runRows.map((run, index) => ({ index, config: run.config })),
  );
  const runs: BundleRun[] = runRows.map((run, index) => {
    const subset = membership.subsets[index] as (typeof membership.subsets)[number];
    return {
      ...sweepPlace(run, index),
      status: run.status,
      backend: run.backend,
      device: run.device,
      bestEpoch: run.bestEpoch,
      valAuc: run.valAuc,
      testAuc: run.testAuc,
      trainImages: subset.train.length,
      alignedImages: subset.aligned.size,
      predictionsSha256: run.status === 'done' ? predictionsDigest(db, run.id) : null,
    };
  });
  const { regions, count: regionCount } = collectBundleRegions(db, study.config.finding, study.config.train);

  const contents: Record<Exclude<BundleFile, 'bundle.json'>, string> = {
    'study.json': `${JSON.stringify(study.config, null, 2)}\n`,
    'images.csv': imagesCsv(membership.images),
    'subsets.csv': subsetsCsv(membership.subsets),
    'regions.json': `${JSON.stringify(regions)}\n`,
    'README.txt': bundleReadme(study.config.name, membership.images.length, runs.length),
  };
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries(contents)) files[name] = sha256(text);
  const manifest: BundleManifest = bundleManifestSchema.parse({
    format: bundleFormat,
    version: bundleVersion,
    createdAt: new Date().toISOString(),
    appVersion,
    study: { id: study.id, config: study.config },
    maskSize: membership.maskSize,
    sources: [...membership.sources],
    runs,
    files,
  } satisfies BundleManifest);

  const archive = gzipSync(
    writeTar(
      [
        { name: 'bundle.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
        ...Object.entries(contents).map(([name, text]) => ({ name, data: Buffer.from(text) })),
      ],
      Date.now() / 1000,
    ),
    { level: 9 },
  );
  mkdirSync(dirname(input.outFile), { recursive: true });
  writeFileAtomic(input.outFile, archive);
  return {
    studyId: study.id,
    outFile: input.outFile,
    bytes: archive.length,
    images: membership.images.length,
    runs: runs.length,
    regions: regionCount,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
