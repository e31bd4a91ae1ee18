import { AuthError } from '../errors/auth.error.js';

/**
 * A wrong second-factor code on an authenticated route is a 400, not a 401: clients read 401 as
 * "your session is gone" and would drop a perfectly good session over a typo.
 */
export function wrongCodeIsBadRequest(error: unknown): unknown {
  if (AuthError.isAuthError(error) && error.code === 'invalid_credentials') {
    return new AuthError('invalid_request', { description: error.description, cause: error });
  }
  return error;
}
