import { basename, dirname, join } from 'node:path';

/** Where a run's checkpoints live: a folder beside the workspace file, `<name>.runs/run-<id>/`. */
export function checkpointDirOf(workspacePath: string, runId: number): string {
  return join(dirname(workspacePath), `${basename(workspacePath)}.runs`, `run-${runId}`);
}
