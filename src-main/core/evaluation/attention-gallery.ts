/**
 * One run's test images with the human region and the model's attention side by side (issue 7, Fairness view):
 * filtered by source, subgroup and pointing-game outcome, one page at a time.
 */
import type Database from 'better-sqlite3';
import sharp from 'sharp';
import type { AttentionGallery, AttentionGalleryItem, AttentionGalleryQuery } from '../../api/fairness-schemas';
import { InputError } from '../input-error';
import { presets } from '../model/config';
import { resizeSquare } from '../training/data/resize';
import {
  alignmentsFor,
  groupingAttributes,
  readEvaluatedImages,
  readRunRecord,
  RegionStore,
  type EvaluatedImage,
} from './run-evaluation';

/**
 * The gallery page. Images: the run's test images scored for the finding that have a label for it, in the run's
 * test-source order and by id. `outcome` 'hit' or 'miss' keeps the positive images that count in the pointing
 * game with that result (so hit + miss = the annotated positives); 'all' keeps every image, negatives included.
 * `group` matches the image's value of the attribute (`groups` of the item; sex, age at `ageThreshold`, and
 * view where its source has two views or more).
 */
export async function attentionGallery(db: Database.Database, query: AttentionGalleryQuery): Promise<AttentionGallery> {
  const run = readRunRecord(db, query.runId);
  if (!run) throw new InputError(`there is no run ${query.runId}`, 'runId');
  const regions = new RegionStore(db);
  const all = readEvaluatedImages(db, run, query.finding);

  // Every image's groups, from its own source's attributes.
  const groupsOf = new Map<number, Record<string, string>>();
  const bySource = new Map<string, EvaluatedImage[]>();
  for (const image of all) {
    const list = bySource.get(image.source) ?? [];
    list.push(image);
    bySource.set(image.source, list);
  }
  for (const images of bySource.values()) {
    const attributes = groupingAttributes(images, query.ageThreshold);
    for (const image of images)
      groupsOf.set(image.imageId, Object.fromEntries(attributes.map((a) => [a.name, a.valueOf(image) ?? ''])));
  }

  let selected = all.filter(
    (image) =>
      (query.source === undefined || image.source === query.source) &&
      (query.group === undefined || groupsOf.get(image.imageId)?.[query.group.attribute] === query.group.value),
  );
  if (query.outcome !== 'all') {
    const positives = selected.filter((image) => image.label === 1);
    const alignment = alignmentsFor(db, run.id, query.finding, positives, regions);
    const wanted = query.outcome === 'hit' ? 1 : 0;
    selected = positives.filter((image) => alignment.get(image.imageId)?.hit === wanted);
  }
  const page = selected.slice(query.offset, query.offset + query.limit);
  const alignment = alignmentsFor(db, run.id, query.finding, page, regions);
  const human = regions.get(
    query.finding,
    page.map((i) => i.imageId),
  );
  const modelSize = run.config.imageSize ?? presets[run.config.preset].imageSize;
  const attentionOf = db
    .prepare('SELECT attention FROM predictions WHERE run_id = ? AND image_id = ? AND finding = ?')
    .pluck();
  const cacheOf = db.prepare(
    'SELECT size, pixels FROM image_cache WHERE image_id = ? ORDER BY size = 224 DESC, size DESC LIMIT 1',
  );
  const thumbnailOf = db.prepare('SELECT png FROM thumbnails WHERE image_id = ?').pluck();

  const items: AttentionGalleryItem[] = [];
  for (const image of page) {
    const blob = attentionOf.get(run.id, image.imageId, query.finding) as Buffer | null | undefined;
    const map = blob ? new Float32Array(new Uint8Array(blob).buffer) : new Float32Array(0);
    const grid = Math.max(1, Math.round(Math.sqrt(map.length)));
    const a = alignment.get(image.imageId);
    items.push({
      imageId: image.imageId,
      pseudonym: image.pseudonym ?? '',
      source: image.source,
      groups: groupsOf.get(image.imageId) ?? {},
      label: image.label,
      score: image.score,
      columns: image.cols,
      rows: image.rows,
      thumbnail: await thumbnail(cacheOf, thumbnailOf, image.imageId, modelSize),
      grid,
      attention: map.length === grid * grid ? normalised(map) : new Array<number>(grid * grid).fill(0),
      peak: a?.peak ?? { x: 0, y: 0 },
      hit: a?.hit ?? null,
      regions: [...(human.get(image.imageId)?.all ?? [])],
    });
  }
  return { total: selected.length, items };
}

/** Min-max normalised to [0, 1]; a constant map is all 0. */
function normalised(map: Float32Array): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of map) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  return Array.from(map, (v) => (range > 0 ? (v - min) / range : 0));
}

/**
 * The image as the model saw it: the model-size cache resized to the run's input side (as training does),
 * as a PNG data URL; the worklist thumbnail when the image has no cache row.
 */
async function thumbnail(
  cacheOf: Database.Statement,
  thumbnailOf: Database.Statement,
  imageId: number,
  side: number,
): Promise<string> {
  const cache = cacheOf.get(imageId) as { size: number; pixels: Buffer } | undefined;
  if (cache && cache.pixels.length === cache.size * cache.size) {
    const pixels = resizeSquare(new Uint8Array(cache.pixels), cache.size, side);
    const png = await sharp(pixels, { raw: { width: side, height: side, channels: 1 } })
      .png({ compressionLevel: 6 })
      .toBuffer();
    return `data:image/png;base64,${png.toString('base64')}`;
  }
  const png = thumbnailOf.get(imageId) as Buffer | undefined;
  return png ? `data:image/png;base64,${png.toString('base64')}` : '';
}
