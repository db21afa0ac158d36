import { statSync } from 'node:fs';
import type { WorkspaceInfo } from '../../api/contract';
import { latestSchemaVersion } from '../db/migrations';
import type { WorkspaceDb } from '../db/open-workspace';

/** Path, schema version, size and row counts of an open workspace. */
export function readWorkspaceInfo(ws: WorkspaceDb): WorkspaceInfo {
  const count = (table: 'sources' | 'images' | 'annotations' | 'studies' | 'runs', where = ''): number =>
    ws.db.prepare(`SELECT count(*) FROM ${table} ${where}`).pluck().get() as number;
  const createdAt = ws.db.prepare("SELECT value FROM meta WHERE key = 'created_at'").pluck().get() as
    string | undefined;
  return {
    path: ws.path,
    schemaVersion: ws.schemaVersion,
    supportedSchemaVersion: latestSchemaVersion,
    createdAt: createdAt ?? null,
    sizeBytes: fileSize(ws.path) + fileSize(`${ws.path}-wal`),
    counts: {
      sources: count('sources'),
      images: count('images'),
      annotations: count('annotations', 'WHERE deleted = 0'),
      studies: count('studies'),
      runs: count('runs'),
    },
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
