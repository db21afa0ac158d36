/**
 * What the region-file parsers produce: every region of the file whose finding maps onto one of ours, in the
 * file's own coordinates (image pixels, unvalidated against any image), and a count per finding name left
 * out. Pure data; matching to images, clipping and storing happen later.
 */
import type { Finding } from '../../library/findings';

/** The region file layouts {@link importRegionFile} reads. */
export const regionFileFormats = ['nih-bbox', 'vindr-csv', 'chexlocalize-json'] as const;
export type RegionFileFormat = (typeof regionFileFormats)[number];

/**
 * A region as the file gives it. `box`: corners (x0, y0) top-left and (x1, y1) bottom-right, x0 ≤ x1 and
 * y0 ≤ y1; `polygon`: vertices, closed implicitly (may have fewer than three: rejected later as empty).
 */
export type RawRegion =
  | { readonly kind: 'box'; readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number }
  | { readonly kind: 'polygon'; readonly points: readonly (readonly [number, number])[] };

export interface RegionRecord {
  /** The image as the file names it (NIH `Image Index`, VinDr `image_id`, CheXlocalize's key). */
  readonly imageKey: string;
  readonly finding: Finding;
  /** The finding's name as written in the file. */
  readonly findingName: string;
  readonly region: RawRegion;
  /** The file's reader id for this region (VinDr `rad_id`), appended to the annotator name; null if none. */
  readonly reader: string | null;
  /** The size of the image the file's coordinates refer to (CheXlocalize `img_size`); null if not given. */
  readonly imageSize: { readonly width: number; readonly height: number } | null;
  /** Where in the file the region is (`line 12`, `key 'id' / 'Lung Lesion' contour 2`), for messages. */
  readonly where: string;
}

export interface ParsedRegionFile {
  readonly format: RegionFileFormat;
  readonly records: readonly RegionRecord[];
  /** Regions (or rows) of findings we do not annotate, by the name the file gives them. */
  readonly skippedFindings: Readonly<Record<string, number>>;
}
