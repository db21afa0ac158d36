import { createHash } from 'node:crypto';

/**
 * A deterministic UID under the `2.25` arc (ISO/IEC 9834-8: a UUID as one decimal integer) from any strings:
 * the first 128 bits of SHA-256 over the parts, made a name-based version 8 UUID (RFC 9562 §5.8: version
 * nibble 8, variant bits 10). At most 44 characters, well under the 64 a UID may have.
 *
 * The same parts always give the same UID; different parts collide with probability ~2^-122.
 */
export function uidFromParts(...parts: readonly (string | number)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${String(part).length}:${String(part)};`);
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}
