import { AuthError } from '../errors/auth.error.js';
import { StoreUnavailableError } from './auth-store.js';

/** `Retry-After` for a 503 caused by an unreachable store: long enough for a reconnect. */
export const STORE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Fail closed: a `StoreUnavailableError` becomes `AuthError('unavailable')` (503 + `Retry-After`),
 * with the store's error as `cause` for the log. Anything else is returned as it is.
 */
export function failClosed(error: unknown): unknown {
  if (!(error instanceof StoreUnavailableError)) return error;
  return new AuthError('unavailable', { cause: error, retryAfterSeconds: STORE_UNAVAILABLE_RETRY_AFTER_SECONDS });
}
