/**
 * Paths on the host machine, as the API takes them: absolute only (a relative path would be relative to wherever
 * the host was started). Renderer-safe: zod only.
 */
import { z } from 'zod';

/** `/…` (POSIX), `C:\…` or `C:/…` (Windows), `\\server\…` (UNC). */
const absolutePattern = /^(?:\/|[A-Za-z]:[\\/]|\\\\)/;

/** An absolute path on the host; `what` names the field in the messages. */
export const hostPath = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} must not be empty`)
    .max(4096)
    .refine((p) => absolutePattern.test(p), `${what} must be an absolute path on the host machine`);
