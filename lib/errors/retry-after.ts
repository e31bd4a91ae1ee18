import type { AuthError } from './auth.error.js';

/**
 * How long a client should wait after a 503 when nothing better is known (a store or backend that
 * cannot be reached): long enough for a reconnect. Sources that know better say so on the error
 * (a JWKS refetch cool-down, a lockout's remaining time).
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The one `Retry-After` policy (RFC 9110 §10.2.3 delay-seconds): the error's own delay rounded up to
 * a whole second, at least 1; for `unavailable` without one, {@link UNAVAILABLE_RETRY_AFTER_SECONDS};
 * otherwise none. HTTP headers, problem bodies, GraphQL/WebSocket denials and the token endpoint
 * all use it.
 */
export function retryAfterFor(error: Pick<AuthError, 'code' | 'retryAfterSeconds'>): number | undefined {
  if (error.retryAfterSeconds !== undefined) return retryAfterSeconds(error.retryAfterSeconds);
  return error.code === 'unavailable' ? UNAVAILABLE_RETRY_AFTER_SECONDS : undefined;
}

/** A delay in seconds as `Retry-After` writes it: a whole number, at least 1. */
export function retryAfterSeconds(seconds: number): number {
  return Math.max(1, Math.ceil(seconds));
}
