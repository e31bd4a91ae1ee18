import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../../clock/clock.js';
import { AuthEvents } from '../../events/auth-events.js';
import { PasswordLogin } from '../../login/password-login.js';
import { UserRevocation } from '../../revocation/user-revocation.js';
import type { UserAccount } from '../../users/user-directory.js';
import { AccessTokenDenyList } from './access-token-deny-list.js';
import { AccessTokens, type TokenConfirmation } from './access-tokens.js';
import { OAuthError } from '../oauth.error.js';
import { type RefreshGrant, RefreshTokens } from './refresh-tokens.js';
import { narrowScopes } from '../scopes.js';
import { isConfidential, mayUseGrant, type TokenClient, TokenSettings } from '../token-settings.js';

/** A token response (RFC 6749 §5.1) before it is written as JSON. */
export interface TokenSet {
  readonly accessToken: string;
  /** `DPoP` when the access token is bound to a DPoP key (RFC 9449 §5). */
  readonly tokenType: 'Bearer' | 'DPoP';
  /** Seconds. */
  readonly expiresIn: number;
  readonly refreshToken: string | undefined;
  readonly scopes: readonly string[];
  /** `jti` of the access token. */
  readonly tokenId: string;
  /** The grant (refresh-token family) the tokens belong to; the access token's `sid`. */
  readonly grantId: string;
}

export interface IssueTokensOptions {
  /** The client the tokens are for: an id from `tokens.clients`. Default: the default public client. */
  readonly clientId?: string;
  /** Scopes to grant; must be ones the account (and client) may hold. Default: all of them. */
  readonly scopes?: readonly string[];
  /** RFC 8176 authentication methods. Default `['pwd']`. */
  readonly amr?: readonly string[];
  /** When the user authenticated (ms). Default: now. */
  readonly authTime?: number;
  /** Issue a refresh token. Default: when the client may use the refresh_token grant and refresh tokens are enabled. */
  readonly refreshToken?: boolean;
  /** For security events: the grant type (`password`) or your own label. */
  readonly grantType?: string;
  readonly clientAddress?: string;
  /** Bind the tokens to a DPoP key (the thumbprint of a verified proof): `cnf.jkt`, `token_type: DPoP`. */
  readonly confirmation?: TokenConfirmation;
  /** The grant id to use, reserved by the caller (the code grant records it before issuing). @internal */
  readonly grantId?: string;
}

/** Options of {@link TokenService.issueForClient}. */
export interface IssueClientTokenOptions {
  /** Scopes to grant: ones the client may hold (`tokens.clients[].scopes`). Default: all of them. */
  readonly scopes?: readonly string[];
  /** Bind the token to a DPoP key (the thumbprint of a verified proof). */
  readonly confirmation?: TokenConfirmation;
  readonly clientAddress?: string;
}

export interface RefreshOptions {
  /** A narrower scope for the new access token (RFC 6749 §6); the grant itself keeps its scope. */
  readonly scopes?: readonly string[];
  readonly clientAddress?: string;
  /**
   * The DPoP key of this request's verified proof. A family bound to a key stays bound (its new
   * access tokens carry the same `cnf.jkt`); a proof of another key is refused, and so is a public
   * client's refresh of a bound family without a proof (RFC 9449 §5).
   */
  readonly confirmation?: TokenConfirmation;
}

/**
 * Issues, refreshes and revokes tokens: RFC 9068 access tokens, rotating refresh tokens with reuse
 * detection (RFC 9700), and revocation (RFC 7009) through the access-token deny list. The token
 * endpoint uses it; inject it to issue tokens after a sign-in of your own (e.g. a passkey).
 */
@Injectable()
export class TokenService implements OnModuleInit {
  /** Created by Nest (inject it); not part of the public API. @internal */
  constructor(
    private readonly settings: TokenSettings,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
    private readonly denyList: AccessTokenDenyList,
    private readonly passwordLogin: PasswordLogin,
    private readonly events: AuthEvents,
    private readonly clock: Clock,
    private readonly revocation: UserRevocation,
  ) {}

