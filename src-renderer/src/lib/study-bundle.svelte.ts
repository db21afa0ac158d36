import type { CallOutput } from '@contract/contract';
import { api, errorText } from './api-client';
import { folderOf, joinHostPath } from './host-paths';

/** The suggested bundle file: `exports/study-<id>-bundle.tar.gz` beside the workspace file (on the host). */
export function defaultBundleFile(workspacePath: string, studyId: number): string {
  return joinHostPath(joinHostPath(folderOf(workspacePath), 'exports'), `study-${studyId}-bundle.tar.gz`);
}

/** One bundle export at a time: what it wrote, or why not. */
export class StudyBundleTask {
  busy = $state(false);
  result = $state.raw<CallOutput<'studyBundle'> | null>(null);
  error = $state<string | null>(null);

  async write(studyId: number, outFile: string): Promise<void> {
    this.busy = true;
    this.error = null;
    this.result = null;
    try {
      this.result = await api.call('studyBundle', { studyId, outFile: outFile.trim() });
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  get summary(): string {
    const r = this.result;
    if (!r) return '';
    return (
      `Wrote the reproducibility bundle of study ${r.studyId} to ${r.outFile} (${r.runs} runs, ${r.images} images, ` +
      `${r.regions} regions, ${(r.bytes / 1e3).toFixed(1)} kB). Re-run it elsewhere with: aligner study run --bundle ${r.outFile}`
    );
  }
}
