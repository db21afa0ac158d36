import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trainConfigSchema } from '../../src-main/api/training-schemas';
import { openWorkspace, type WorkspaceDb } from '../../src-main/core/db/open-workspace';
import { checkpointDirOf } from '../../src-main/core/training/checkpoint-dir';
import { createRun, readRun } from '../../src-main/core/training/run-store';
import { tempDir } from '../helpers/paths';

let dir: ReturnType<typeof tempDir>;
let ws: WorkspaceDb;

beforeEach(() => {
  dir = tempDir('aligner-run-store-');
  ws = openWorkspace(join(dir.path, 'w.db'));
});
afterEach(() => {
  ws.close();
  dir.remove();
});

const config = trainConfigSchema.parse({
  findings: ['nodule'],
  train: ['a'],
  validation: ['b'],
  alignment: 0.5,
  seed: 3,
});

describe('createRun', () => {
  it('queues the run with its config and seed', () => {
    const id = createRun(ws.db, config);
    expect(readRun(ws.db, id)).toMatchObject({ id, status: 'queued', config: { seed: 3, alignment: 0.5 } });
  });

  it("removes a checkpoint folder left under the new run's id, and only that one", () => {
    // A workspace file replaced by a new one starts its run ids again beside the old run folders.
    const stale = checkpointDirOf(ws.path, 1);
    const other = checkpointDirOf(ws.path, 2);
    for (const folder of [stale, other]) {
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'last.ckpt'), 'not this run');
    }
    expect(createRun(ws.db, config)).toBe(1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(other, 'last.ckpt'))).toBe(true);
  });
});
