import type { AuthError } from './auth.error.js';
import { toHttpDenial } from './http-error.mapper.js';
import { retryAfterFor } from './retry-after.js';

/**
 * The transport-neutral shape of a denial, shared by GraphQL errors and WebSocket exceptions so
 * that both speak one vocabulary. `code` follows Apollo's `UNAUTHENTICATED` / `FORBIDDEN`; the
 * other denials use the HTTP reason phrase (`NOT_FOUND`, `TOO_MANY_REQUESTS`...).
 */
export interface ContextDenial {
  /** The HTTP status the same failure answers with on a REST route. */
  readonly statusCode: number;
  readonly code: ContextDenialCode;
  /** The same short, safe text as the HTTP body's `message`. */
  readonly message: string;
  /** The scopes the handler requires, for `insufficient_scope`. */
  readonly scopes?: readonly string[];
  /** Seconds after which the client may retry, for lockouts and outages. */
  readonly retryAfter?: number;
}

export type ContextDenialCode =
  'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_REQUEST' | 'NOT_FOUND' | 'TOO_MANY_REQUESTS' | 'SERVICE_UNAVAILABLE';

const CODES: Readonly<Record<number, ContextDenialCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Describes an `AuthError` for non-HTTP transports. Status and message come from the HTTP mapper,
 * the one place that decides them, so every transport tells the client the same thing.
 */
export function describeDenial(error: AuthError): ContextDenial {
  const { exception } = toHttpDenial(error, []);
  const statusCode = exception.getStatus();
  const denial: { -readonly [K in keyof ContextDenial]: ContextDenial[K] } = {
    statusCode,
    code: CODES[statusCode] ?? 'FORBIDDEN',
    message: exception.message,
  };
  if (error.code === 'insufficient_scope' && error.scopes?.length) denial.scopes = [...error.scopes];
  const retryAfter = retryAfterFor(error);
  if (retryAfter !== undefined) denial.retryAfter = retryAfter;
  return denial;
}
