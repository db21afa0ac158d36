import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { BundleImage, BundleSplit } from '../../../api/bundle-schemas';
import type { StudyConfig } from '../../../api/study-schemas';
import type { TrainConfig } from '../../../api/training-schemas';
import { presetConfig } from '../../model/config';
import { chooseAligned, dataRatioSubset, loadExamples, type Example } from '../../training/data';

/** One run's training set as the trainer draws it: its images (key order) and the aligned ones among them. */
export interface RunSubset {
  readonly index: number;
  readonly train: readonly string[];
  readonly aligned: ReadonlySet<string>;
}

export interface SourceMembership {
  readonly name: string;
  readonly split: BundleSplit;
  readonly images: number;
  readonly positives: number;
  readonly annotated: number;
}

export interface StudyMembership {
  readonly maskSize: number;
  /** Training sources, then validation, then test, each in the config's order; images in key order. */
  readonly sources: readonly SourceMembership[];
  readonly images: readonly BundleImage[];
  readonly subsets: readonly RunSubset[];
}

/**
 * Who is in the study, by image key: every image of its sources with the finding's label, the digest of each
 * training image's mask as the trainer rasterises it (the union of the readers' live regions at R), and each
 * run's training subset and aligned subset drawn by the trainer's own functions (`loadExamples`,
 * `dataRatioSubset`, `chooseAligned`) — so two workstations that compute the same membership train on the
 * same data in the same order. Reads only.
 *
 * @param runs the study's runs in queue order (index and training config)
 */
export function studyMembership(
  db: Database.Database,
  config: StudyConfig,
  runs: readonly { readonly index: number; readonly config: TrainConfig }[],
): StudyMembership {
  const maskSize = presetConfig(config.preset, {
    imageSize: config.imageSize,
    findings: [config.finding],
    seed: 0,
  }).maskSize;
  // The pixels are not needed: the smallest resize of the cache keeps the read cheap.
  const train = loadExamples(db, { sources: config.train, findings: [config.finding], imageSize: 1, maskSize });

  const sources: SourceMembership[] = [];
  const images: BundleImage[] = [];
  for (const name of config.train) {
    const own = train.filter((e) => e.source === name);
    sources.push({
      name,
      split: 'train',
      images: own.length,
      positives: own.filter((e) => e.labels[0] === 1).length,
      annotated: own.filter((e) => e.masks[0] !== null).length,
    });
    for (const e of own) {
      const mask = e.masks[0] ?? null;
      images.push({
        key: e.key,
        source: name,
        split: 'train',
        label: e.labels[0] ?? null,
        maskSha256: mask === null ? null : createHash('sha256').update(mask).digest('hex'),
      });
    }
  }
  const labelled = db.prepare(
    `SELECT i.blob_sha256 AS key, l.value AS label FROM images i
     JOIN sources s ON s.id = i.source_id AND s.name = ?
     LEFT JOIN labels l ON l.image_id = i.id AND l.finding = ?
     ORDER BY i.blob_sha256, i.id`,
  );
  const heldOut: [string, BundleSplit][] = [
    [config.validation, 'validation'],
    ...config.test.map((name): [string, BundleSplit] => [name, 'test']),
  ];
  for (const [name, split] of heldOut) {
    const rows = labelled.all(name, config.finding) as { key: string; label: 0 | 1 | null }[];
    sources.push({
      name,
      split,
      images: rows.length,
      positives: rows.filter((r) => r.label === 1).length,
      annotated: 0,
    });
    for (const row of rows) images.push({ key: row.key, source: name, split, label: row.label, maskSha256: null });
  }

  const subsets = runs.map((run) => runSubset(train, run.index, run.config));
  return { maskSize, sources, images, subsets };
}

/** The trainer's draw for one run (train-loop.ts): the data-ratio subset, then the aligned subset of it. */
function runSubset(train: readonly Example[], index: number, config: TrainConfig): RunSubset {
  const subset = dataRatioSubset(train, config.dataRatio, config.seed);
  const { aligned } = chooseAligned(subset, {
    fraction: config.alignment,
    seed: config.seed,
    // A level short of regions failed as a run; the bundle still says what it would have drawn.
    onShortage: 'use-available',
    requireAnnotation: !config.randomAlignment,
  });
  return {
    index,
    train: subset.map((e) => e.key),
    aligned: new Set(subset.filter((e) => aligned.has(e.imageId)).map((e) => e.key)),
  };
}
