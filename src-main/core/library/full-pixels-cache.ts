import type Database from 'better-sqlite3';
import { readFullPixels, type FullPixels } from './full-pixels';

/**
 * Keeps the last few decoded images (a 2048×2500 radiograph is 10 MB as
 * Uint16), so stepping back and forth through a worklist does not decode the
 * same file again. Keyed by workspace file and image id.
 */
export class FullPixelsCache {
  readonly #entries = new Map<string, Promise<FullPixels>>();

  constructor(readonly capacity = 4) {}

  get(db: Database.Database, imageId: number): Promise<FullPixels> {
    const key = `${db.name}\u0000${imageId}`;
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const pending = readFullPixels(db, imageId);
    this.#entries.set(key, pending);
    pending.catch(() => this.#entries.delete(key));
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return pending;
  }
}
