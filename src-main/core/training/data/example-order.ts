import type { Example } from './examples';

/**
 * The order every seeded choice sees the images in: by key (the file's SHA-256), then id. Keys are the same
 * on every workstation holding the same files, ids are not (they follow import order), so the subsets, the
 * shuffles and the augmentations a seed gives do not depend on how the images came in.
 */
export function byKey(a: Pick<Example, 'key' | 'imageId'>, b: Pick<Example, 'key' | 'imageId'>): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.imageId - b.imageId;
}
