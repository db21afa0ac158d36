import type { CallInput } from '@contract/contract';
import type { ImportProgressEvent, ImportSummaryValue } from '@contract/library-schemas';
import { api, errorText } from './api-client';

/** The import running from this window, followed through the host's events. */
export class ImportState {
  #jobId = $state<string | null>(null);
  #progress = $state<ImportProgressEvent | null>(null);
  #summary = $state<ImportSummaryValue | null>(null);
  #error = $state<string | null>(null);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping that no view renders
  readonly #finished = new Set<(summary: ImportSummaryValue | null) => void>();
  /** Endings that arrived (over the socket) before the start call answered (over HTTP). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping that no view renders
  readonly #early = new Map<string, { summary: ImportSummaryValue | null; error: string | null }>();

  constructor() {
    api.on('importProgress', (p) => {
      if (p.jobId === this.#jobId) this.#progress = p;
    });
    api.on('importFinished', (f) => {
      if (f.jobId === this.#jobId) this.#finish(f);
      else if (this.#starting) this.#early.set(f.jobId, f);
    });
  }

  #starting = false;
  #pendingStart = $state(false);

  #finish(f: { summary: ImportSummaryValue | null; error: string | null }): void {
    this.#summary = f.summary;
    this.#error = f.error;
    this.#jobId = null;
    for (const listener of this.#finished) listener(f.summary);
  }

  /** Running, or being started (so a double click cannot start two imports). */
  get running(): boolean {
    return this.#jobId !== null || this.#pendingStart;
  }
  get progress(): ImportProgressEvent | null {
    return this.#progress;
  }
  get summary(): ImportSummaryValue | null {
    return this.#summary;
  }
  get error(): string | null {
    return this.#error;
  }

  onFinished(listener: (summary: ImportSummaryValue | null) => void): () => void {
    this.#finished.add(listener);
    return () => this.#finished.delete(listener);
  }

  async start(request: CallInput<'importStart'>): Promise<void> {
    this.#summary = null;
    this.#error = null;
    this.#progress = null;
    this.#starting = true;
    this.#pendingStart = true;
    try {
      const { jobId } = await api.call('importStart', request);
      this.#jobId = jobId;
      const early = this.#early.get(jobId);
      if (early) this.#finish(early);
    } catch (err) {
      this.#error = errorText(err);
    } finally {
      this.#starting = false;
      this.#pendingStart = false;
      this.#early.clear();
    }
  }

  async cancel(): Promise<void> {
    if (this.#jobId) await api.call('importCancel', { jobId: this.#jobId });
  }
}

export const importer = new ImportState();
