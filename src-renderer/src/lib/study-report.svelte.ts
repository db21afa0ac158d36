import type { CallOutput } from '@contract/contract';
import { api, errorText } from './api-client';
import { folderOf, joinHostPath } from './host-paths';

/** The suggested report folder: `exports/study-<id>-report` beside the workspace file (on the host). */
export function defaultReportFolder(workspacePath: string, studyId: number | null): string {
  return joinHostPath(joinHostPath(folderOf(workspacePath), 'exports'), `study-${studyId ?? 1}-report`);
}

/** One study-report export at a time: what it wrote, or why not. */
export class StudyReportTask {
  busy = $state(false);
  result = $state.raw<CallOutput<'studyReport'> | null>(null);
  error = $state<string | null>(null);

  /** Writes the report of `studyId` into `outDir` (an absolute path on the host). */
  async write(studyId: number, outDir: string): Promise<void> {
    this.busy = true;
    this.error = null;
    this.result = null;
    try {
      this.result = await api.call('studyReport', { studyId, outDir: outDir.trim() });
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  /** A line on what was written: files, size, time. */
  get summary(): string {
    const r = this.result;
    if (!r) return '';
    return (
      `Wrote the report of study ${r.studyId} (${r.finding}, ${r.evaluatedRuns} of ${r.runs} runs) to ${r.outDir}: ` +
      `${r.files.length} files, ${(r.bytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(1)} s. Open report.html there.`
    );
  }
}
