import type { JWK, JWTPayload } from 'jose';
import type { DpopMode } from '../dpop/dpop.options.js';

/** The claims of a verified JWT, as `JwtStrategy.toPrincipal` and `afterVerification` see them. */
export type JwtClaims = JWTPayload;

/** The JWS algorithms nest-warden accepts; `none` is not one of them and never will be. */
export type JwtAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

/** Every {@link JwtAlgorithm}, for validating configuration at boot. */
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze([
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

/** Where roles, scopes and other principal fields are read from in the claims (dot paths). */
export interface ClaimMappingOptions {
  /** Claim(s) holding roles; dot paths such as `realm_access.roles`. Default `['roles']`. */
  readonly roles?: string | readonly string[];
  /** Claim(s) holding scopes: a space-separated string (`scope`) or an array (`scp`). Default `['scope', 'scp']`. */
  readonly scopes?: string | readonly string[];
  /** Claim(s) holding permissions. Default `['permissions']`. */
  readonly permissions?: string | readonly string[];
  /** Claim holding the username. Default `['preferred_username', 'username']`. */
  readonly username?: string | readonly string[];
}

export interface RemoteJwksOptions {
  /** Minimum time between two fetches, so unknown `kid`s cannot hammer the provider. Default 30 s. */
  readonly cooldownMs?: number;
  /** How long a fetched key set is trusted before it is fetched again. Default 10 min. */
  readonly cacheMaxAgeMs?: number;
  /** Fetch timeout. Default 5 s. */
  readonly timeoutMs?: number;
}

/** Options of the JWT bearer strategy (`jwt`). */
export interface JwtStrategyOptions {
  /** Accepted algorithms. Required: there is no safe default across key types. */
  readonly algorithms: readonly JwtAlgorithm[];
  /** Shared secret for HS*; at least 32 bytes (HS256), 48 (HS384), 64 (HS512). */
  readonly secret?: string | Uint8Array;
  /** Public key(s) as SPKI PEM strings or JWKs. */
  readonly publicKeys?: readonly (string | JWK)[];
  /** A local JSON Web Key Set. */
  readonly jwks?: { readonly keys: readonly JWK[] };
  /** A remote JSON Web Key Set, fetched and cached. */
  readonly jwksUri?: string;
  readonly remoteJwks?: RemoteJwksOptions;
  /** Expected `iss`. Required with `jwksUri` (the boot fails without it); strongly recommended with keys given here. */
  readonly issuer?: string | readonly string[];
  /**
   * Expected `aud`. Required with `jwksUri` (the boot fails without it); strongly recommended with
   * keys given here. `false`: the issuer's tokens carry no `aud` (e.g. Cognito access tokens): say
   * so explicitly, and check what identifies your API (`client_id`) in `afterVerification`.
   */
  readonly audience?: string | readonly string[] | false;
  /** Expected `typ` header. Default `at+jwt` (RFC 9068); `false` accepts any. */
  readonly typ?: string | false;
  /**
   * Allowed clock skew between the issuer and this server, in seconds, for `exp` and `nbf`. Default 5;
   * at most {@link MAX_CLOCK_TOLERANCE_SECONDS} (checked at boot): revocations are kept that long past `exp`.
   */
  readonly clockToleranceSeconds?: number;
  /** Claims that must be present besides `exp` and `sub`, which are always required. */
  readonly requiredClaims?: readonly string[];
  /** Longest token accepted, in characters. Default 8192. */
  readonly maxTokenLength?: number;
  readonly claims?: ClaimMappingOptions;
  /** Verified-token cache entries (0 disables). Default 10 000. */
  readonly cacheSize?: number;
  /** DPoP-bound tokens (RFC 9449): `'allowed'` or `'required'`. Default: the module's `dpop.mode` (off without a `dpop` section). */
  readonly dpop?: DpopMode;
}

/**
 * The largest `clockToleranceSeconds` accepted (5 minutes). Revoked tokens stay on the deny list
 * this long past their `exp`, so no accepted tolerance can make a revoked token valid again.
 */
export const MAX_CLOCK_TOLERANCE_SECONDS = 300;
