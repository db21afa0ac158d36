import type Database from 'better-sqlite3';

/**
 * "Next unannotated positive": the next training image (by id, after the given
 * one, wrapping around) that is labelled positive for the finding, has no live
 * drawn region (eraser strokes do not count) for it by this annotator, and was not flagged "no visible
 * finding" by them. Also says how many such images remain.
 */
export function nextToAnnotate(
  db: Database.Database,
  input: { readonly finding: string; readonly annotator: string; readonly afterImageId?: number },
): { imageId: number | null; remaining: number } {
  const candidates = `
    FROM images i
    JOIN sources s ON s.id = i.source_id AND s.role = 'train'
    JOIN labels l ON l.image_id = i.id AND l.finding = @finding AND l.value = 1
    WHERE NOT EXISTS (SELECT 1 FROM annotations a WHERE a.image_id = i.id AND a.finding = @finding
                        AND a.annotator = @annotator AND a.deleted = 0
                        AND NOT (json_extract(a.geometry, '$.kind') = 'stroke'
                                 AND coalesce(json_extract(a.geometry, '$.erase'), 0) = 1))
      AND NOT EXISTS (SELECT 1 FROM finding_flags f WHERE f.image_id = i.id AND f.finding = @finding
                        AND f.annotator = @annotator AND f.no_finding = 1)`;
  const params = { finding: input.finding, annotator: input.annotator, after: input.afterImageId ?? 0 };
  const remaining = db.prepare(`SELECT COUNT(*) ${candidates}`).pluck().get(params) as number;
  const next =
    (db.prepare(`SELECT i.id ${candidates} AND i.id > @after ORDER BY i.id LIMIT 1`).pluck().get(params) as
      number | undefined) ??
    (db.prepare(`SELECT i.id ${candidates} ORDER BY i.id LIMIT 1`).pluck().get(params) as number | undefined);
  return { imageId: next ?? null, remaining };
}
