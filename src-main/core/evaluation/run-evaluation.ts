/**
 * One finished training run evaluated on its test sources for one finding (issue 7): per source, the
 * classification metrics at a threshold overall and per subgroup, the fairness gaps, the pointing-game hit rate
 * overall and per subgroup with its gap, and the mIoU. No bootstrap: the Fairness view summarises over seeds.
 *
 * Which images: every test image the run scored for the finding that has a label (0 or 1) for it.
 * Subgroups: sex as stored ('F', 'M', 'other'; 'unknown' left out), age binarised at the threshold ('<T',
 * '>=T'; unknown age left out), and the view position where the source's images carry at least two different
 * ones (one view only makes no comparison, so the attribute is left out). A group with one class only has a
 * null AUC (never 0.5); a gap needs two groups with the metric defined.
 * Hit rate and mIoU: over the positive images whose human regions (image-alignment.ts: the union of every
 * annotator's live regions of the finding) set at least one pixel, and that have an attention map.
 */
import type Database from 'better-sqlite3';
import type { TrainConfig } from '../../api/training-schemas';
import { trainConfigSchema } from '../../api/training-schemas';
import { InputError } from '../input-error';
import type { GroupMetrics } from './classification';
import { fairnessReport, type GapMetrics, type GroupingAttribute } from './fairness-report';
import { imageAlignments, readHumanRegions, type HumanRegions, type ImageAlignment } from './image-alignment';
import { meanIoU } from './attention-iou';
import { hitRateByGroup } from './pointing';

export interface EvaluationOptions {
  /** Age is binarised into `<T` and `>=T`. */
  readonly ageThreshold: number;
  /** A score >= threshold is a positive call. */
  readonly threshold: number;
}

/** What the evaluation knows of a test image. */
export interface EvaluatedImage {
  readonly imageId: number;
  readonly source: string;
  readonly score: number;
  readonly label: 0 | 1;
  readonly sex: string;
  readonly age: number | null;
  readonly view: string | null;
  readonly rows: number;
  readonly cols: number;
  readonly pseudonym: string | null;
}

/** A grouping attribute of a source's images: each image's value, or null to leave it out. */
export interface AttributeDefinition {
  readonly name: string;
  /** Values in display order. */
  readonly values: readonly string[];
  readonly valueOf: (image: EvaluatedImage) => string | null;
}

const sexOrder = ['F', 'M', 'other'];

/**
 * The grouping attributes of one source's images: sex, age at the threshold, and the view position when the
 * images carry at least two different ones.
 */
export function groupingAttributes(images: readonly EvaluatedImage[], ageThreshold: number): AttributeDefinition[] {
  const sexValue = (image: EvaluatedImage): string | null =>
    image.sex === 'unknown' || image.sex === '' ? null : image.sex;
  const sexes = new Set(images.map(sexValue).filter((v): v is string => v !== null));
  const ageValues = [`<${ageThreshold}`, `>=${ageThreshold}`];
  const attributes: AttributeDefinition[] = [
    {
      name: 'sex',
      values: [...sexes].sort((a, b) => rank(sexOrder, a) - rank(sexOrder, b) || a.localeCompare(b)),
      valueOf: sexValue,
    },
    {
      name: 'age',
      values: ageValues,
      valueOf: (image) =>
        image.age === null ? null : image.age < ageThreshold ? (ageValues[0] as string) : (ageValues[1] as string),
    },
  ];
  const viewValue = (image: EvaluatedImage): string | null => {
    const v = image.view?.trim() ?? '';
    return v === '' ? null : v;
  };
  const views = new Set(images.map(viewValue).filter((v): v is string => v !== null));
  if (views.size >= 2) attributes.push({ name: 'view', values: [...views].sort(), valueOf: viewValue });
  return attributes;
}

function rank(order: readonly string[], value: string): number {
  const i = order.indexOf(value);
  return i < 0 ? order.length : i;
}

export interface GroupEvaluation {
  readonly value: string;
  readonly metrics: GroupMetrics;
  /** Null when no positive image of the group counts in the pointing game. */
  readonly hitRate: number | null;
  readonly hitImages: number;
}

