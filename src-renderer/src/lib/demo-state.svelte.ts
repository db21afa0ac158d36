import type { DemoFinishedEvent, DemoProgressEvent } from '@contract/library-schemas';
import { api, errorText } from './api-client';

/** The demo workspace build, followed through the host's events. */
export class DemoState {
  #running = $state(false);
  #progress = $state<DemoProgressEvent | null>(null);
  #finished = $state<DemoFinishedEvent | null>(null);
  #error = $state<string | null>(null);

  constructor() {
    api.on('demoProgress', (p) => {
      this.#running = true;
      this.#progress = p;
    });
    api.on('demoFinished', (f) => {
      this.#running = false;
      this.#finished = f;
      this.#error = f.error;
    });
  }

  get running(): boolean {
    return this.#running;
  }
  get progress(): DemoProgressEvent | null {
    return this.#progress;
  }
  get finished(): DemoFinishedEvent | null {
    return this.#finished;
  }
  get error(): string | null {
    return this.#error;
  }

  async build(): Promise<void> {
    this.#error = null;
    this.#finished = null;
    this.#progress = null;
    this.#running = true;
    try {
      await api.call('demoBuild', {});
    } catch (err) {
      this.#running = false;
      this.#error = errorText(err);
    }
  }

  async cancel(): Promise<void> {
    await api.call('demoCancel', {});
  }
}

export const demo = new DemoState();
