import type { JWK } from 'jose';
import type { UserAccount } from '../users/user-directory.js';

/** Asymmetric algorithms nest-warden signs access tokens with. */
export type TokenSigningAlgorithm = 'EdDSA' | 'ES256' | 'ES384' | 'RS256' | 'PS256';

/** Sign with a shared secret (HS256). Every instance with the same secret agrees; there is no JWKS. */
export interface SecretSigningOptions {
  /** At least 32 bytes of randomness, e.g. `openssl rand -base64 32`. */
  readonly secret: string | Uint8Array;
  readonly privateKey?: never;
}

/** Sign with your own private key; its public part is published at the JWKS endpoint. */
export interface PrivateKeySigningOptions {
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) or a private JWK. */
  readonly privateKey: string | JWK;
  readonly secret?: never;
  /** Default: from the key type (Ed25519 → EdDSA, P-256 → ES256, P-384 → ES384, RSA → RS256). */
  readonly alg?: TokenSigningAlgorithm;
  /** Default: the key's RFC 7638 thumbprint. */
  readonly kid?: string;
  /**
   * Public keys (SPKI PEM or JWK, each with a `kid`) that still verify and stay in the JWKS: list
   * the previous key here after a rotation until the tokens it signed have expired.
   */
  readonly previousPublicKeys?: readonly (string | JWK)[];
}

/**
 * Generate keys at start (the default). Each instance keeps its private key in memory only and
 * publishes the public key (with its `kid` and an expiry) through the `AuthStore`, so with a
 * shared store a token signed by any instance verifies on all, and every JWKS lists all live keys.
 */
export interface GeneratedSigningOptions {
  /** Default `EdDSA` (Ed25519). */
  readonly alg?: TokenSigningAlgorithm;
  readonly secret?: never;
  readonly privateKey?: never;
  /** A new key pair after this long; the old one verifies until its tokens expire. Default 24 h. */
  readonly rotateAfterSeconds?: number;
  /** Minimum time between two reads of other instances' keys on an unknown `kid`. Default 2 s. */
  readonly keyRefreshCooldownMs?: number;
}

export type TokenSigningOptions = SecretSigningOptions | PrivateKeySigningOptions | GeneratedSigningOptions;

/**
 * A `grant_type` of the token endpoint: the built-in ones, or the `grantType` of a `TokenGrant` of
 * your own (`forRoot({ grants: [MyGrant] })`).
 */
export type TokenGrantType = 'password' | 'refresh_token' | 'client_credentials' | 'authorization_code' | (string & {});

/** How a client authenticates at the token, revocation and introspection endpoints (RFC 7591 §2 names). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** An OAuth2 client of the token endpoint (RFC 6749 §2). */
export interface TokenClientOptions {
  /** The client id; it becomes the access token's `client_id` claim. */
  readonly id: string;
  /**
   * A confidential client's secret as `hashClientSecret(secret)` returns it (`sha256:...`): the
   * plain secret is never kept. Leave it out for a public client (a SPA, a mobile app, Swagger UI).
   */
  readonly secretHash?: string;
  /** Grants the client may use. Default: every grant the token endpoint has. */
  readonly grantTypes?: readonly TokenGrantType[];
  /**
   * Scopes the client may obtain (on top of what the user may hold). Default: no client limit for
   * user grants; with `client_credentials` a client obtains only the scopes listed here (none without the list).
   */
  readonly scopes?: readonly string[];
  /**
   * Public keys of a confidential client that authenticates with `private_key_jwt` (RFC 7523 §2.2):
   * a JWK Set (`{ keys: [...] }`). The client signs a short-lived assertion with its private key.
   */
  readonly jwks?: { readonly keys: readonly JWK[] };
  /**
   * Redirect URIs for the authorization code grant, compared exactly (no prefix, no extra query).
   * A client without any cannot use `GET /auth/authorize`.
   */
  readonly redirectUris?: readonly string[];
  /** Ask the user to approve the client's access after sign-in (`GET /auth/authorize`). Default `false`. */
  readonly consent?: boolean;
}

/** nest-warden as a small authorization server (`AuthModule.forRoot({ tokens })`). */
export interface TokenOptions {
  /** `iss` of every access token: your API's public base URL, e.g. `https://api.example.com`. */
  readonly issuer: string;
  /** `aud` of every access token. Default: the issuer. */
  readonly audience?: string | readonly string[];
  /** Access-token lifetime. Default 900 (15 min). */
  readonly accessTokenTtlSeconds?: number;
  /** A refresh token dies after this long unused (each refresh rotates it). Default 14 days; 0: no refresh tokens. */
  readonly refreshTokenTtlSeconds?: number;
  /** A sign-in's refresh tokens end this long after the password was checked, however often refreshed. Default 30 days. */
  readonly refreshTokenMaxLifetimeSeconds?: number;
  /** How access tokens are signed. Default: generated Ed25519 keys (`{}`). */
  readonly signing?: TokenSigningOptions;
  /** Clients of the token endpoint. Default: one public client, `default`. */
  readonly clients?: readonly TokenClientOptions[];
  /**
   * The public client assumed when a request carries no client authentication (no credentials,
   * or Swagger UI's empty `Authorization: Basic Og==`). Default: the only public client, if there
   * is exactly one. `false`: every request must name its client.
   */
  readonly defaultClient?: string | false;
  /**
   * Scopes the server knows, with descriptions (the OpenAPI password flow lists them). When set,
   * other scopes are never granted. Default: any scope the user may hold (`UserAccount.scopes`).
   */
  readonly scopes?: Readonly<Record<string, string>>;
  /**
   * Extra claims for an account's access tokens. Registered claims (`iss`, `sub`, `aud`, `exp`,
   * `iat`, `jti`, `client_id`, `scope`, `sid`, `auth_time`, `amr`, ...) cannot be overridden.
   * Default: `preferred_username` and `roles`.
   */
  readonly claims?: (account: UserAccount) => Readonly<Record<string, unknown>>;
  /**
   * Enable the resource owner password credentials grant (`grant_type=password`). Default `false`:
   * RFC 9700 §2.4 says it MUST NOT be used and OAuth 2.1 drops it; prefer the authorization code
   * grant with PKCE. When on, the module logs a warning at boot.
   */
  readonly passwordGrant?: boolean;
  /** Authorization-code lifetime. Default 60 (RFC 6749 §4.1.2 recommends at most 10 minutes). */
  readonly authorizationCodeTtlSeconds?: number;
}

/** Where the token endpoints are mounted (`forRoot({ tokenEndpoints })`); `false` leaves one out. */
export interface TokenEndpointPaths {
  /** Default `/auth/token`. */
  readonly token?: string | false;
  /** Default `/auth/revoke`. */
  readonly revoke?: string | false;
  /** Default `/.well-known/jwks.json` (404 while signing with a secret). */
  readonly jwks?: string | false;
  /** The authorization endpoint of the code grant (RFC 6749 §3.1). Default `/auth/authorize`. */
  readonly authorize?: string | false;
  /** Token introspection (RFC 7662) for authenticated clients. Default `/auth/introspect`. */
  readonly introspect?: string | false;
  /** Authorization server metadata (RFC 8414). Default `/.well-known/oauth-authorization-server`. */
  readonly metadata?: string | false;
}
