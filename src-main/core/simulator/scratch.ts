/**
 * Working buffers reused from one image to the next. An image needs several megabytes of temporary typed
 * arrays; allocating them afresh for every image makes V8 collect garbage several times per image (external
 * memory pressure), which cost ~10 % of the generation time. Only for buffers that do not outlive
 * {@link simulateImage}: it is synchronous, so no two images share one at the same time.
 */
const pool = new Map<string, Float32Array | Uint8Array | Uint32Array>();

function reuse<T extends Float32Array | Uint8Array | Uint32Array>(
  name: string,
  length: number,
  make: (n: number) => T,
  zero: boolean,
): T {
  const existing = pool.get(name) as T | undefined;
  if (existing && existing.length === length && existing.constructor === make(0).constructor) {
    if (zero) existing.fill(0);
    return existing;
  }
  const fresh = make(length);
  pool.set(name, fresh);
  return fresh;
}

/** A zeroed Float32Array of `length` values, reused between calls with the same name. */
export function scratchFloat32(name: string, length: number): Float32Array {
  return reuse(name, length, (n) => new Float32Array(n), true);
}

/** A zeroed Uint8Array, reused between calls with the same name. */
export function scratchUint8(name: string, length: number): Uint8Array {
  return reuse(name, length, (n) => new Uint8Array(n), true);
}

/** A Uint32Array (contents undefined: the caller overwrites it), reused between calls with the same name. */
export function scratchUint32(name: string, length: number): Uint32Array {
  return reuse(name, length, (n) => new Uint32Array(n), false);
}
