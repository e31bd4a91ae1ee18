import type { AuthError } from './auth.error.js';
import { stepUpParams } from './bearer-challenge.js';
import { formatChallenge } from './challenge.js';

/**
 * The RFC 9449 §7.1 `DPoP` challenge: `algs` always; `error` (`invalid_token`,
 * `invalid_dpop_proof`, `use_dpop_nonce`, `insufficient_scope`) and its description when `error` is given.
 */
export function dpopChallenge(realm: string, algorithms: readonly string[], error?: AuthError): string {
  if (error?.code === 'insufficient_user_authentication') {
    return formatChallenge('DPoP', [['realm', realm], ['algs', algorithms.join(' ')], ...stepUpParams(error)]);
  }
  const code = error?.dpop?.error ?? (error && error.code !== 'credentials_missing' ? error.code : undefined);
  return formatChallenge('DPoP', [
    ['realm', realm],
    ['algs', algorithms.join(' ')],
    ['error', code],
    ['error_description', code === 'insufficient_scope' ? 'The access token lacks a required scope' : code && error?.description],
    ['scope', code === 'insufficient_scope' ? error?.scopes?.join(' ') : undefined],
  ]);
}
