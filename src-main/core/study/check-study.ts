import type Database from 'better-sqlite3';
import {
  studyConfigSchema,
  studyIssues,
  studyRunCount,
  type StudyConfig,
  type StudyPlan,
} from '../../api/study-schemas';
import { InputError } from '../input-error';
import type { SourceRole } from '../library/sources';
import { presetConfig } from '../model/config';
import { chooseAligned, dataRatioSubset, type Example } from '../training/data';

export interface StudyCheck {
  /** The config with its defaults, or null when the file does not match the schema. */
  readonly config: StudyConfig | null;
  /** Every problem, one line each; empty when the study can be queued. */
  readonly errors: string[];
  readonly plan: StudyPlan | null;
}

/**
 * Checks a study file (any JSON) against the schema and then against the
 * workspace, before anything is queued: the sources exist, hold images and
 * have the right roles; the preset can take the image size; the finding has
 * positives in the training sources; and every level (at every data ratio
 * and seed) has the annotated positives it aligns — by the trainer's own rule
 * (`dataRatioSubset`, then `chooseAligned`), with "drawn region" read as
 * trainPlan reads it (a live region that is not an eraser stroke).
 */
export function checkStudy(db: Database.Database, raw: unknown): StudyCheck {
  const parsed = studyConfigSchema.safeParse(raw);
  if (!parsed.success) return { config: null, errors: studyIssues(parsed.error, raw), plan: null };
  const study = parsed.data;
  const errors: string[] = [];

  try {
    presetConfig(study.preset, { imageSize: study.imageSize, findings: [study.finding], seed: 0 });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    errors.push(`imageSize: ${study.imageSize} does not suit the ${study.preset} preset (${err.message})`);
  }

  const sources = new Map(
    (
      db
        .prepare(
          `SELECT s.name, s.role, (SELECT count(*) FROM images i WHERE i.source_id = s.id) AS images
           FROM sources s ORDER BY s.name`,
        )
        .all() as { name: string; role: SourceRole; images: number }[]
    ).map((s) => [s.name, s]),
  );
  const knownList = [...sources.keys()].map((k) => `'${k}'`).join(', ') || 'no sources';
  const sourceErrors: string[] = [];
  const checkSource = (name: string, key: string): void => {
    const source = sources.get(name);
    if (!source) sourceErrors.push(`${key}: unknown source '${name}'; the workspace has ${knownList}`);
    else if (source.images === 0) sourceErrors.push(`${key}: source '${name}' has no images`);
    else if (key === 'train' && source.role !== 'train')
      sourceErrors.push(`train: source '${name}' has role ${source.role}; training sources need role train`);
  };
  for (const name of study.train) checkSource(name, 'train');
  checkSource(study.validation, 'validation');
  for (const name of study.test) checkSource(name, 'test');
  errors.push(...sourceErrors);
  if (sourceErrors.length > 0) return { config: study, errors, plan: null };

  const training = trainingImages(db, study);
  const positives = training.filter((e) => e.labels[0] === 1);
  if (positives.length === 0) {
    errors.push(
      `finding: '${study.finding}' has no positive label in the training sources (${study.train.map((s) => `'${s}'`).join(', ')})`,
    );
    return { config: study, errors, plan: null };
  }

  // The human arm at each level, at every data ratio and seed (the ratio's subset depends on the seed);
  // the random arm aligns any positive and is never short.
  const shortages = new Map<number, { needed: number; available: number; ratio: number; seed: number }>();
  for (const ratio of study.dataRatios) {
    for (const seed of study.seeds) {
      const subset = ratio === 1 ? training : dataRatioSubset(training, ratio, seed);
      for (const level of study.levels) {
        if (level === 0) continue;
        const { needed, available } = chooseAligned(subset, { fraction: level, seed, onShortage: 'use-available' });
        const missing = needed - available;
        const worst = shortages.get(level);
        if (missing > 0 && (!worst || missing > worst.needed - worst.available)) {
          shortages.set(level, { needed, available, ratio, seed });
        }
      }
    }
  }
  for (const level of study.levels) {
    const short = shortages.get(level);
    if (!short) continue;
    const more = short.needed - short.available;
    const where = short.ratio === 1 ? '' : ` at data ratio ${short.ratio} (seed ${short.seed})`;
    errors.push(
      `levels: level ${level}${where} aligns ${short.needed} positive training images but ${short.available} have a region: ` +
        `draw regions on ${more} more positive training image${more === 1 ? '' : 's'} (Annotate, U), or drop the level`,
    );
  }

  const annotated = positives.filter((e) => e.masks[0] !== null).length;
  const countImages = (names: readonly string[]): number =>
    names.reduce((n, name) => n + (sources.get(name)?.images ?? 0), 0);
  const plan: StudyPlan = {
    runs: studyRunCount(study),
    trainImages: training.length,
    validationImages: countImages([study.validation]),
    testImages: countImages(study.test),
    positives: positives.length,
    annotated,
    levels: study.levels.map((level) => {
      const needed = Math.round(level * positives.length);
      return { level, needed, missing: Math.max(0, needed - annotated) };
    }),
  };
  return { config: study, errors, plan };
}

/** {@link checkStudy}, refusing with every problem in one line. */
export function assertStudy(db: Database.Database, raw: unknown): { config: StudyConfig; plan: StudyPlan } {
  const check = checkStudy(db, raw);
  if (check.errors.length > 0 || !check.config || !check.plan) {
    throw new InputError(check.errors.join('; ') || 'the study is not valid', 'config');
  }
  return { config: check.config, plan: check.plan };
}

const noPixels = new Uint8Array(0);
/** Stands for "has a region" where only presence matters (chooseAligned tests masks for null). */
const regionMark = new Uint8Array(1);

/**
 * The training images as the subset functions see them (label and region presence for the one finding,
 * no pixels), ordered by image key as loadExamples orders them.
 */
function trainingImages(db: Database.Database, study: StudyConfig): Example[] {
  const rows = db
    .prepare(
      `SELECT i.id, i.blob_sha256 AS key, i.source_id AS sourceId, s.name AS source, i.rows, i.cols, l.value AS label,
         EXISTS (
           SELECT 1 FROM annotations a
           WHERE a.image_id = i.id AND a.finding = @finding AND a.deleted = 0
             AND NOT (json_extract(a.geometry, '$.kind') = 'stroke' AND coalesce(json_extract(a.geometry, '$.erase'), 0) = 1)
         ) AS annotated
       FROM images i
       JOIN sources s ON s.id = i.source_id AND s.name IN (SELECT value FROM json_each(@sources))
       LEFT JOIN labels l ON l.image_id = i.id AND l.finding = @finding
       ORDER BY i.blob_sha256, i.id`,
    )
    .all({ finding: study.finding, sources: JSON.stringify(study.train) }) as {
    id: number;
    key: string;
    sourceId: number;
    source: string;
    rows: number;
    cols: number;
    label: 0 | 1 | null;
    annotated: 0 | 1;
  }[];
  return rows.map((r) => ({
    imageId: r.id,
    key: r.key,
    sourceId: r.sourceId,
    source: r.source,
    role: 'train',
    sex: 'unknown',
    age: null,
    rows: r.rows,
    cols: r.cols,
    pixels: noPixels,
    labels: [r.label],
    masks: [r.annotated === 1 && r.label === 1 ? regionMark : null],
  }));
}
