import type { z } from 'zod';
import { WorkspaceError } from '../core/db/workspace-error';
import { InputError } from '../core/input-error';
import type { BinaryAnswer } from './binary-frame';
import {
  binaryCalls,
  calls,
  isBinaryCallName,
  isCallName,
  type BinaryCallMeta,
  type BinaryCallName,
  type BinaryParsedInput,
  type CallName,
  type CallOutput,
  type ParsedInput,
} from './contract';
import type { ApiError, ApiResult } from './errors';

/** One handler per call, each backed by a core service. The type makes the table complete. */
export type Handlers = {
  [N in CallName]: (input: ParsedInput<N>) => CallOutput<N> | Promise<CallOutput<N>>;
};

export type Dispatch = (name: string, rawInput: unknown) => Promise<ApiResult<unknown>>;

/** Optional sink for errors that are the app's fault (not the caller's). */
export type InternalErrorLog = (name: string, err: unknown) => void;

/**
 * Validates a call's input against the contract, runs its handler, and checks
 * the handler's answer against the output schema, so neither side of the
 * boundary ever sees data the contract does not describe. Never throws.
 */
export function createDispatch(handlers: Handlers, logInternal: InternalErrorLog = defaultLog): Dispatch {
  return async (name, rawInput) => {
    if (!isCallName(name)) {
      return fail({ code: 'unknown_call', message: `unknown API call '${name}'` });
    }
    const spec = calls[name];
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) return fail(describeIssues(name, parsed.error));
    try {
      const handler = handlers[name] as (input: unknown) => unknown;
      const value = await handler(parsed.data);
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        logInternal(name, checked.error);
        return fail({ code: 'internal', message: `${name} produced an answer outside the contract` });
      }
      return { ok: true, value: checked.data };
    } catch (err) {
      return fail(toApiError(name, err, logInternal));
    }
  };
}

export function toApiError(name: string, err: unknown, logInternal: InternalErrorLog = defaultLog): ApiError {
  if (err instanceof WorkspaceError) return { code: 'workspace', message: err.message, reason: err.code };
  if (err instanceof ApiFailure) return err.error;
  if (err instanceof InputError) {
    return err.field === undefined
      ? { code: 'invalid_input', message: err.message }
      : { code: 'invalid_input', message: err.message, field: err.field };
  }
  logInternal(name, err);
  return { code: 'internal', message: `${name} failed: ${err instanceof Error ? err.message : String(err)}` };
}

/** One handler per binary call: metadata (checked against the contract) and the bytes. */
export type BinaryHandlers = {
  [N in BinaryCallName]: (input: BinaryParsedInput<N>) => Promise<{ meta: BinaryCallMeta<N>; data: Uint8Array }>;
};

export type BinaryDispatch = (name: string, rawInput: unknown) => Promise<ApiResult<BinaryAnswer>>;

/** As `createDispatch`, for the binary calls: the input and the metadata are validated, the bytes passed through. */
export function createBinaryDispatch(
  handlers: BinaryHandlers,
  logInternal: InternalErrorLog = defaultLog,
): BinaryDispatch {
  return async (name, rawInput) => {
    if (!isBinaryCallName(name)) return fail({ code: 'unknown_call', message: `unknown binary API call '${name}'` });
    const spec = binaryCalls[name];
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) return fail(describeIssues(name, parsed.error));
    try {
      const answer = await handlers[name](parsed.data);
      const checked = spec.meta.safeParse(answer.meta);
      if (!checked.success) {
        logInternal(name, checked.error);
        return fail({ code: 'internal', message: `${name} produced metadata outside the contract` });
      }
      return { ok: true, value: { meta: checked.data, data: answer.data } };
    } catch (err) {
      return fail(toApiError(name, err, logInternal));
    }
  };
}

/** Thrown by a handler to answer with a specific API error. */
export class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'ApiFailure';
  }
}

function describeIssues(name: string, error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  const message = issue
    ? `invalid input to ${name}: ${field ? `${field}: ` : ''}${issue.message}`
    : `invalid input to ${name}`;
  return field === undefined ? { code: 'invalid_input', message } : { code: 'invalid_input', message, field };
}

function fail(error: ApiError): ApiResult<never> {
  return { ok: false, error };
}

function defaultLog(name: string, err: unknown): void {
  console.error(`[api] ${name}:`, err);
}
