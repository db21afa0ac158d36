import type { CallOutput } from '@contract/contract';
import { api, errorText } from './api-client';

/**
 * Re-running a study from a reproducibility bundle: check what the bundle finds here (nothing stored), then
 * start it. The check is redone whenever the file or the region choice changes.
 */
export class BundleRerun {
  file = $state('');
  importRegions = $state(false);
  busy = $state(false);
  check = $state.raw<CallOutput<'bundleCheck'> | null>(null);
  started = $state.raw<CallOutput<'studyFromBundle'> | null>(null);
  error = $state<string | null>(null);

  async runCheck(): Promise<void> {
    await this.#act(async () => {
      this.check = await api.call('bundleCheck', { file: this.file.trim(), importRegions: this.importRegions });
    });
  }

  /** Starts the re-run; resolves to the new study's id (null when it did not start). */
  async start(): Promise<number | null> {
    await this.#act(async () => {
      this.started = await api.call('studyFromBundle', { file: this.file.trim(), importRegions: this.importRegions });
      this.check = null;
    });
    return this.started?.studyId ?? null;
  }

  /** The file or the choice changed: an earlier check no longer applies. */
  changed(): void {
    this.check = null;
    this.started = null;
    this.error = null;
  }

  async #act(action: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await action();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }
}
