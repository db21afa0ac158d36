import type Database from 'better-sqlite3';
import type { WorklistQuery, WorklistPage, WorklistRow } from '../../api/library-schemas';
import { findings } from './findings';

const sortColumns: Record<WorklistQuery['sort']['key'], string> = {
  id: 'i.id',
  source: 's.name',
  sex: 'i.sex',
  age: 'i.age_years',
  name: 'i.original_name',
  imported: 'i.imported_at',
};

/**
 * One page of the worklist: images with their source, demographics, labels
 * and annotation status, filtered and sorted in SQL so that 100,000 rows cost
 * no more than the page asked for (plus one COUNT).
 */
export function queryWorklist(db: Database.Database, query: WorklistQuery): WorklistPage {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  const f = query.filter;
  if (f.sourceId !== undefined) {
    where.push('i.source_id = @sourceId');
    params.sourceId = f.sourceId;
  }
  if (f.role !== undefined) {
    where.push('s.role = @role');
    params.role = f.role;
  }
  if (f.sex !== undefined) {
    where.push('i.sex = @sex');
    params.sex = f.sex;
  }
  if (f.ageGroup !== undefined) {
    where.push(f.ageGroup === 'below' ? 'i.age_years < @ageThreshold' : 'i.age_years >= @ageThreshold');
    params.ageThreshold = f.ageThreshold;
  }
  if (f.finding !== undefined && f.label !== undefined) {
    where.push('EXISTS (SELECT 1 FROM labels l WHERE l.image_id = i.id AND l.finding = @finding AND l.value = @label)');
    params.finding = f.finding;
    params.label = f.label;
  }
  if (f.annotated !== undefined) {
    const findingClause = f.finding !== undefined ? 'AND a.finding = @finding' : '';
    if (f.finding !== undefined) params.finding = f.finding;
    where.push(
      `${f.annotated ? '' : 'NOT '}EXISTS (SELECT 1 FROM annotations a WHERE a.image_id = i.id AND a.deleted = 0 ${findingClause})`,
    );
  }
  if (f.text !== undefined && f.text !== '') {
    where.push("(i.original_name LIKE @text ESCAPE '\\' OR i.patient_pseudonym LIKE @text ESCAPE '\\')");
    params.text = `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const from = 'FROM images i JOIN sources s ON s.id = i.source_id';
  const total = db.prepare(`SELECT count(*) ${from} ${whereSql}`).pluck().get(params) as number;
  const labelColumns = findings
    .map((name) => `(SELECT value FROM labels WHERE image_id = i.id AND finding = '${name}') AS label_${name}`)
    .join(', ');
  const direction = query.sort.direction === 'desc' ? 'DESC' : 'ASC';
  const orderBy = `ORDER BY ${sortColumns[query.sort.key]} ${direction} NULLS LAST, i.id ${direction}`;
  // The page's ids first, then its columns: SQLite sorts before it skips OFFSET rows, so computing the
  // label and region subqueries in the paging query would compute them for every row up to the offset
  // (0.6 s for the page at 99,900 of 100,000 images instead of 0.07 s).
  const rows = db
    .prepare(
      `SELECT i.id, i.original_name, s.id AS source_id, s.name AS source_name, s.role, i.sex, i.age_years,
              i.patient_pseudonym, i.modality, i.view_position, i.rows, i.cols, ${labelColumns},
              (SELECT count(*) FROM annotations a WHERE a.image_id = i.id AND a.deleted = 0) AS regions
       FROM (SELECT i.id AS page_id ${from} ${whereSql} ${orderBy} LIMIT @limit OFFSET @offset) AS page
       JOIN images i ON i.id = page.page_id JOIN sources s ON s.id = i.source_id
       ${orderBy}`,
    )
    .all({ ...params, limit: query.limit, offset: query.offset }) as Record<string, unknown>[];
  return { total, offset: query.offset, rows: rows.map(toRow) };
}

function toRow(r: Record<string, unknown>): WorklistRow {
  const labels: WorklistRow['labels'] = {};
  for (const name of findings) {
    const value = r[`label_${name}`];
    if (value === 0 || value === 1) labels[name] = value;
  }
  return {
    id: r.id as number,
    name: r.original_name as string,
    sourceId: r.source_id as number,
    source: r.source_name as string,
    role: r.role as WorklistRow['role'],
    sex: r.sex as WorklistRow['sex'],
    age: (r.age_years as number | null) ?? null,
    pseudonym: (r.patient_pseudonym as string | null) ?? null,
    modality: (r.modality as string | null) ?? null,
    view: (r.view_position as string | null) ?? null,
    rows: r.rows as number,
    cols: r.cols as number,
    labels,
    regions: r.regions as number,
  };
}

/** Thumbnails of the given images as data URLs (PNG). Missing ids are left out. */
export function readThumbnails(db: Database.Database, ids: readonly number[]): { id: number; dataUrl: string }[] {
  if (ids.length === 0) return [];
  const rows = db
    .prepare(`SELECT image_id, png FROM thumbnails WHERE image_id IN (${ids.map(() => '?').join(',')})`)
    .all(...ids) as { image_id: number; png: Buffer }[];
  return rows.map((r) => ({ id: r.image_id, dataUrl: `data:image/png;base64,${r.png.toString('base64')}` }));
}
