import type { AnnotateImage, FindingFlags, HistoryState, Region, RegionGeometry } from '@contract/annotation-schemas';
import { api, errorText } from '../lib/api-client';
import type { ShownRegion } from './annotation-canvas';
import { ImageRaster } from './image-raster';
import type { FindingId } from './palette';

export type SaveState = 'saved' | 'saving' | 'error';

/**
 * One image open for one reader: its facts, regions, flags, note and undo
 * state, and every edit sent to the host. Edits go out one at a time, in the
 * order the reader made them; a new region shows at once (dashed) and counts
 * as saved only when the host answers after its transaction committed.
 */
export class AnnotateSession {
  image = $state.raw<AnnotateImage['image'] | null>(null);
  raster = $state.raw<ImageRaster | null>(null);
  regions = $state.raw<readonly ShownRegion[]>([]);
  flags = $state.raw<readonly FindingFlags[]>([]);
  note = $state('');
  activeSeconds = $state(0);
  history = $state.raw<HistoryState>({ canUndo: false, canRedo: false });
  pending = $state(0);
  error = $state<string | null>(null);
  loading = $state(false);
  /** Saved edits since the image opened (the tests' signal that an edit reached the database). */
  savedCount = $state(0);
  #queue: Promise<unknown> = Promise.resolve();
  #tempId = -1;
  #generation = 0;

  constructor(readonly annotator: string) {}

  get saveState(): SaveState {
    if (this.error) return 'error';
    return this.pending > 0 ? 'saving' : 'saved';
  }

  async open(imageId: number): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const [state, pixels] = await Promise.all([
        api.call('annotateOpen', { imageId, annotator: this.annotator }),
        api.binary('imagePixels', { imageId }),
      ]);
      if (generation !== this.#generation) return;
      this.raster = new ImageRaster(pixels.meta, pixels.data);
      this.#apply(state);
    } catch (err) {
      if (generation === this.#generation) this.error = errorText(err);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  #apply(state: AnnotateImage): void {
    this.image = state.image;
    this.regions = state.regions;
    this.flags = state.flags;
    this.note = state.note;
    this.activeSeconds = state.activeSeconds;
    this.history = state.history;
  }

  create(finding: FindingId, geometry: RegionGeometry): Promise<void> {
    const image = this.image;
    if (!image) return Promise.resolve();
    const now = new Date(Date.now()).toISOString(); // eslint-disable-line svelte/prefer-svelte-reactivity -- a timestamp, not state
    const temp: ShownRegion = {
      id: this.#tempId--,
      imageId: image.id,
      finding,
      annotator: this.annotator,
      geometry,
      createdAt: now,
      updatedAt: now,
      pending: true,
    };
    this.regions = [...this.regions, temp];
    return this.#write(
      () => api.call('regionCreate', { imageId: image.id, annotator: this.annotator, finding, geometry }),
      (saved) => {
        this.regions = this.regions.map((r) => (r.id === temp.id ? saved.region : r));
        this.history = saved.history;
      },
      () => {
        this.regions = this.regions.filter((r) => r.id !== temp.id);
      },
    );
  }

  update(id: number, geometry: RegionGeometry): Promise<void> {
    const before = this.regions.find((r) => r.id === id);
    if (!before) return Promise.resolve();
    this.regions = this.regions.map((r) => (r.id === id ? { ...r, geometry, pending: true } : r));
    return this.#write(
      () => api.call('regionUpdate', { id, annotator: this.annotator, geometry }),
      (saved) => {
        this.regions = this.regions.map((r) => (r.id === id ? saved.region : r));
        this.history = saved.history;
      },
      () => {
        this.regions = this.regions.map((r) => (r.id === id ? before : r));
      },
    );
  }

  remove(id: number): Promise<void> {
    const before = this.regions;
    this.regions = this.regions.filter((r) => r.id !== id);
    return this.#write(
      () => api.call('regionDelete', { id, annotator: this.annotator }),
      (deleted) => {
        this.history = deleted.history;
      },
      () => {
        this.regions = before;
      },
    );
  }

  undo(): Promise<void> {
    return this.#step('annotationUndo');
  }

  redo(): Promise<void> {
    return this.#step('annotationRedo');
  }

  #step(call: 'annotationUndo' | 'annotationRedo'): Promise<void> {
    const image = this.image;
    if (!image) return Promise.resolve();
    return this.#write(
      () => api.call(call, { imageId: image.id, annotator: this.annotator }),
      (step) => {
        this.regions = step.regions;
        this.history = step.history;
      },
      () => undefined,
    );
  }

  setFlags(finding: FindingId, flags: { noFinding: boolean; uncertain: boolean }): Promise<void> {
    const image = this.image;
    if (!image) return Promise.resolve();
    return this.#write(
      () => api.call('findingFlagSet', { imageId: image.id, annotator: this.annotator, finding, ...flags }),
      (saved) => {
        this.flags = saved;
      },
      () => undefined,
    );
  }

  flagsOf(finding: FindingId): { noFinding: boolean; uncertain: boolean } {
    const row = this.flags.find((f) => f.finding === finding);
    return { noFinding: row?.noFinding ?? false, uncertain: row?.uncertain ?? false };
  }

  saveNote(note: string): Promise<void> {
    const image = this.image;
    if (!image) return Promise.resolve();
    return this.#write(
      () => api.call('readNoteSet', { imageId: image.id, annotator: this.annotator, note }),
      (state) => {
        this.note = state.note;
      },
      () => undefined,
    );
  }

  /** Adds active reading time; not an edit, so it neither blocks nor shows in the save state. */
  async addActiveTime(imageId: number, seconds: number): Promise<void> {
    try {
      const state = await api.call('readActivity', { imageId, annotator: this.annotator, seconds });
      if (this.image?.id === imageId) this.activeSeconds = state.activeSeconds;
    } catch {
      // Time is best effort: losing a tick must not disturb drawing.
    }
  }

  /** Live regions of this reader for a finding (drawn, not erasers). */
  count(finding: string): number {
    return this.regions.filter(
      (r) =>
        r.finding === finding && r.annotator === this.annotator && !(r.geometry.kind === 'stroke' && r.geometry.erase),
    ).length;
  }

  /** Runs an edit after the ones before it; the save state covers it from now until the host answers. */
  #write<T>(send: () => Promise<T>, onSaved: (value: T) => void, onFailed: () => void): Promise<void> {
    const generation = this.#generation;
    this.pending += 1;
    const run = this.#queue.then(async () => {
      try {
        const value = await send();
        if (generation !== this.#generation) return;
        onSaved(value);
        this.savedCount += 1;
        this.error = null;
      } catch (err) {
        if (generation !== this.#generation) return;
        onFailed();
        this.error = `not saved: ${errorText(err)}`;
      } finally {
        this.pending -= 1;
      }
    });
    this.#queue = run;
    return run;
  }

  /** Waits for every edit sent so far. */
  settled(): Promise<unknown> {
    return this.#queue;
  }
}

export type { Region };
