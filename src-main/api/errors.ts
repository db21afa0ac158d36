/**
 * Errors as they cross the API boundary: a code the UI can branch on, a
 * one-line message a person can read, and the failing field where there is one.
 * Renderer-safe (no Node imports).
 */
export type ApiErrorCode =
  'unknown_call' | 'invalid_json' | 'invalid_input' | 'unauthorized' | 'workspace' | 'unavailable' | 'internal';

export interface ApiError {
  readonly code: ApiErrorCode;
  readonly message: string;
  /** Dotted path of the input field that failed validation, e.g. `path` or `levels.2`. */
  readonly field?: string;
  /** A finer reason, e.g. the workspace error's own code. */
  readonly reason?: string;
}

export type ApiResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

/** Thrown by the renderer's client when a call answers with an error. */
export class ApiCallError extends Error {
  constructor(readonly error: ApiError) {
    super(error.field ? `${error.message} (${error.field})` : error.message);
    this.name = 'ApiCallError';
  }
}

/** HTTP status for each error code, used by the browser host. */
export const httpStatusOf: Record<ApiErrorCode, number> = {
  unknown_call: 404,
  invalid_json: 400,
  invalid_input: 400,
  unauthorized: 401,
  workspace: 409,
  unavailable: 503,
  internal: 500,
};
