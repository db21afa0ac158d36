import type { Finding } from '../../library/findings';
import type { RegionFileFormat } from './region-record';

/** How many examples of unmatched keys, rejected regions and scaled images a summary lists. */
export const summaryExamples = 10;

/** What {@link importRegionFile} did with a file. Counts are of regions (rows or contours) unless named. */
export interface RegionImportSummary {
  readonly file: string;
  readonly format: RegionFileFormat;
  /** The annotator given; VinDr regions are stored as `<annotator>/<rad_id>`. */
  readonly annotator: string;
  /** The source matching was restricted to; null: the whole workspace. */
  readonly source: string | null;
  /** Regions of our findings in the file. */
  readonly regions: number;
  /** Regions stored now. */
  readonly added: number;
  readonly addedByFinding: Readonly<Record<Finding, number>>;
  /** Distinct images that received a region now. */
  readonly images: number;
  /** The annotator names regions were stored under (sorted). */
  readonly annotators: readonly string[];
  /** Regions whose identical geometry was already stored for that image, finding and annotator. */
  readonly alreadyPresent: number;
  /** Regions (or rows) of findings we do not annotate, by the file's name for them. */
  readonly skippedFindings: Readonly<Record<string, number>>;
  /** Regions whose image key found no workspace image; `keys` distinct keys, `examples` the first few. */
  readonly unmatched: KeyCount;
  /** Regions whose image key found several images (name a source to decide). */
  readonly ambiguous: KeyCount;
  /** Regions not stored because they lie entirely outside their image, or cover no area. */
  readonly rejected: {
    readonly outside: number;
    readonly empty: number;
    readonly examples: readonly { readonly imageKey: string; readonly where: string; readonly reason: string }[];
  };
  /** Stored regions that reached past their image and were cut at its edges. */
  readonly clipped: number;
  /** Images whose file coordinates refer to another size (CheXlocalize `img_size`) and were scaled. */
  readonly scaled: {
    readonly images: number;
    readonly examples: readonly {
      readonly imageKey: string;
      readonly from: { readonly width: number; readonly height: number };
      readonly to: { readonly width: number; readonly height: number };
    }[];
  };
}

export interface KeyCount {
  readonly regions: number;
  readonly keys: number;
  readonly examples: readonly string[];
}