  /** "Log out everywhere" and password resets (`UserRevocation`) end the user's tokens too. */
  onModuleInit(): void {
    if (this.settings.configured) this.revocation.subscribe((userId) => this.revokeUser(userId));
  }

  /**
   * Revokes every refresh token and access token of `userId` issued so far; sign-ins after this
   * are unaffected. `UserRevocation.revokeUser()` calls it for you.
   */
  async revokeUser(userId: string): Promise<void> {
    this.settings.require('TokenService.revokeUser()');
    await this.denyList.denyUser(userId, this.clock.now());
  }

  /** Scopes `account` may obtain through `client`: its own, narrowed by the client's and the server's. */
  grantableScopes(account: UserAccount, client: TokenClient): string[] {
    return narrowScopes(account.scopes ?? [], client.scopes, this.settings.knownScopes);
  }

  /** Issues an access token (and a refresh token) for an account that has just authenticated. */
  async issue(account: UserAccount, options: IssueTokensOptions = {}): Promise<TokenSet> {
    const settings = this.settings.require('TokenService.issue()');
    const client = this.client(options.clientId);
    const grantable = this.grantableScopes(account, client);
    const scopes = options.scopes ? [...new Set(options.scopes)] : grantable;
    const refused = scopes.filter((scope) => !grantable.includes(scope));
    if (refused.length) throw new OAuthError('invalid_scope', `The scope "${refused[0]}" cannot be granted`);
    const amr = options.amr ?? ['pwd'];
    const now = this.clock.now();
    const authTime = options.authTime ?? now;
    const withRefresh =
      (options.refreshToken ?? mayUseGrant(client, 'refresh_token')) && settings.refreshTtlMs > 0;
    let grantId: string;
    let refreshToken: string | undefined;
    const jkt = options.confirmation?.jkt;
    if (withRefresh) {
      // A sign-in starts after any revocation of all the user's tokens, even one in this very millisecond.
      const revokedAt = await this.denyList.userRevokedAt(account.id);
      const issuedAt = revokedAt !== undefined && revokedAt >= now ? revokedAt + 1 : now;
      const started = await this.refreshTokens.start(
        { userId: account.id, clientId: client.id, scopes, amr, authTime, issuedAt, maxExpiresAt: authTime + settings.refreshMaxLifetimeMs, ...(jkt ? { jkt } : {}) },
        settings.refreshTtlMs,
        options.grantId,
      );
      grantId = started.grant.id;
      refreshToken = started.refreshToken;
    } else {
      grantId = options.grantId ?? randomBytes(16).toString('base64url');
    }
    const access = await this.accessTokens.sign({ account, clientId: client.id, scopes, amr, authTime, grantId, confirmation: options.confirmation });
    this.events.emit({
      type: 'token.issued',
      grantType: options.grantType ?? 'password',
      userId: account.id,
      clientId: client.id,
      tokenId: access.jti,
      grantId,
      scopes,
      clientAddress: options.clientAddress,
    });
    return { accessToken: access.token, tokenType: jkt ? 'DPoP' : 'Bearer', expiresIn: access.expiresIn, refreshToken, scopes, tokenId: access.jti, grantId };
  }

