/**
 * How far the annotations are from each alignment level of a study: the
 * figure behind "draw N more regions for 50 % alignment".
 */
import type Database from 'better-sqlite3';
import { findings } from '../library/findings';

/** The alignment fractions a study sweeps (ARCHITECTURE.md §6), above 0. */
export const alignmentLevels = [0.25, 0.5, 0.75, 1] as const;

export interface LevelProgress {
  /** The alignment fraction f. */
  readonly level: number;
  /** Annotated positives the level needs: round(f × positives), as the trainer's aligned subset (chooseAligned). */
  readonly needed: number;
  /** How many more to draw: max(0, needed − annotated). */
  readonly remaining: number;
}

export interface FindingProgress {
  readonly finding: string;
  /** Training images labelled positive for the finding. */
  readonly positives: number;
  /** Of those, the ones with at least one live region for the finding that paints (not an eraser). */
  readonly annotated: number;
  /** One entry per alignment level, in `alignmentLevels` order. */
  readonly levels: readonly LevelProgress[];
}

export interface ProgressReport {
  /** Whose regions count; null for anyone's. */
  readonly annotator: string | null;
  /** Images of sources with role 'train'. */
  readonly trainingImages: number;
  /** The product's findings in their order, then any other finding labelled on training images, by name. */
  readonly findings: readonly FindingProgress[];
}

/**
 * Annotation progress toward each alignment level, per finding.
 *
 * The rule: at alignment level f a study aligns a seeded sample of f of the
 * training images, and the alignment loss uses the human region of the
 * sampled images that are positive for the finding. Only those need a region,
 * so in expectation a level needs f × positives annotated positives; `needed`
 * is round(f × positives) — the count the trainer's `chooseAligned` draws — and `remaining`
 * what is still to draw. A positive counts as annotated when it has a live
 * (not deleted) region for the finding that is not an eraser stroke, by
 * `annotator`, or by anyone when none is given.
 */
export function annotationProgress(
  db: Database.Database,
  options: { readonly annotator?: string } = {},
): ProgressReport {
  const annotator = options.annotator ?? null;
  const trainingImages = db
    .prepare(`SELECT COUNT(*) FROM images i JOIN sources s ON s.id = i.source_id WHERE s.role = 'train'`)
    .pluck()
    .get() as number;
  const rows = db
    .prepare(
      `SELECT l.finding AS finding,
              COUNT(*) AS positives,
              SUM(EXISTS (
                SELECT 1 FROM annotations a
                 WHERE a.image_id = l.image_id AND a.finding = l.finding AND a.deleted = 0
                   AND (@annotator IS NULL OR a.annotator = @annotator)
                   AND NOT (json_extract(a.geometry, '$.kind') = 'stroke'
                            AND coalesce(json_extract(a.geometry, '$.erase'), 0) = 1)
              )) AS annotated
         FROM labels l
         JOIN images i ON i.id = l.image_id
         JOIN sources s ON s.id = i.source_id AND s.role = 'train'
        WHERE l.value = 1
        GROUP BY l.finding`,
    )
    .all({ annotator }) as { finding: string; positives: number; annotated: number }[];
  const counted = new Map(rows.map((row) => [row.finding, row]));
  const others = rows.map((row) => row.finding).filter((f) => !(findings as readonly string[]).includes(f));
  return {
    annotator,
    trainingImages,
    findings: [...findings, ...others.sort()].map((finding) => {
      const row = counted.get(finding);
      return findingProgress(finding, row?.positives ?? 0, row?.annotated ?? 0);
    }),
  };
}

/** The levels' needs for a finding with `positives` positives of which `annotated` carry a region. */
export function findingProgress(finding: string, positives: number, annotated: number): FindingProgress {
  return {
    finding,
    positives,
    annotated,
    levels: alignmentLevels.map((level) => {
      const needed = Math.round(level * positives);
      return { level, needed, remaining: Math.max(0, needed - annotated) };
    }),
  };
}
