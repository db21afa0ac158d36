import { randomUUID } from 'node:crypto';
import type { EventBus } from '../../../api/event-bus';
import type { WorkspaceDb } from '../../db/open-workspace';
import { importPaths, type ImportOptions } from './import-job';

export type ImportRequest = Omit<ImportOptions, 'signal' | 'onProgress' | 'labelsOptions'> & {
  readonly paths: readonly string[];
  readonly uncertain?: 'exclude' | 'positive' | 'negative';
  readonly blank?: 'unlabelled' | 'negative';
};

/**
 * Imports started from the UI: each runs in the background of the host,
 * streams `importProgress` events, ends with one `importFinished` event, and
 * can be cancelled between two files.
 */
export class ImportJobs {
  readonly #running = new Map<string, AbortController>();

  constructor(
    private readonly workspace: () => WorkspaceDb,
    private readonly events: EventBus,
  ) {}

  start(request: ImportRequest): { jobId: string } {
    const ws = this.workspace();
    const jobId = randomUUID();
    const controller = new AbortController();
    this.#running.set(jobId, controller);
    const { paths, uncertain, blank, ...options } = request;
    importPaths(ws, paths, {
      ...options,
      labelsOptions: { ...(uncertain ? { uncertain } : {}), ...(blank ? { blank } : {}) },
      signal: controller.signal,
      onProgress: (progress) => this.events.emit('importProgress', { jobId, ...progress }),
    })
      .then((summary) => this.events.emit('importFinished', { jobId, summary, error: null }))
      .catch((err: unknown) =>
        this.events.emit('importFinished', {
          jobId,
          summary: null,
          error: err instanceof Error ? err.message : String(err),
        }),
      )
      .finally(() => this.#running.delete(jobId));
    return { jobId };
  }

  cancel(jobId: string): boolean {
    const controller = this.#running.get(jobId);
    controller?.abort();
    return controller !== undefined;
  }

  /** Stops every import (the workspace is about to close). */
  cancelAll(): void {
    for (const controller of this.#running.values()) controller.abort();
  }

  get runningCount(): number {
    return this.#running.size;
  }
}
