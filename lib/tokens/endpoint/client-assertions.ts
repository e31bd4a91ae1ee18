import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, errors, type JWK, type JSONWebKeySet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { Clock } from '../../clock/clock.js';
import { AuthStore } from '../../stores/auth-store.js';
import type { TokenClient } from '../token-settings.js';
import { TokenSettings } from '../token-settings.js';
import { MountedTokenPaths } from './mounted-token-paths.js';

/** RFC 7523 §2.2: the only `client_assertion_type` accepted. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Asymmetric algorithms accepted for client assertions (no `none`, no HMAC: the client's keys are public). */
export const CLIENT_ASSERTION_ALGORITHMS: readonly string[] = ['EdDSA', 'ES256', 'ES384', 'PS256', 'RS256'];

/** An assertion may live at most this long past now: it bounds how long its `jti` must be remembered. */
const MAX_ASSERTION_LIFETIME_S = 600;
/** Clock skew tolerated between the client and this server. */
const CLOCK_TOLERANCE_S = 30;

/**
 * `private_key_jwt` client authentication (RFC 7523 §2.2, OpenID Connect Core §9): a JWT signed with
 * the client's private key, `iss` = `sub` = the client id, `aud` = the issuer or the token endpoint's
 * URL, a short `exp`, and a `jti` that is accepted once across every instance sharing the store.
 */
@Injectable()
export class ClientAssertions {
  private readonly keySets = new WeakMap<TokenClient, JWTVerifyGetKey>();

  constructor(
    private readonly settings: TokenSettings,
    private readonly paths: MountedTokenPaths,
    private readonly store: AuthStore,
    private readonly clock: Clock,
  ) {}

  /** The client id an assertion claims to come from (unverified: only to find the client's keys). */
  static claimedClient(assertion: string): string | undefined {
    try {
      const { sub, iss } = decodeJwt(assertion);
      return typeof sub === 'string' && sub === iss ? sub : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether `assertion` authenticates `client`; a verified assertion is spent (its `jti` recorded). */
  async verify(client: TokenClient, assertion: string): Promise<boolean> {
    if (!client.jwks) return false;
    const now = this.clock.now();
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, this.keySet(client), {
        algorithms: [...CLIENT_ASSERTION_ALGORITHMS],
        issuer: client.id,
        subject: client.id,
        audience: this.audiences(),
        requiredClaims: ['exp', 'jti'],
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(now),
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return false;
      throw error;
    }
    const expiresAt = payload.exp! * 1000;
    if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256) return false;
    if (expiresAt - now > MAX_ASSERTION_LIFETIME_S * 1000) return false;
    const ttl = expiresAt - now + CLOCK_TOLERANCE_S * 1000;
    const key = `tokens:jti:{${digest(client.id)}}:${digest(payload.jti)}`;
    return this.store.setIfAbsent(key, '1', Math.max(ttl, 1000)); // false: a replayed assertion
  }

  /** The issuer (RFC 7523 §3 allows it; oauth4webapi sends it) and the token endpoint's URL. */
  private audiences(): string[] {
    const issuer = this.settings.issuer;
    const tokenUrl = this.paths.url(issuer, 'token');
    return tokenUrl ? [issuer, tokenUrl] : [issuer];
  }

  private keySet(client: TokenClient): JWTVerifyGetKey {
    let keys = this.keySets.get(client);
    if (!keys) {
      keys = createLocalJWKSet({ keys: client.jwks!.keys.map((key) => ({ ...key })) as JWK[] } as JSONWebKeySet);
      this.keySets.set(client, keys);
    }
    return keys;
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url').slice(0, 32);
}
