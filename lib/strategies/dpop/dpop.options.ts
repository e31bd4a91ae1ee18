/**
 * Whether a bearer strategy (or a route) takes DPoP-bound tokens (RFC 9449):
 * - `'allowed'`: `Authorization: DPoP <token>` with a `DPoP` proof, or `Authorization: Bearer <token>`
 *   for tokens that are not bound (a bound token, one with `cnf.jkt`, is always refused as `Bearer`).
 * - `'required'`: only DPoP-bound tokens with a valid proof.
 */
export type DpopMode = 'required' | 'allowed';

/** The asymmetric JWS algorithms a DPoP proof may be signed with. */
export type DpopAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519' | 'RS256' | 'PS256' | 'PS384' | 'PS512' | 'RS384' | 'RS512';

/** Every {@link DpopAlgorithm}, for validating configuration at boot. */
export const DPOP_ALGORITHMS: readonly DpopAlgorithm[] = Object.freeze([
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
]);

/** Server-provided nonces (RFC 9449 §9): proofs must carry a recent `nonce` the server minted. */
export interface DpopNonceOptions {
  /**
   * Key of the HMAC that mints and checks nonces, at least 32 bytes. Instances behind one balancer
   * must share it (a nonce minted by one is then accepted by all). Default: random per process.
   */
  readonly secret?: string | Uint8Array;
  /** A nonce is valid for this long, then one more period (so a fresh one never expires at once). Default 300 s. */
  readonly lifetimeSeconds?: number;
}

/**
 * DPoP (RFC 9449) for the bearer strategies (`jwt`, `oidc`, the module's own tokens), and the
 * proof verifier (`DpopProofVerifier`) the token endpoint uses to bind tokens.
 */
export interface DpopOptions {
  /**
   * The mode of every bearer strategy that names none (`jwt.dpop`, `oidc.dpop` override it);
   * a route may override both with `@Auth({ dpop })`. Default `'allowed'`.
   */
  readonly mode?: DpopMode;
  /** Algorithms a proof may use. Default `['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256']`. */
  readonly algorithms?: readonly DpopAlgorithm[];
  /** How old a proof's `iat` may be, in seconds (RFC 9449 §11.1). Default 60. */
  readonly maxAgeSeconds?: number;
  /** Allowed clock skew for an `iat` in the future, in seconds. Default 5. */
  readonly clockToleranceSeconds?: number;
  /** Require server nonces (`true`: with a random per-process secret). Default off. */
  readonly nonce?: boolean | DpopNonceOptions;
  /**
   * Proofs one key (one `jkt`) may present per `maxAgeSeconds` window; past it, that key is refused
   * (429) until the window ends. Bounds the replay records one client can create, so no client can
   * fill the store for others. Default 10 000.
   */
  readonly maxProofsPerKey?: number;
  /**
   * The public origin requests arrive at (`https://api.example.com`), for the `htu` check behind
   * proxies that rewrite `Host`. Default: the request's own scheme and `Host` header.
   */
  readonly origin?: string;
}
