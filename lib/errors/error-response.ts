import type { AuthErrorCode } from './auth.error.js';

/** What a denied request is told, before it becomes a body. Holds nothing secret. */
export interface Denial {
  /** HTTP status: 400, 401, 403, 404, 429 or 503. */
  readonly status: number;
  /** The stable nest-warden code, e.g. `credentials_missing`, `insufficient_scope`, `rate_limited`. */
  readonly code: AuthErrorCode;
  /** The status's reason phrase, e.g. `Unauthorized`. */
  readonly title: string;
  /** A short, safe explanation, e.g. `Authentication required`. */
  readonly message: string;
  /** Scopes the route requires (`insufficient_scope`). */
  readonly scopes?: readonly string[];
  /** Seconds after which to retry (`locked`, `rate_limited`, `unavailable`); also in `Retry-After`. */
  readonly retryAfterSeconds?: number;
}

/** Builds the JSON body of a 400/401/403/404/429/503 from the denial. */
export type ErrorResponseFormatter = (denial: Denial) => object;

/**
 * How denials are written. Headers (`WWW-Authenticate`, `Retry-After`) are the same whatever the body.
 * - `'nest'` (default): Nest's `{ statusCode, message, error }`.
 * - `'problem+json'`: RFC 9457 problem details, `Content-Type: application/problem+json`.
 * - a function: your own JSON body (`Content-Type: application/json`).
 */
export type ErrorResponseOption = 'nest' | 'problem+json' | ErrorResponseFormatter;

export const PROBLEM_JSON = 'application/problem+json';

/**
 * RFC 9457 problem details. `type` stays `about:blank` (the status says it all, §4.2.1) so `title` is the
 * reason phrase; the nest-warden `code` is an extension member clients can switch on.
 */
export function problemDetails(denial: Denial): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title: denial.title,
    status: denial.status,
    detail: denial.message,
    code: denial.code,
  };
  if (denial.scopes?.length) body.scopes = [...denial.scopes];
  if (denial.retryAfterSeconds !== undefined) body.retryAfter = denial.retryAfterSeconds;
  return body;
}
