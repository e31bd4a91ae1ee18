/**
 * Who is calling, as every strategy reports it. Authorization reads only these fields, so a
 * custom strategy that fills them gets roles, permissions, scopes and ownership for free.
 */
export interface Principal {
  /** Stable subject identifier (JWT `sub`, user id, API key id). */
  readonly id: string;
  readonly username?: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** Grants held directly (wildcards allowed); roles add more through the role-permission map. */
  readonly permissions: readonly string[];
  /** Name of the strategy that authenticated the request. */
  readonly strategy: string;
  /** Authentication methods (RFC 8176 `amr`), e.g. `['pwd']`, `['pwd', 'otp']`. */
  readonly amr?: readonly string[];
  /** Verified token claims, when the credential was a token. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** OAuth2 client the token was issued to. */
  readonly clientId?: string;
  /** Token id (`jti`), for revocation. */
  readonly tokenId?: string;
  /** When the credential expires (ms since epoch), when known. */
  readonly expiresAt?: number;
  /**
   * Who the subject is: `'client'` for a client acting on its own behalf (an access token from the
   * client credentials grant: `sub` = `client_id`, no `auth_time`, RFC 9068 §2.2); `'user'` or
   * absent otherwise. A client principal holds only its scopes: no roles (so `@Roles()` refuses it
   * unless you map roles to it), and it owns nothing (`@Owner()` compares user ids).
   */
  readonly kind?: 'user' | 'client';
  /** Session id, when authenticated by a session cookie (read by the CSRF check). */
  readonly sessionId?: string;
  /**
   * The key the token is bound to (RFC 9449 `cnf.jkt`, the SHA-256 JWK thumbprint), when it is a
   * DPoP-bound token; the request then carried a valid proof signed with that key.
   */
  readonly confirmation?: { readonly jkt: string };
}