export interface AttributeEvaluation {
  readonly attribute: string;
  /** Groups with at least one image, in the attribute's order. */
  readonly groups: readonly GroupEvaluation[];
  readonly gaps: GapMetrics;
  /** Best minus worst group hit rate; null with fewer than two groups that count an image. */
  readonly hitRateGap: number | null;
}

export interface SourceEvaluation {
  readonly source: string;
  readonly metrics: GroupMetrics;
  readonly hitRate: number | null;
  readonly hits: number;
  /** Positive images that count in the pointing game. */
  readonly hitImages: number;
  readonly miou: number | null;
  readonly attributes: readonly AttributeEvaluation[];
}

export interface RunEvaluation {
  readonly runId: number;
  readonly finding: string;
  /** Test sources with labelled predictions, in the run's test order. */
  readonly sources: readonly SourceEvaluation[];
}

export interface RunRecord {
  readonly id: number;
  readonly studyId: number | null;
  readonly seed: number;
  readonly status: string;
  readonly config: TrainConfig;
}

/** One run's row, config parsed; undefined when there is none. */
export function readRunRecord(db: Database.Database, runId: number): RunRecord | undefined {
  const row = db.prepare('SELECT id, study_id, seed, status, config FROM runs WHERE id = ?').get(runId) as
    RawRun | undefined;
  return row && toRunRecord(row);
}

export interface RawRun {
  id: number;
  study_id: number | null;
  seed: number;
  status: string;
  config: string;
}

/** @throws InputError when the stored config is not a TrainConfig this build reads */
export function toRunRecord(row: RawRun): RunRecord {
  let parsed: ReturnType<typeof trainConfigSchema.safeParse>;
  try {
    parsed = trainConfigSchema.safeParse(JSON.parse(row.config));
  } catch {
    throw new InputError(`run ${row.id}: its stored config is not JSON`, 'runId');
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `run ${row.id}: its stored config cannot be read (${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'})`,
      'runId',
    );
  }
  return { id: row.id, studyId: row.study_id, seed: row.seed, status: row.status, config: parsed.data };
}

/**
 * The run's labelled test images for a finding, ordered by the run's test sources (then any other source by
 * name) and image id.
 */
export function readEvaluatedImages(db: Database.Database, run: RunRecord, finding: string): EvaluatedImage[] {
  const rows = db
    .prepare(
      `SELECT p.image_id AS imageId, s.name AS source, p.score, l.value AS label, i.sex, i.age_years AS age,
         i.view_position AS view, i.rows, i.cols, i.patient_pseudonym AS pseudonym
       FROM predictions p
       JOIN images i ON i.id = p.image_id
       JOIN sources s ON s.id = i.source_id
       JOIN labels l ON l.image_id = p.image_id AND l.finding = p.finding
       WHERE p.run_id = ? AND p.finding = ?
       ORDER BY p.image_id`,
    )
    .all(run.id, finding) as EvaluatedImage[];
  const order = run.config.test;
  const position = (source: string): number => {
    const i = order.indexOf(source);
    return i < 0 ? order.length : i;
  };
  return rows.sort(
    (a, b) => position(a.source) - position(b.source) || a.source.localeCompare(b.source) || a.imageId - b.imageId,
  );
}

/** Live regions read once per finding and image, shared by the runs of one call. */
export class RegionStore {
  readonly #byFinding = new Map<string, Map<number, HumanRegions | null>>();

  constructor(private readonly db: Database.Database) {}

  /** The regions of `finding` on `imageIds` (absent: the image has none). */
  get(finding: string, imageIds: readonly number[]): Map<number, HumanRegions> {
    let known = this.#byFinding.get(finding);
    if (!known) {
      known = new Map();
      this.#byFinding.set(finding, known);
    }
    const missing = imageIds.filter((id) => !known.has(id));
    if (missing.length > 0) {
      const read = readHumanRegions(this.db, finding, missing);
      for (const id of missing) known.set(id, read.get(id) ?? null);
    }
    const out = new Map<number, HumanRegions>();
    for (const id of imageIds) {
      const r = known.get(id);
      if (r) out.set(id, r);
    }
    return out;
  }
}

