import type Database from 'better-sqlite3';
import { InputError } from '../input-error';

/**
 * What an alignment fraction asks of the workspace before a run starts, by
 * the rule the trainer's `chooseAligned` applies: f is a share of the
 * training positives (images of the train sources positive for one of the
 * findings), needed = round(f × positives), and only positives with a drawn
 * region (not an eraser stroke) for a finding they are positive for can be
 * aligned.
 */
export function trainPlan(
  db: Database.Database,
  input: { readonly findings: readonly string[]; readonly train: readonly string[]; readonly alignment: number },
): {
  positives: number;
  available: number;
  needed: number;
  levels: { level: number; needed: number; missing: number }[];
} {
  const known = db.prepare('SELECT name FROM sources WHERE name = ?').pluck();
  for (const name of input.train) {
    if (known.get(name) === undefined) throw new InputError(`no source named '${name}' in this workspace`, 'train');
  }
  const params = { findings: JSON.stringify(input.findings), sources: JSON.stringify(input.train) };
  const row = db
    .prepare(
      `WITH positives AS (
         SELECT DISTINCT i.id FROM images i
         JOIN sources s ON s.id = i.source_id AND s.name IN (SELECT value FROM json_each(@sources))
         JOIN labels l ON l.image_id = i.id AND l.value = 1 AND l.finding IN (SELECT value FROM json_each(@findings))
       )
       SELECT
         (SELECT COUNT(*) FROM positives) AS positives,
         (SELECT COUNT(*) FROM positives p WHERE EXISTS (
            SELECT 1 FROM annotations a JOIN labels l ON l.image_id = a.image_id AND l.finding = a.finding AND l.value = 1
            WHERE a.image_id = p.id AND a.deleted = 0 AND a.finding IN (SELECT value FROM json_each(@findings))
              AND NOT (json_extract(a.geometry, '$.kind') = 'stroke' AND coalesce(json_extract(a.geometry, '$.erase'), 0) = 1)
         )) AS available`,
    )
    .get(params) as { positives: number; available: number };
  const levels = [0.25, 0.5, 0.75, 1].map((level) => {
    const needed = Math.round(level * row.positives);
    return { level, needed, missing: Math.max(0, needed - row.available) };
  });
  return { ...row, needed: Math.round(input.alignment * row.positives), levels };
}