  /**
   * Issues an access token to a client acting on its own behalf (RFC 6749 §4.4, client
   * credentials): `sub` and `client_id` are the client (RFC 9068 §2.2), there is no `auth_time` and
   * no refresh token (RFC 6749 §4.4.3). Scopes are those listed for the client (`tokens.clients[].scopes`).
   */
  async issueForClient(client: TokenClient, options: IssueClientTokenOptions = {}): Promise<TokenSet> {
    this.settings.require('TokenService.issueForClient()');
    const grantable = [...(client.scopes ?? [])].filter((scope) => !this.settings.knownScopes || this.settings.knownScopes.has(scope));
    const scopes = options.scopes ? [...new Set(options.scopes)] : grantable;
    const refused = scopes.find((scope) => !grantable.includes(scope));
    if (refused) throw new OAuthError('invalid_scope', `The scope "${refused}" cannot be granted to this client`);
    const grantId = randomBytes(16).toString('base64url');
    const access = await this.accessTokens.sign({ clientId: client.id, scopes, amr: [], grantId, confirmation: options.confirmation });
    this.events.emit({
      type: 'token.issued',
      grantType: 'client_credentials',
      userId: client.id,
      clientId: client.id,
      tokenId: access.jti,
      grantId,
      scopes,
      clientAddress: options.clientAddress,
    });
    const tokenType = options.confirmation ? 'DPoP' : 'Bearer';
    return { accessToken: access.token, tokenType, expiresIn: access.expiresIn, refreshToken: undefined, scopes, tokenId: access.jti, grantId };
  }

  /**
   * Revokes everything issued to `userId` (the tokens' `sub`) under one grant id: its refresh-token
   * family and its access tokens (an authorization code that was replayed, RFC 6749 §4.1.2).
   */
  async revokeGrant(userId: string, grantId: string): Promise<void> {
    const settings = this.settings.require('TokenService.revokeGrant()');
    // Long enough to cover access tokens refreshed from the family before the revocation reached it.
    await this.denyList.denyGrant(userId, grantId, settings.refreshMaxLifetimeMs + settings.accessTtlMs);
    await this.refreshTokens.revokeFamily(grantId);
  }

  /**
   * Exchanges a refresh token for a new access token and a new refresh token. An already rotated
   * token revokes its whole family (and the family's access tokens) and fails with `invalid_grant`.
   */
  async refresh(refreshToken: string, client: TokenClient, options: RefreshOptions = {}): Promise<TokenSet> {
    const settings = this.settings.require('TokenService.refresh()');
    let revokedBecause: 'account' | 'user' = 'account';
    const outcome = await this.refreshTokens.rotate(refreshToken, client.id, settings.refreshTtlMs, async (grant) => {
      const requested = options.scopes ? [...new Set(options.scopes)] : undefined;
      const widened = requested?.find((scope) => !grant.scopes.includes(scope));
      if (widened) throw new OAuthError('invalid_scope', `The scope "${widened}" was not granted to this refresh token`);
      // RFC 9449 §5: a public client's bound refresh token needs a proof of the same key; a
      // confidential client authenticated itself, but a proof of another key is refused too.
      const proofMissing = options.confirmation === undefined && !isConfidential(client);
      if (grant.jkt !== undefined && (proofMissing || (options.confirmation !== undefined && options.confirmation.jkt !== grant.jkt))) {
        throw new OAuthError('invalid_grant', 'The refresh token is bound to a DPoP key: send a proof of that key');
      }
      const revokedAt = await this.denyList.userRevokedAt(grant.userId);
      if (revokedAt !== undefined && grant.issuedAt <= revokedAt) {
        revokedBecause = 'user';
        return undefined;
      }
      const account = await this.passwordLogin.users().findById(grant.userId);
      if (!account || account.disabled) return undefined;
      // The account may have lost scopes since sign-in: never grant more than it holds today.
      const scopes = narrowScopes(requested ?? grant.scopes, new Set(this.grantableScopes(account, client)));
      // A bound family stays bound: its new access tokens carry the same key thumbprint.
      const confirmation = grant.jkt !== undefined ? { jkt: grant.jkt } : undefined;
      const access = await this.accessTokens.sign({ account, clientId: client.id, scopes, amr: grant.amr, authTime: grant.authTime, grantId: grant.id, confirmation });
      return { account, access, scopes };
    });
    switch (outcome.kind) {
      case 'rotated': {
        const { account, access, scopes } = outcome.prepared;
        this.events.emit({
          type: 'token.issued',
          grantType: 'refresh_token',
          userId: account.id,
          clientId: client.id,
          tokenId: access.jti,
          grantId: outcome.grant.id,
          scopes,
          clientAddress: options.clientAddress,
        });
        return {
          accessToken: access.token,
          tokenType: outcome.grant.jkt !== undefined ? 'DPoP' : 'Bearer',
          expiresIn: access.expiresIn,
          refreshToken: outcome.refreshToken,
          scopes,
          tokenId: access.jti,
          grantId: outcome.grant.id,
        };
      }
      case 'reused':
        await this.denyList.denyGrant(outcome.grant.userId, outcome.grant.id, settings.accessTtlMs);
        this.events.emit({
          type: 'refresh_token.reused',
          userId: outcome.grant.userId,
          clientId: outcome.grant.clientId,
          grantId: outcome.grant.id,
          clientAddress: options.clientAddress,
        });
        throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked');
      case 'revoked':
        await this.denyList.denyGrant(outcome.grant.userId, outcome.grant.id, settings.accessTtlMs);
        this.events.emit({
          type: 'token.revoked',
          tokenType: 'refresh_token',
          reason: revokedBecause,
          userId: outcome.grant.userId,
          clientId: outcome.grant.clientId,
          tokenId: outcome.grant.id,
          clientAddress: options.clientAddress,
        });
        throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked');
      case 'invalid':
        throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked');
    }
  }

