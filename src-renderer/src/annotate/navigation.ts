import type { WorklistRow } from '@contract/library-schemas';
import { api } from '../lib/api-client';
import { worklist } from '../lib/worklist-state.svelte';

/**
 * The row `delta` steps from `index` in the Library's current filter and sort
 * (from the loaded pages when it is there, else asked for), or null past
 * either end.
 */
export async function neighbour(index: number, delta: number): Promise<{ row: WorklistRow; index: number } | null> {
  const target = index + delta;
  if (target < 0) return null;
  const loaded = worklist.row(target);
  if (loaded) return { row: loaded, index: target };
  const page = await api.call('worklistQuery', {
    filter: worklist.filter,
    sort: worklist.sort,
    offset: target,
    limit: 1,
  });
  const row = page.rows[0];
  return row ? { row, index: target } : null;
}

/** The worklist position of an image, remembered so a reload reopens it. */
const storageKey = 'aligner.annotate.open';

export function rememberOpen(imageId: number, index: number | null): void {
  sessionStorage.setItem(storageKey, JSON.stringify({ imageId, index }));
}

export function recallOpen(): { imageId: number; index: number | null } | null {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null');
    if (typeof value !== 'object' || value === null) return null;
    const { imageId, index } = value as { imageId?: unknown; index?: unknown };
    if (typeof imageId !== 'number' || !Number.isInteger(imageId)) return null;
    return { imageId, index: typeof index === 'number' ? index : null };
  } catch {
    return null;
  }
}
