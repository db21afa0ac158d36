import type { AppInfo, BackendReport, WorkspaceInfo } from '@contract/contract';
import { api, errorText } from './api-client';

/**
 * What every view knows about the app: the open workspace, the compute
 * backend and the app itself, kept current by the host's events.
 */
export class WorkspaceState {
  #info = $state<WorkspaceInfo | null>(null);
  #backend = $state<BackendReport | null>(null);
  #app = $state<AppInfo | null>(null);
  #error = $state<string | null>(null);
  #loaded = $state(false);

  get info(): WorkspaceInfo | null {
    return this.#info;
  }
  get backend(): BackendReport | null {
    return this.#backend;
  }
  get app(): AppInfo | null {
    return this.#app;
  }
  /** Why the workspace could not be read, if it could not. */
  get error(): string | null {
    return this.#error;
  }
  get loaded(): boolean {
    return this.#loaded;
  }

  constructor() {
    api.on('workspaceChanged', (info) => {
      this.#info = info;
      this.#error = null;
    });
    api.on('backendChanged', (report) => {
      if (report.requested === 'auto') this.#backend = report;
    });
    api.onReconnect(() => {
      void this.refreshInfo();
      void api.call('backendProbe', { preference: 'auto' }).then((report) => (this.#backend = report));
    });
  }

  async load(): Promise<void> {
    const [app, info] = await Promise.allSettled([api.call('appInfo', {}), api.call('workspaceInfo', {})]);
    if (app.status === 'fulfilled') this.#app = app.value;
    if (info.status === 'fulfilled') this.#info = info.value;
    else this.#error = errorText(info.reason);
    this.#loaded = true;
    try {
      this.#backend = await api.call('backendProbe', { preference: 'auto' });
    } catch (err) {
      this.#error ??= errorText(err);
    }
  }

  async refreshInfo(): Promise<void> {
    try {
      this.#info = await api.call('workspaceInfo', {});
      this.#error = null;
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  /** Opens another workspace file; throws (and leaves the current one open) on failure. */
  async open(path: string): Promise<void> {
    this.#info = await api.call('workspaceOpen', { path });
    this.#error = null;
  }

  async reprobe(): Promise<void> {
    this.#backend = null;
    this.#backend = await api.call('backendProbe', { preference: 'auto', refresh: true });
  }
}

export const workspace = new WorkspaceState();
