import type { WorklistQuery, WorklistRow } from '@contract/library-schemas';
import type { CallInput } from '@contract/contract';
import { SvelteMap } from 'svelte/reactivity';
import { api, errorText } from './api-client';

export type WorklistFilter = NonNullable<CallInput<'worklistQuery'>['filter']>;
export type WorklistSort = WorklistQuery['sort'];

const pageSize = 100;
/** Page loads in flight at most. The rows on screen span two pages; pages scrolled past are not asked for. */
const maxInFlight = 2;
/** Pages kept (with their thumbnails); the ones farthest from the rows on screen go first. */
const maxPages = 30;

/**
 * The worklist as the Library view sees it: a filter, a sort, the total, and
 * rows fetched a page at a time as they scroll into view (so 100,000 images
 * cost what is on screen). Thumbnails are fetched with their page.
 */
export class WorklistState {
  #filter = $state<WorklistFilter>({});
  #sort = $state<WorklistSort>({ key: 'id', direction: 'asc' });
  #total = $state(0);
  // Pages are replaced, never changed in place: raw state spares a deep proxy of every row.
  #pages = $state.raw<Record<number, WorklistRow[]>>({});
  readonly #thumbs = new SvelteMap<number, string>();
  #error = $state<string | null>(null);
  #generation = 0;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping that no view renders
  readonly #loading = new Set<number>();
  /** The rows the view shows now (the last ensureRange): only their pages are loaded. */
  #wanted = { first: 0, last: 0 };

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
    return this.#thumbs.get(id);
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

  /**
   * Loads the pages covering rows first..last if they are not loaded yet. The latest range wins: a fast
   * scroll asks for the pages it passes, and only those still on screen when a load slot frees are loaded
   * (asking for all of them queued hundreds of requests, and the rows finally shown waited behind them).
   */
  async ensureRange(first: number, last: number): Promise<void> {
    this.#wanted = { first, last: Math.max(first, last) };
    await this.#pump();
  }

  /** Starts loading the wanted pages that are neither loaded nor loading, at most maxInFlight at a time. */
  async #pump(): Promise<void> {
    const { first, last } = this.#wanted;
    const started: Promise<void>[] = [];
    for (let page = Math.floor(first / pageSize); page <= Math.floor(last / pageSize); page += 1) {
      if (this.#loading.size >= maxInFlight) break;
      if (this.#pages[page] || this.#loading.has(page)) continue;
      started.push(this.#loadPage(page).then((loaded) => (loaded ? this.#pump() : undefined)));
    }
    await Promise.all(started);
  }

  /**
   * Keeps maxPages pages, dropping the ones farthest from the wanted rows (never the selected row's), and
   * past as many thumbnails keeps only those of the kept pages (a reload leaves the old list's behind).
   */
  #evict(pages: Record<number, WorklistRow[]>): Record<number, WorklistRow[]> {
    const numbers = Object.keys(pages).map(Number);
    if (numbers.length <= maxPages && this.#thumbs.size <= maxPages * pageSize) return pages;
    const middle = (this.#wanted.first + this.#wanted.last) / 2 / pageSize;
    const selected = selection.index === null ? -1 : Math.floor(selection.index / pageSize);
    const byDistance = numbers.sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle));
    const kept: Record<number, WorklistRow[]> = {};
    for (const [rank, page] of byDistance.entries()) {
      if (rank < maxPages || page === selected) kept[page] = pages[page] ?? [];
    }
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local look-up, never rendered
    const keptIds = new Set(Object.values(kept).flatMap((rows) => rows.map((row) => row.id)));
    for (const id of [...this.#thumbs.keys()]) if (!keptIds.has(id)) this.#thumbs.delete(id);
    return kept;
  }

  /** Loads one page and its thumbnails; false when it failed or a reload made it stale. */
  async #loadPage(page: number): Promise<boolean> {
    const generation = this.#generation;
    this.#loading.add(page);
    try {
      const result = await api.call('worklistQuery', {
        filter: this.#filter,
        sort: this.#sort,
        offset: page * pageSize,
        limit: pageSize,
      });
      if (generation !== this.#generation) return false;
      this.#total = result.total;
      this.#pages = this.#evict({ ...this.#pages, [page]: result.rows });
      this.#error = null;
      const missing = result.rows.map((r) => r.id).filter((id) => !this.#thumbs.has(id));
      if (missing.length > 0) {
        const { items } = await api.call('thumbnails', { ids: missing });
        for (const item of items) this.#thumbs.set(item.id, item.dataUrl);
      }
      return true;
    } catch (err) {
      this.#error = errorText(err);
      return false;
    } finally {
      // A reload since this load started cleared the set, and may have marked this page again for its own load.
      if (generation === this.#generation) this.#loading.delete(page);
    }
  }
}

export const worklist = new WorklistState();

/** The image chosen in the Library, opened by the Annotate view. */
class Selection {
  #row = $state.raw<WorklistRow | null>(null);
  #index = $state<number | null>(null);
  get imageId(): number | null {
    return this.#row?.id ?? null;
  }
  /** The opened image's row as it was when opened (kept even when its worklist page is unloaded). */
  get row(): WorklistRow | null {
    return this.#row;
  }
  get index(): number | null {
    return this.#index;
  }
  select(row: WorklistRow, index: number): void {
    this.#row = row;
    this.#index = index;
  }
}

export const selection = new Selection();
