import type Database from 'better-sqlite3';
import type { AnnotateImage } from '../../api/annotation-schemas';
import { isFinding } from '../library/findings';
import { readFindingFlags, readState } from './image-reads';
import { historyState } from './region-history';
import { imageSize } from './region-edits';
import { listRegions } from './regions';

interface ImageFacts {
  id: number;
  original_name: string;
  source: string;
  role: 'train' | 'validation' | 'ood-test';
  format: 'dicom' | 'png' | 'jpeg';
  rows: number;
  cols: number;
  sex: 'M' | 'F' | 'other' | 'unknown';
  age_years: number | null;
  patient_pseudonym: string | null;
  sop_instance_uid: string | null;
  photometric: string | null;
  pixel_spacing_row: number | null;
  pixel_spacing_col: number | null;
}

/** Everything the Annotate view shows about one image for one reader, in one read. */
export function openForAnnotation(db: Database.Database, imageId: number, annotator: string): AnnotateImage {
  imageSize(db, imageId);
  const facts = db
    .prepare(
      `SELECT i.id, i.original_name, s.name AS source, s.role, i.format, i.rows, i.cols, i.sex, i.age_years,
              i.patient_pseudonym, i.sop_instance_uid, i.photometric, i.pixel_spacing_row, i.pixel_spacing_col
       FROM images i JOIN sources s ON s.id = i.source_id WHERE i.id = ?`,
    )
    .get(imageId) as ImageFacts;
  const labels: AnnotateImage['image']['labels'] = {};
  const labelRows = db.prepare('SELECT finding, value FROM labels WHERE image_id = ?').all(imageId) as {
    finding: string;
    value: 0 | 1;
  }[];
  for (const { finding, value } of labelRows) if (isFinding(finding)) labels[finding] = value;
  const spacing =
    facts.pixel_spacing_row !== null && facts.pixel_spacing_col !== null
      ? ([facts.pixel_spacing_row, facts.pixel_spacing_col] as [number, number])
      : null;
  const ref = { imageId, annotator };
  return {
    image: {
      id: facts.id,
      name: facts.original_name,
      source: facts.source,
      role: facts.role,
      format: facts.format,
      rows: facts.rows,
      cols: facts.cols,
      sex: facts.sex,
      age: facts.age_years,
      pseudonym: facts.patient_pseudonym,
      sopInstanceUid: facts.sop_instance_uid,
      photometric: facts.photometric,
      pixelSpacing: spacing,
      labels,
    },
    regions: listRegions(db, imageId),
    flags: readFindingFlags(db, ref),
    ...readState(db, ref),
    history: historyState(db, imageId, annotator),
  };
}
