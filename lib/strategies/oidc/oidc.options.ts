import type { DpopMode } from '../dpop/dpop.options.js';
import type { ClaimMappingOptions, JwtAlgorithm, RemoteJwksOptions } from '../jwt/jwt.options.js';

/**
 * Where a provider puts roles, scopes and names:
 * - `standard`: `roles`, `scope`/`scp`, `permissions`, `preferred_username` (the `jwt` defaults).
 * - `keycloak`: realm roles from `realm_access.roles` plus client roles from
 *   `resource_access.<client>.roles` (see `clientRoles`); `scope`; `preferred_username`. Keycloak
 *   writes `typ: "JWT"` in the header, so the header check is off and the payload's own `typ`
 *   claim must be `Bearer` (access tokens) or `ID` (ID tokens).
 * - `entra`: Microsoft Entra ID: app roles from `roles`, delegated scopes from `scp`,
 *   `preferred_username` then `upn`; header `typ` not checked (Entra writes `JWT`); the principal
 *   id is `<tid>:<oid>` (Microsoft's stable user key across apps; a token without both is refused).
 *
 * Every preset takes the principal id from `sub` (Entra: `tid` + `oid`), never from a mutable
 * claim such as `preferred_username` or `email` (django-allauth CVE-2025-65431).
 */
export type OidcClaimPreset = 'standard' | 'keycloak' | 'entra';

export interface OidcDiscoveryOptions {
  /** Timeout of one discovery request. Default 5 s. */
  readonly timeoutMs?: number;
  /**
   * After a failed discovery, requests are answered 503 (with `Retry-After`) without contacting
   * the provider until this much time has passed; then the next request tries again. Default 30 s.
   */
  readonly retryMs?: number;
}

/** Options of the OpenID Connect strategy (`oidc`). */
export interface OidcStrategyOptions {
  /**
   * The issuer identifier, exactly as the provider writes it in `iss` and in its discovery
   * document (e.g. `https://sso.example.com/realms/acme`). https; http only for loopback hosts.
   */
  readonly issuer: string;
  /** Which token the API receives. Default `access_token`. */
  readonly tokenType?: 'access_token' | 'id_token';
  /**
   * Access tokens: the `aud` this API expects (its resource indicator / Keycloak audience / Entra
   * application ID URI). Required with access tokens (RFC 9068 §4, RFC 8725 §3.9): the boot fails
   * without it, `authorizedParties` alone included, since a token the provider issued for another
   * of its APIs would otherwise be accepted.
   */
  readonly audience?: string | readonly string[];
  /**
   * Access tokens: clients allowed to call (`azp`, or `client_id` per RFC 9068), checked on top of
   * `audience`. A token whose authorized party is not listed is refused.
   */
  readonly authorizedParties?: readonly string[];
  /**
   * Your client id. ID tokens: required, their `aud` must contain it and their `azp`, when
   * present, must equal it. Keycloak preset: the default client whose roles are read.
   */
  readonly clientId?: string;
  /** Keycloak preset: clients whose `resource_access.<client>.roles` become roles. Default `[clientId]`. */
  readonly clientRoles?: readonly string[];
  /** Claim mapping preset. Default `standard`. */
  readonly preset?: OidcClaimPreset;
  /** Claim paths overriding the preset's. */
  readonly claims?: ClaimMappingOptions;
  /** Accepted algorithms. Default: every asymmetric algorithm nest-warden supports (HS* never). */
  readonly algorithms?: readonly JwtAlgorithm[];
  /**
   * Expected `typ` header. Default `at+jwt` (RFC 9068) for access tokens, none for ID tokens and
   * for the `keycloak` / `entra` presets; `false` accepts any.
   */
  readonly typ?: string | false;
  /** Allowed clock skew in seconds. Default 5. */
  readonly clockToleranceSeconds?: number;
  /** Claims that must be present besides `exp`, `sub` (and `iat` for ID tokens). */
  readonly requiredClaims?: readonly string[];
  /** Longest token accepted, in characters. Default 8192. */
  readonly maxTokenLength?: number;
  /** Verified-token cache entries (0 disables). Default 10 000. */
  readonly cacheSize?: number;
  readonly discovery?: OidcDiscoveryOptions;
  /** Caching and refetch of the provider's key set (unknown `kid` → refetch at most once per cooldown). */
  readonly remoteJwks?: RemoteJwksOptions;
  /** Description of the scheme in the OpenAPI document. */
  readonly description?: string;
  /** DPoP-bound tokens (RFC 9449): `'allowed'` or `'required'`. Default: the module's `dpop.mode` (off without a `dpop` section). */
  readonly dpop?: DpopMode;
}
