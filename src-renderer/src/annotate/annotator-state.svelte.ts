import { api, errorText } from '../lib/api-client';

const storageKey = 'aligner.annotator';

/**
 * Who is drawing. Chosen at first start (the Annotate view asks before the
 * canvas opens), switchable any time, remembered on this machine; every
 * region, flag, note and second of reading time is stored under the name.
 */
class AnnotatorState {
  current = $state<string | null>(readStored());
  names = $state.raw<readonly { name: string; registered: boolean; regions: number }[]>([]);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      this.names = (await api.call('annotatorsList', {})).annotators;
      // A name remembered from another workspace is registered in this one too.
      if (this.current && !this.names.some((a) => a.name === this.current && a.registered)) {
        this.names = (await api.call('annotatorAdd', { name: this.current })).annotators;
      }
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  async choose(name: string): Promise<void> {
    try {
      this.names = (await api.call('annotatorAdd', { name })).annotators;
      const trimmed = name.trim();
      this.current = trimmed;
      localStorage.setItem(storageKey, trimmed);
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    }
  }
}

function readStored(): string | null {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

export const annotator = new AnnotatorState();
