/**
 * Security events nest-warden reports to the {@link AuthEventListener}. They carry identifiers
 * (user id, client id, token id, address), never a password, a token or a secret.
 */
export type AuthEvent =
  | LoginSucceededEvent
  | LoginFailedEvent
  | LoginLockedEvent
  | TokenIssuedEvent
  | RefreshTokenReusedEvent
  | TokenRevokedEvent
  | ClientAuthenticationFailedEvent;

export interface BaseEvent {
  /** Milliseconds since the epoch, from the module's `Clock`. */
  readonly at: number;
  /** The client's address: the peer, or the client a proxy listed in `trustProxy` forwarded. */
  readonly clientAddress?: string;
}

/** Where a password was checked: `token` (password grant), `basic`, `session`, or your own label. */
export type LoginChannel = string;

export interface LoginSucceededEvent extends BaseEvent {
  readonly type: 'login.succeeded';
  readonly userId: string;
  readonly username: string;
  readonly channel?: LoginChannel;
}

export interface LoginFailedEvent extends BaseEvent {
  readonly type: 'login.failed';
  /** Set when the username names an existing account (wrong password or disabled account). */
  readonly userId?: string;
  /** `invalid_credentials`: wrong password or unknown user; `locked`: refused while locked. */
  readonly reason: 'invalid_credentials' | 'locked';
  readonly channel?: LoginChannel;
}

export interface LoginLockedEvent extends BaseEvent {
  readonly type: 'login.locked';
  /** `account`: one username is locked; `address`: one client address (IPv6: one /64) is. */
  readonly scope: 'account' | 'address';
  /** Set when the locked username names an existing account. */
  readonly userId?: string;
  readonly lockedForMs: number;
  readonly channel?: LoginChannel;
}

export interface TokenIssuedEvent extends BaseEvent {
  readonly type: 'token.issued';
  readonly grantType: string;
  readonly userId: string;
  readonly clientId: string;
  /** `jti` of the access token. */
  readonly tokenId: string;
  /** The grant (refresh-token family) the tokens belong to; the access token's `sid`. */
  readonly grantId: string;
  readonly scopes: readonly string[];
}

export interface RefreshTokenReusedEvent extends BaseEvent {
  readonly type: 'refresh_token.reused';
  readonly userId: string;
  readonly clientId: string;
  /** The family that was revoked because an already rotated refresh token came back (RFC 9700 §4.14.2). */
  readonly grantId: string;
}

export interface TokenRevokedEvent extends BaseEvent {
  readonly type: 'token.revoked';
  readonly tokenType: 'access_token' | 'refresh_token';
  readonly userId: string;
  readonly clientId: string;
  /** `jti` (access token) or family id (refresh token). */
  readonly tokenId: string;
  /**
   * `request`: RFC 7009 revocation; `reuse`: refresh-token reuse; `account`: the account is gone or
   * disabled; `user`: all of the user's tokens were revoked (log out everywhere, password reset).
   */
  readonly reason: 'request' | 'reuse' | 'account' | 'user';
}

export interface ClientAuthenticationFailedEvent extends BaseEvent {
  readonly type: 'client.authentication_failed';
  /** The client id the request named (unknown ids are reported as sent, truncated). */
  readonly clientId: string;
}
