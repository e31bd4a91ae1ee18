import type { AuthError } from './auth.error.js';
import { formatChallenge } from './challenge.js';

/**
 * The RFC 6750 §3 `Bearer` challenge: bare without an error (no credentials sent), with
 * `error`/`error_description` for invalid tokens, and `scope` for `insufficient_scope`.
 */
export function bearerChallenge(realm: string, error?: AuthError): string {
  switch (error?.code) {
    case 'insufficient_scope':
      return formatChallenge('Bearer', [
        ['realm', realm],
        ['error', 'insufficient_scope'],
        ['error_description', 'The access token lacks a required scope'],
        ['scope', error.scopes?.join(' ')],
      ]);
    case 'insufficient_user_authentication':
      return formatChallenge('Bearer', [['realm', realm], ...stepUpParams(error)]);
    case 'invalid_token':
    case 'invalid_request':
      return formatChallenge('Bearer', [['realm', realm], ['error', error.code], ['error_description', error.description]]);
    default:
      return formatChallenge('Bearer', [['realm', realm]]);
  }
}

/** RFC 9470 §3: the error, its description, and what the route accepts (`acr_values`, `max_age`). */
export function stepUpParams(error: AuthError): [string, string | undefined][] {
  return [
    ['error', 'insufficient_user_authentication'],
    ['error_description', error.description ?? 'A more recent or stronger authentication is required'],
    ['acr_values', error.acrValues?.length ? error.acrValues.join(' ') : undefined],
    ['max_age', error.maxAge !== undefined ? String(error.maxAge) : undefined],
  ];
}
