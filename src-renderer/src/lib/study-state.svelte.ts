import type { StudyConfigInput, StudyDetail, StudySummary, StudyValidation } from '@contract/study-schemas';
import type { RunSummary } from '@contract/training-schemas';
import { SvelteMap } from 'svelte/reactivity';
import { api, errorText } from './api-client';

/**
 * Studies as the Runs / Studies view sees them: the list from the workspace
 * (a reload shows the same state), the runs of the studies opened, the plain
 * runs list, and live progress from `study` events.
 */
class StudyState {
  studies = $state.raw<readonly StudySummary[]>([]);
  runs = $state.raw<readonly RunSummary[]>([]);
  readonly details = new SvelteMap<number, StudyDetail>();
  readonly open = new SvelteMap<number, boolean>();
  error = $state<string | null>(null);
  #subscribed = false;
  #reloading = false;
  #again = false;

  async load(): Promise<void> {
    this.#subscribe();
    if (this.#reloading) {
      this.#again = true;
      return;
    }
    this.#reloading = true;
    try {
      do {
        this.#again = false;
        const [studies, runs] = await Promise.all([api.call('studiesList', {}), api.call('runsList', {})]);
        this.studies = studies;
        this.runs = runs;
        await Promise.all([...this.open.entries()].filter(([, isOpen]) => isOpen).map(([id]) => this.loadDetail(id)));
      } while (this.#again);
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.#reloading = false;
    }
  }

  async loadDetail(studyId: number): Promise<void> {
    this.details.set(studyId, await api.call('studyGet', { studyId }));
  }

  async toggle(studyId: number): Promise<void> {
    const next = !(this.open.get(studyId) ?? false);
    this.open.set(studyId, next);
    if (next) await this.#act(() => this.loadDetail(studyId));
  }

  validate(config: unknown, estimate: boolean): Promise<StudyValidation> {
    return api.call('studyValidate', { config, estimate });
  }

  async create(config: StudyConfigInput, concurrency = 1): Promise<number> {
    const { studyId } = await api.call('studyCreate', { config, concurrency });
    this.open.set(studyId, true);
    await this.load();
    return studyId;
  }

  pause(studyId: number): Promise<void> {
    return this.#act(() => api.call('studyPause', { studyId }));
  }

  resume(studyId: number): Promise<void> {
    return this.#act(() => api.call('studyResume', { studyId }));
  }

  cancel(studyId: number): Promise<void> {
    return this.#act(() => api.call('studyCancel', { studyId }));
  }

  retry(runId: number): Promise<void> {
    return this.#act(() => api.call('runRetry', { runId }));
  }

  async #act(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      this.error = null;
      await this.load();
    } catch (err) {
      this.error = errorText(err);
    }
  }

  #subscribe(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    api.on('study', (event) => {
      if (event.kind === 'run-progress') {
        // Progress: update the summary in place; the lists are read again when something changes.
        this.studies = this.studies.map((s) =>
          s.id === event.studyId
            ? {
                ...s,
                status: event.status,
                counts: event.counts,
                fraction: event.fraction,
                etaSeconds: event.etaSeconds,
              }
            : s,
        );
        const detail = this.details.get(event.studyId);
        if (detail && event.runProgress) {
          const progress = event.runProgress;
          this.details.set(event.studyId, {
            ...detail,
            runs: detail.runs.map((r) =>
              r.run.id === event.runId ? { ...r, run: { ...r.run, progress, status: 'running' } } : r,
            ),
          });
        }
        return;
      }
      void this.load();
    });
    api.onReconnect(() => void this.load());
  }
}

export const studies = new StudyState();

export function durationText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
