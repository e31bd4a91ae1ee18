import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload, SignJWT } from 'jose';
import { Clock } from '../../clock/clock.js';
import type { UserAccount } from '../../users/user-directory.js';
import { KeySourceUnavailableError } from '../../strategies/jwt/jwt-key-source.js';
import { SigningKeys } from '../keys/signing-keys.js';
import { TokenSettings } from '../token-settings.js';

/** Claims nest-warden sets itself; `tokens.claims` cannot override them. */
const REGISTERED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'scope', 'sid', 'auth_time', 'amr', 'acr', 'cnf', 'azp']);

/** RFC 7800 confirmation of a sender-constrained token: the RFC 7638 thumbprint of the DPoP key (RFC 9449 §6). */
export interface TokenConfirmation {
  readonly jkt: string;
}

export interface AccessTokenInput {
  /** The user the token is for; absent for a client acting on its own behalf (`client_credentials`). */
  readonly account?: UserAccount;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** RFC 8176 methods, e.g. `['pwd']` (none for a client). */
  readonly amr: readonly string[];
  /** When the user authenticated (ms); absent for a client. */
  readonly authTime?: number;
  /** The grant (refresh-token family) id, `sid`. */
  readonly grantId: string;
  /** Binds the token to a DPoP key: `cnf.jkt`. */
  readonly confirmation?: TokenConfirmation;
}

export interface SignedAccessToken {
  readonly token: string;
  readonly jti: string;
  /** Seconds. */
  readonly expiresIn: number;
}

/** Access tokens as RFC 9068 JWTs (`typ: at+jwt`), signed with the module's keys. */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly settings: TokenSettings,
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
  ) {}

  async sign(input: AccessTokenInput): Promise<SignedAccessToken> {
    const iat = Math.floor(this.clock.now() / 1000);
    const expiresIn = Math.floor(this.settings.accessTtlMs / 1000);
    const exp = iat + expiresIn;
    const jti = randomBytes(16).toString('base64url');
    const claims: JWTPayload = {
      ...(input.account ? this.extraClaims(input.account) : {}),
      client_id: input.clientId,
      sid: input.grantId,
    };
    // RFC 9068 §2.2: without a resource owner (client credentials) `sub` is the client, and there is no `auth_time`.
    if (input.authTime !== undefined) claims.auth_time = Math.floor(input.authTime / 1000);
    if (input.scopes.length) claims.scope = input.scopes.join(' ');
    if (input.amr.length) claims.amr = [...input.amr];
    if (input.confirmation) claims.cnf = { jkt: input.confirmation.jkt };
    const key = await this.keys.signingKey(exp * 1000);
    const token = await new SignJWT(claims)
      .setProtectedHeader(key.kid ? { alg: key.alg, typ: 'at+jwt', kid: key.kid } : { alg: key.alg, typ: 'at+jwt' })
      .setIssuer(this.settings.issuer)
      .setSubject(input.account ? input.account.id : input.clientId)
      .setAudience(this.settings.audience as string | string[])
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key.key);
    return { token, jti, expiresIn };
  }

  /**
   * The claims of an access token we issued that has not expired, or `undefined` for anything
   * else (revocation accepts any token and answers 200). Rejects only when keys are unreachable.
   */
  async verify(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keys.keySource, {
        algorithms: [this.keys.algorithm],
        issuer: this.settings.issuer,
        audience: this.settings.audience as string | string[],
        typ: 'at+jwt',
        requiredClaims: ['exp', 'jti', 'client_id', 'sub'],
        currentDate: new Date(this.clock.now()),
      });
      return payload;
    } catch (error) {
      if (error instanceof KeySourceUnavailableError) throw error;
      if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }

  private extraClaims(account: UserAccount): Record<string, unknown> {
    const extra = this.settings.claims
      ? this.settings.claims(account)
      : { preferred_username: account.username, roles: account.roles?.length ? [...account.roles] : undefined };
    const claims: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(extra ?? {})) if (!REGISTERED.has(name) && value !== undefined) claims[name] = value;
    return claims;
  }
}
