import type { EventBus } from '../../api/event-bus';
import type { WorkspaceDb } from '../db/open-workspace';
import { InputError } from '../input-error';
import { buildDemoWorkspace } from './build-demo';

/**
 * The demo workspace build started from the UI: one at a time, in the
 * background of the host, with `demoProgress` events and one `demoFinished`.
 */
export class DemoJobs {
  #running: AbortController | null = null;

  constructor(
    private readonly workspace: () => WorkspaceDb,
    private readonly events: EventBus,
  ) {}

  get running(): boolean {
    return this.#running !== null;
  }

  start(): { started: true } {
    if (this.#running) throw new InputError('the demo workspace is being built already');
    const ws = this.workspace();
    const controller = new AbortController();
    this.#running = controller;
    // Smaller images make a quicker demo on slow machines and in tests (default 512).
    const size = Number(process.env.ALIGNER_DEMO_IMAGE_SIZE) || undefined;
    buildDemoWorkspace(ws, {
      ...(size ? { size } : {}),
      signal: controller.signal,
      onProgress: (p) => this.events.emit('demoProgress', p),
    })
      .then((summary) => this.events.emit('demoFinished', { summary, error: null }))
      .catch((err: unknown) =>
        this.events.emit('demoFinished', { summary: null, error: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        this.#running = null;
      });
    return { started: true };
  }

  cancel(): boolean {
    this.#running?.abort();
    return this.#running !== null;
  }
}
