import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * A fingerprint of a run's test predictions that means the same on every workstation: SHA-256 of one
 * `key,finding,score` line per prediction (image key, then finding order; the score as JavaScript prints the
 * stored double, which reads back to the same number). Two runs with equal digests scored every test image
 * identically. Null for a run without predictions.
 */
export function predictionsDigest(db: Database.Database, runId: number): string | null {
  const rows = db
    .prepare(
      `SELECT i.blob_sha256 AS key, p.finding, p.score FROM predictions p JOIN images i ON i.id = p.image_id
       WHERE p.run_id = ? ORDER BY i.blob_sha256, p.finding`,
    )
    .all(runId) as { key: string; finding: string; score: number }[];
  if (rows.length === 0) return null;
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.key},${row.finding},${row.score}\n`);
  return hash.digest('hex');
}
