import type { WorklistQuery, WorklistRow } from '@contract/library-schemas';
import type { CallInput } from '@contract/contract';
import { api, errorText } from './api-client';

export type WorklistFilter = NonNullable<CallInput<'worklistQuery'>['filter']>;
export type WorklistSort = WorklistQuery['sort'];

const pageSize = 100;

/**
 * The worklist as the Library view sees it: a filter, a sort, the total, and
 * rows fetched a page at a time as they scroll into view (so 100,000 images
 * cost what is on screen). Thumbnails are fetched with their page.
 */
export class WorklistState {
  #filter = $state<WorklistFilter>({});
  #sort = $state<WorklistSort>({ key: 'id', direction: 'asc' });
  #total = $state(0);
  #pages = $state<Record<number, WorklistRow[]>>({});
  #thumbs = $state<Record<number, string>>({});
  #error = $state<string | null>(null);
  #generation = 0;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping that no view renders
  readonly #loading = new Set<number>();

  get filter(): WorklistFilter {
    return this.#filter;
  }
  get sort(): WorklistSort {
    return this.#sort;
  }
  get total(): number {
    return this.#total;
  }
  get error(): string | null {
    return this.#error;
  }

  row(index: number): WorklistRow | undefined {
    return this.#pages[Math.floor(index / pageSize)]?.[index % pageSize];
  }

  thumbnail(id: number): string | undefined {
    return this.#thumbs[id];
  }

  setFilter(filter: WorklistFilter): void {
    this.#filter = filter;
    void this.reload();
  }

  setSort(key: WorklistSort['key']): void {
    const direction = this.#sort.key === key && this.#sort.direction === 'asc' ? 'desc' : 'asc';
    this.#sort = { key, direction };
    void this.reload();
  }

  /** Drops every loaded page and loads the first again. */
  async reload(): Promise<void> {
    this.#generation += 1;
    this.#pages = {};
    this.#loading.clear();
    await this.ensureRange(0, pageSize - 1);
  }

  /** Loads the pages covering rows first..last if they are not loaded yet. */
  async ensureRange(first: number, last: number): Promise<void> {
    const wanted: number[] = [];
    for (let page = Math.floor(first / pageSize); page <= Math.floor(Math.max(first, last) / pageSize); page += 1) {
      if (!this.#pages[page] && !this.#loading.has(page)) wanted.push(page);
    }
    await Promise.all(wanted.map((page) => this.#loadPage(page)));
  }

  async #loadPage(page: number): Promise<void> {
    const generation = this.#generation;
    this.#loading.add(page);
    try {
      const result = await api.call('worklistQuery', {
        filter: this.#filter,
        sort: this.#sort,
        offset: page * pageSize,
        limit: pageSize,
      });
      if (generation !== this.#generation) return;
      this.#total = result.total;
      this.#pages = { ...this.#pages, [page]: result.rows };
      this.#error = null;
      const missing = result.rows.map((r) => r.id).filter((id) => this.#thumbs[id] === undefined);
      if (missing.length > 0) {
        const { items } = await api.call('thumbnails', { ids: missing });
        const next = { ...this.#thumbs };
        for (const item of items) next[item.id] = item.dataUrl;
        this.#thumbs = next;
      }
    } catch (err) {
      this.#error = errorText(err);
    } finally {
      // A reload since this load started cleared the set, and may have marked this page again for its own load.
      if (generation === this.#generation) this.#loading.delete(page);
    }
  }
}

export const worklist = new WorklistState();

/** The image chosen in the Library, opened by the Annotate view. */
class Selection {
  #imageId = $state<number | null>(null);
  #index = $state<number | null>(null);
  get imageId(): number | null {
    return this.#imageId;
  }
  get index(): number | null {
    return this.#index;
  }
  select(imageId: number, index: number): void {
    this.#imageId = imageId;
    this.#index = index;
  }
}

export const selection = new Selection();
