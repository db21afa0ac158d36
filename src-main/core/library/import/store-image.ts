import type Database from 'better-sqlite3';
import type { Finding } from '../findings';
import type { DerivedPixels } from './derived-pixels';
import type { ImageRecord } from './image-record';

export interface StoreImageInput {
  readonly sha256: string;
  readonly bytes: Uint8Array;
  readonly originalName: string;
  readonly sourceId: number;
  readonly record: ImageRecord;
  readonly patientPseudonym: string | null;
  readonly derived: DerivedPixels;
  readonly cacheSize: number;
  readonly window: { readonly center: number; readonly width: number };
  readonly labels: Partial<Record<Finding, 0 | 1>>;
  readonly labelOrigin: string;
}

export type StoreOutcome =
  | { readonly kind: 'imported'; readonly imageId: number }
  | { readonly kind: 'duplicate'; readonly imageId: number }
  | { readonly kind: 'conflict'; readonly message: string };

/**
 * Writes one image in one transaction: the original bytes (content-addressed,
 * deduplicated), its row, the model-size cache, the thumbnail and its labels.
 * Either all of it lands or none does, so a killed import leaves no half image.
 */
export function storeImage(db: Database.Database, input: StoreImageInput): StoreOutcome {
  return db.transaction((): StoreOutcome => {
    const sameBlob = db.prepare('SELECT id FROM images WHERE blob_sha256 = ? LIMIT 1').pluck().get(input.sha256) as
      number | undefined;
    if (sameBlob !== undefined) return { kind: 'duplicate', imageId: sameBlob };
    const uid = input.record.sopInstanceUid;
    if (uid) {
      const clash = db.prepare('SELECT id FROM images WHERE sop_instance_uid = ?').pluck().get(uid) as
        number | undefined;
      if (clash !== undefined) {
        return {
          kind: 'conflict',
          message: `SOPInstanceUID ${uid} is already in the workspace (image ${clash}) with different bytes; not replaced`,
        };
      }
    }
    db.prepare('INSERT OR IGNORE INTO blobs (sha256, format, size, bytes) VALUES (?, ?, ?, ?)').run(
      input.sha256,
      input.record.format,
      input.bytes.length,
      Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.length),
    );
    const r = input.record;
    const imageId = Number(
      db
        .prepare(
          `INSERT INTO images (blob_sha256, source_id, format, original_name, sop_instance_uid, study_instance_uid,
             series_instance_uid, patient_pseudonym, sex, age_years, study_date, modality, view_position, body_part,
             manufacturer, institution_name, rows, cols, bits_allocated, bits_stored, pixel_representation, photometric,
             transfer_syntax, rescale_slope, rescale_intercept, window_center, window_width, pixel_spacing_row,
             pixel_spacing_col, number_of_frames, pixel_min, pixel_max, pixel_mean)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.sha256,
          input.sourceId,
          r.format,
          input.originalName,
          uid,
          r.studyInstanceUid,
          r.seriesInstanceUid,
          input.patientPseudonym,
          r.sex,
          r.ageYears,
          r.studyDate,
          r.modality,
          r.viewPosition,
          r.bodyPart,
          r.manufacturer,
          r.institutionName,
          r.rows,
          r.cols,
          r.bitsAllocated,
          r.bitsStored,
          r.pixelRepresentation,
          r.photometric,
          r.transferSyntax,
          r.rescaleSlope,
          r.rescaleIntercept,
          r.windowCenter,
          r.windowWidth,
          r.pixelSpacing?.[0] ?? null,
          r.pixelSpacing?.[1] ?? null,
          r.numberOfFrames,
          r.stats.min,
          r.stats.max,
          r.stats.mean,
        ).lastInsertRowid,
    );
    db.prepare(
      'INSERT INTO image_cache (image_id, size, window_center, window_width, pixels) VALUES (?, ?, ?, ?, ?)',
    ).run(
      imageId,
      input.cacheSize,
      input.window.center,
      input.window.width,
      Buffer.from(input.derived.cache.buffer, input.derived.cache.byteOffset, input.derived.cache.length),
    );
    db.prepare('INSERT INTO thumbnails (image_id, width, height, png) VALUES (?, ?, ?, ?)').run(
      imageId,
      input.derived.thumbnail.width,
      input.derived.thumbnail.height,
      input.derived.thumbnail.png,
    );
    const label = db.prepare('INSERT INTO labels (image_id, finding, value, origin) VALUES (?, ?, ?, ?)');
    for (const [finding, value] of Object.entries(input.labels)) label.run(imageId, finding, value, input.labelOrigin);
    return { kind: 'imported', imageId };
  })();
}

/** Whether bytes with this hash are already imported (checked before decoding, to skip the work). */
export function isKnownBlob(db: Database.Database, sha256: string): boolean {
  return db.prepare('SELECT 1 FROM images WHERE blob_sha256 = ? LIMIT 1').get(sha256) !== undefined;
}