  /**
   * RFC 7009: revokes an access token (its `jti` is refused until it expires) or a refresh token
   * (its family, and the family's access tokens). Tokens that are unknown, expired or another
   * client's are ignored, as the RFC asks.
   */
  async revoke(token: string, client: TokenClient, clientAddress?: string): Promise<void> {
    const settings = this.settings.require('TokenService.revoke()');
    if (RefreshTokens.looksLikeRefreshToken(token)) {
      const grant = await this.refreshTokens.revoke(token, client.id);
      if (!grant) return;
      await this.denyList.denyGrant(grant.userId, grant.id, settings.accessTtlMs);
      this.events.emit({
        type: 'token.revoked',
        tokenType: 'refresh_token',
        reason: 'request',
        userId: grant.userId,
        clientId: grant.clientId,
        tokenId: grant.id,
        clientAddress,
      });
      return;
    }
    const claims = await this.accessTokens.verify(token);
    if (!claims || claims.client_id !== client.id || typeof claims.jti !== 'string' || claims.exp === undefined) return;
    if (typeof claims.sub !== 'string') return;
    await this.denyList.denyToken(claims.sub, claims.jti, claims.exp * 1000, typeof claims.sid === 'string' ? claims.sid : undefined);
    this.events.emit({
      type: 'token.revoked',
      tokenType: 'access_token',
      reason: 'request',
      userId: String(claims.sub),
      clientId: client.id,
      tokenId: claims.jti,
      clientAddress,
    });
  }

  /**
   * RFC 7662 for a refresh token of `client`: its grant while it is the family's current, live
   * token and the user's tokens were not all revoked since; `undefined` otherwise. @internal
   */
  async inspectRefreshToken(token: string, client: TokenClient): Promise<RefreshGrant & { expiresAt: number } | undefined> {
    const found = await this.refreshTokens.inspect(token);
    if (!found || found.grant.clientId !== client.id) return undefined;
    const revokedAt = await this.denyList.userRevokedAt(found.grant.userId);
    if (revokedAt !== undefined && found.grant.issuedAt <= revokedAt) return undefined;
    return { ...found.grant, expiresAt: found.expiresAt };
  }

  private client(clientId: string | undefined): TokenClient {
    const client = clientId === undefined ? this.settings.defaultClient : this.settings.clients.get(clientId);
    if (!client) {
      throw new TypeError(
        clientId === undefined
          ? 'nest-warden: TokenService.issue() needs a clientId: there is no default public client'
          : `nest-warden: TokenService.issue(): unknown client "${clientId}"`,
      );
    }
    return client;
  }
}
