import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { AuthStore } from '../stores/auth-store.js';

/** Kept a little past `exp`, so a token accepted within the verifier's clock tolerance stays refused. */
const AFTER_EXPIRY_MS = 60_000;
const MAX_ID_LENGTH = 128;

/**
 * Revoked access tokens, until they would have expired anyway: one entry per revoked `jti`, and
 * one per revoked grant (`sid`, a refresh-token family) that refuses every access token issued
 * under it. The JWT strategy asks on every request for our own tokens; a store it cannot reach
 * makes it fail closed.
 */
@Injectable()
export class AccessTokenDenyList {
  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
  ) {}

  /** Refuses the token `jti` until `expiresAt` (ms). */
  async denyToken(jti: string, expiresAt: number): Promise<void> {
    const ttl = expiresAt + AFTER_EXPIRY_MS - this.clock.now();
    if (ttl > 0) await this.store.set(this.tokenKey(jti), '1', ttl);
  }

  /** Refuses every access token of the grant `sid` issued so far (each lives at most `accessTtlMs`). */
  async denyGrant(sid: string, accessTtlMs: number): Promise<void> {
    await this.store.set(this.grantKey(sid), '1', accessTtlMs + AFTER_EXPIRY_MS);
  }

  /** Whether the token or its grant was revoked. Rejects with `StoreUnavailableError` when the store cannot answer. */
  async isDenied(jti: unknown, sid: unknown): Promise<boolean> {
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_ID_LENGTH) return true;
    const grant = typeof sid === 'string' && sid.length > 0 && sid.length <= MAX_ID_LENGTH ? sid : undefined;
    const [token, family] = await Promise.all([
      this.store.get(this.tokenKey(jti)),
      grant ? this.store.get(this.grantKey(grant)) : Promise.resolve(null),
    ]);
    return token !== null || family !== null;
  }

  private tokenKey(jti: string): string {
    return `tokens:deny:jti:${jti}`;
  }

  private grantKey(sid: string): string {
    return `tokens:deny:sid:{${sid}}`;
  }
}
