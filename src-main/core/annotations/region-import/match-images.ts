/**
 * Finds the workspace image a region file's image key names. Tried in order, the first rule that finds any
 * image decides:
 * 1. `images.original_name` equal to the key (`00000003_000.png`);
 * 2. the two equal once a known image extension is dropped from each (`.dcm`, `.dicom`, `.dic`, `.png`,
 *    `.jpg`, `.jpeg`, `.tif`, `.tiff`, any case): VinDr `<id>` finds `<id>.dicom`, NIH `x.png` finds `x.dcm`;
 * 3. `images.sop_instance_uid` equal to the key.
 * With a source name only that source's images are candidates. A rule that finds several images leaves the
 * key ambiguous (not imported; name a source to decide).
 */
import type Database from 'better-sqlite3';
import { InputError } from '../../input-error';

export interface CandidateImage {
  readonly id: number;
  readonly originalName: string;
  readonly sopInstanceUid: string | null;
  readonly rows: number;
  readonly columns: number;
}

export type ImageMatch =
  | { readonly kind: 'matched'; readonly image: CandidateImage }
  | { readonly kind: 'unmatched' }
  | { readonly kind: 'ambiguous'; readonly images: number };

const imageExtension = /\.(dcm|dicom|dic|png|jpe?g|tiff?)$/i;

/** A file name without a known image extension. */
export function imageStem(name: string): string {
  return name.replace(imageExtension, '');
}

/** The workspace's images (or one source's), indexed by the three matching rules. */
export class ImageIndex {
  private readonly byName = new Map<string, CandidateImage[]>();
  private readonly byStem = new Map<string, CandidateImage[]>();
  private readonly byUid = new Map<string, CandidateImage[]>();

  private constructor(images: readonly CandidateImage[]) {
    for (const image of images) {
      push(this.byName, image.originalName, image);
      push(this.byStem, imageStem(image.originalName), image);
      if (image.sopInstanceUid !== null) push(this.byUid, image.sopInstanceUid, image);
    }
  }

  /**
   * @param source a source's name; undefined: every image of the workspace
   * @throws InputError when no source has that name
   */
  static load(db: Database.Database, source?: string): ImageIndex {
    const columns = 'id, original_name AS originalName, sop_instance_uid AS sopInstanceUid, rows, cols AS columns';
    if (source === undefined)
      return new ImageIndex(db.prepare(`SELECT ${columns} FROM images`).all() as CandidateImage[]);
    const sourceId = db.prepare('SELECT id FROM sources WHERE name = ?').pluck().get(source) as number | undefined;
    if (sourceId === undefined) {
      const names = db.prepare('SELECT name FROM sources ORDER BY name').pluck().all() as string[];
      throw new InputError(
        `no source named '${source}' in the workspace; sources: ${names.length ? names.join(', ') : 'none'}`,
        'source',
      );
    }
    return new ImageIndex(
      db.prepare(`SELECT ${columns} FROM images WHERE source_id = ?`).all(sourceId) as CandidateImage[],
    );
  }

  match(key: string): ImageMatch {
    for (const found of [this.byName.get(key), this.byStem.get(imageStem(key)), this.byUid.get(key)]) {
      if (!found || found.length === 0) continue;
      const [only] = found;
      if (found.length === 1 && only) return { kind: 'matched', image: only };
      return { kind: 'ambiguous', images: found.length };
    }
    return { kind: 'unmatched' };
  }
}

function push(map: Map<string, CandidateImage[]>, key: string, image: CandidateImage): void {
  const list = map.get(key);
  if (list) list.push(image);
  else map.set(key, [image]);
}