/** Alignment (peak, hit, IoU) of a run's maps on images, through the cache. */
export function alignmentsFor(
  db: Database.Database,
  runId: number,
  finding: string,
  images: readonly EvaluatedImage[],
  regions: RegionStore,
): Map<number, ImageAlignment> {
  const human = regions.get(
    finding,
    images.map((i) => i.imageId),
  );
  return imageAlignments(db, runId, finding, images, human);
}

/**
 * Evaluates one run for one finding. Only the positive images with a human region touch the attention maps;
 * their peaks and IoUs come from the cache after the first call.
 */
export function evaluateRun(
  db: Database.Database,
  run: RunRecord,
  finding: string,
  options: EvaluationOptions,
  regions: RegionStore = new RegionStore(db),
): RunEvaluation {
  const images = readEvaluatedImages(db, run, finding);
  const positives = images.filter((i) => i.label === 1);
  const human = regions.get(
    finding,
    positives.map((i) => i.imageId),
  );
  const annotated = positives.filter((i) => human.has(i.imageId));
  const alignment = imageAlignments(db, run.id, finding, annotated, human);
  const bySource = new Map<string, EvaluatedImage[]>();
  for (const image of images) {
    const list = bySource.get(image.source) ?? [];
    list.push(image);
    bySource.set(image.source, list);
  }
  const sources: SourceEvaluation[] = [];
  for (const [source, list] of bySource) sources.push(evaluateSource(source, list, alignment, options));
  return { runId: run.id, finding, sources };
}

/**
 * The metrics of one source's images from their scores, labels and alignment: pure, so tests can feed it
 * hand-built inputs.
 */
export function evaluateSource(
  source: string,
  images: readonly EvaluatedImage[],
  alignment: ReadonlyMap<number, Pick<ImageAlignment, 'hit' | 'iou'>>,
  options: EvaluationOptions,
): SourceEvaluation {
  const n = images.length;
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  images.forEach((image, k) => {
    scores[k] = image.score;
    labels[k] = image.label;
  });
  const definitions = groupingAttributes(images, options.ageThreshold);
  const attributes: GroupingAttribute[] = definitions.map((d) => ({
    name: d.name,
    values: d.values,
    codes: Int32Array.from(images, (image) => {
      const v = d.valueOf(image);
      return v === null ? -1 : d.values.indexOf(v);
    }),
  }));
  const report = fairnessReport(scores, labels, attributes, { threshold: options.threshold, bootstrap: 0 });

  // The pointing game over the positive images (null: not counted).
  const positives = images.filter((i) => i.label === 1);
  const hits = positives.map((i) => alignment.get(i.imageId)?.hit ?? null);
  const overall = hitRateByGroup(
    hits,
    positives.map(() => null),
    { bootstrap: 0 },
  ).overall;
  const ious = positives.map((i) => {
    const a = alignment.get(i.imageId);
    return a && a.hit !== null ? a.iou : null;
  });

  return {
    source,
    metrics: report.overall,
    hitRate: overall.value,
    hits: overall.hits,
    hitImages: overall.images,
    miou: meanIoU(ious),
    attributes: definitions.map((d): AttributeEvaluation => {
      const grouped = hitRateByGroup(hits, positives.map(d.valueOf), { bootstrap: 0 });
      const perValue = report.groups[d.name] ?? {};
      return {
        attribute: d.name,
        groups: d.values
          .filter((value) => perValue[value] !== undefined)
          .map((value) => ({
            value,
            metrics: perValue[value] as GroupMetrics,
            hitRate: grouped.groups[value]?.value ?? null,
            hitImages: grouped.groups[value]?.images ?? 0,
          })),
        gaps: report.gaps[d.name] as GapMetrics,
        hitRateGap: grouped.gap,
      };
    }),
  };
}
