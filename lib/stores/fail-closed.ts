import { AuthError } from '../errors/auth.error.js';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../errors/retry-after.js';
import { StoreUnavailableError } from './auth-store.js';

/** What the caller adds to the 503: a safe description for the body, the strategy for its challenge. */
export interface FailClosedDetails {
  readonly description?: string;
  readonly strategy?: string;
}

/**
 * Fail closed, the one conversion: a `StoreUnavailableError` becomes `AuthError('unavailable')`
 * (503 + `Retry-After`), with the store's error as `cause` for the log. Anything else is returned
 * as it is. Callers `throw failClosed(error, { description })`.
 */
export function failClosed(error: unknown, details: FailClosedDetails = {}): unknown {
  if (!(error instanceof StoreUnavailableError)) return error;
  return new AuthError('unavailable', {
    description: details.description,
    strategy: details.strategy,
    cause: error,
    retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
  });
}
