import type { EpochRecord, RunSummary, TrainConfigInput } from '@contract/training-schemas';
import { SvelteMap } from 'svelte/reactivity';
import { api, errorText } from './api-client';

/**
 * Training runs as the Train and Runs views see them: the list from the
 * workspace (so a reload shows the same state), each run's epochs, and the
 * live step progress from `train` events. Several seeds start one after the
 * other (one trainer at a time on a workstation's one GPU or CPU).
 */
class TrainingState {
  runs = $state.raw<readonly RunSummary[]>([]);
  readonly epochs = new SvelteMap<number, readonly EpochRecord[]>();
  error = $state<string | null>(null);
  /** Configs waiting for the current run to end (the remaining seeds). */
  queue = $state.raw<readonly TrainConfigInput[]>([]);
  #subscribed = false;
  /** The run this view started last: the queue advances when it ends (not when a study's run does). */
  #started: number | null = null;

  async load(): Promise<void> {
    this.#subscribe();
    try {
      this.runs = await api.call('runsList', {});
      const latest = this.runs[0];
      if (latest) await this.loadEpochs(latest.id);
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  async loadEpochs(runId: number): Promise<void> {
    const detail = await api.call('runGet', { runId });
    this.epochs.set(runId, detail.epochs);
    this.runs = this.runs.map((r) => (r.id === runId ? detail.run : r));
  }

  /** Starts the first config now and queues the rest (one per seed). */
  async start(configs: readonly TrainConfigInput[]): Promise<void> {
    const [first, ...rest] = configs;
    if (!first) return;
    try {
      this.queue = rest;
      this.#started = (await api.call('trainStart', first)).runId;
      await this.load();
    } catch (err) {
      this.queue = [];
      this.error = errorText(err);
    }
  }

  async cancel(runId: number): Promise<void> {
    this.queue = [];
    try {
      await api.call('trainCancel', { runId });
    } catch (err) {
      this.error = errorText(err);
    }
  }

  async resume(runId: number): Promise<void> {
    try {
      await api.call('trainResume', { runId });
      await this.load();
    } catch (err) {
      this.error = errorText(err);
    }
  }

  #subscribe(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    api.on('train', (event) => {
      if (event.kind === 'progress' && event.progress) {
        const progress = event.progress;
        this.runs = this.runs.map((r) => (r.id === event.runId ? { ...r, progress, status: 'running' } : r));
      } else if (event.kind === 'epoch' && event.epoch) {
        this.epochs.set(event.runId, [...(this.epochs.get(event.runId) ?? []), event.epoch]);
      } else {
        void this.load().then(() =>
          event.kind === 'finished' && event.runId === this.#started ? this.#next() : undefined,
        );
      }
    });
    api.onReconnect(() => void this.load());
  }

  #next(): void {
    const [next, ...rest] = this.queue;
    if (!next) return;
    void this.start([next, ...rest]);
  }
}

export const training = new TrainingState();
