import type { DpopMode } from '../dpop/dpop.options.js';
import type { ClaimMappingOptions, JwtAlgorithm } from '../jwt/jwt.options.js';

/** Options of the token introspection strategy (`introspection`, RFC 7662) for opaque access tokens. */
export interface IntrospectionStrategyOptions {
  /**
   * The authorization server's issuer identifier: its `introspection_endpoint` (and `jwks_uri`, for
   * JWT responses) come from its discovery document, and an `iss` in a response must equal it.
   * Give `issuer`, `endpoint`, or both.
   */
  readonly issuer?: string;
  /** The introspection endpoint, when the server has no discovery document (or to override it). */
  readonly endpoint?: string;
  /** This API's client id at the authorization server: introspection is client-authenticated. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** How the client authenticates. Default `client_secret_basic`. */
  readonly clientAuthentication?: 'client_secret_basic' | 'client_secret_post';
  /** The `aud` this API expects: a response whose `aud` does not include it is refused. Strongly recommended. */
  readonly audience?: string | readonly string[];
  /**
   * Ask for signed responses (RFC 9701, `Accept: application/token-introspection+jwt`), verified
   * with the server's `jwks_uri` (needs `issuer`). Default `false`.
   */
  readonly jwtResponse?: boolean;
  /** Algorithms of signed responses. Default `['ES256', 'RS256', 'PS256', 'EdDSA']`. */
  readonly jwtAlgorithms?: readonly JwtAlgorithm[];
  /**
   * Active results are cached by the token's SHA-256, never past the token's `exp` and never
   * longer than `maxAgeSeconds` (default 60; 0 disables the cache); at most `maxEntries` (default 10 000).
   */
  readonly cache?: { readonly maxAgeSeconds?: number; readonly maxEntries?: number };
  /** Timeout of one introspection request; past it the request is answered 503. Default 5 s. */
  readonly timeoutMs?: number;
  /** Where roles, scopes and names are read in the response. Default: as the `jwt` strategy. */
  readonly claims?: ClaimMappingOptions;
  /** DPoP-bound tokens (a response with `cnf.jkt`): `'allowed'` or `'required'`. Default: the module's `dpop.mode`. */
  readonly dpop?: DpopMode;
}
