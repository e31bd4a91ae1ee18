import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Clock } from '../../clock/clock.js';
import { AuthStore, StoreUnavailableError } from '../../stores/auth-store.js';
import { type RevocationMessage, RevocationMirror } from './revocation-mirror.js';

/** Kept a little past `exp`, so a token accepted within the verifier's clock tolerance stays refused. */
const AFTER_EXPIRY_MS = 60_000;
const MAX_ID_LENGTH = 128;

/**
 * Revoked access tokens, until they would have expired anyway: one entry per revoked `jti`, one
 * per revoked grant (`sid`, a refresh-token family) that refuses every access token issued under
 * it, and one per user whose tokens were all revoked (`UserRevocation`: log out everywhere,
 * password reset). The JWT strategy asks on every request for our own tokens; a store it cannot reach
 * makes it fail closed. With a store that can publish (RedisStore), every revocation is also sent
 * to every instance's `RevocationMirror`, which answers for recent tokens without a round trip.
 */
@Injectable()
export class AccessTokenDenyList {
  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
    private readonly mirror: RevocationMirror,
  ) {}

  /** Refuses the token `jti` until `expiresAt` (ms). */
  async denyToken(jti: string, expiresAt: number): Promise<void> {
    const ttl = expiresAt + AFTER_EXPIRY_MS - this.clock.now();
    if (ttl <= 0) return;
    await this.record({ k: 't', id: jti, until: this.clock.now() + ttl }, () => this.store.set(this.tokenKey(jti), '1', ttl));
  }

  /** Refuses every access token of the grant `sid` issued so far (each lives at most `accessTtlMs`). */
  async denyGrant(sid: string, accessTtlMs: number): Promise<void> {
    const ttl = accessTtlMs + AFTER_EXPIRY_MS;
    await this.record({ k: 'g', id: sid, until: this.clock.now() + ttl }, () => this.store.set(this.grantKey(sid), '1', ttl));
  }

  /**
   * Refuses every token of `userId` issued so far, for `ttlMs` (the longest any of them can live).
   * Returns the revocation time: `at`, or just after the previous one when that is not earlier,
   * so revocations of one user are strictly ordered (sign-ins in between start after the first,
   * and the second ends them).
   */
  async denyUser(userId: string, at: number, ttlMs: number): Promise<number> {
    const key = this.userKey(userId);
    const sequence = this.mirror.propagates ? await this.mirror.nextSequence() : undefined;
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.store.get(key);
      const previous = parseTime(current);
      const time = previous !== undefined && previous >= at ? previous + 1 : at;
      if (!(await this.store.compareAndSwap(key, current, String(time), ttlMs))) continue;
      if (sequence !== undefined) await this.mirror.publish({ n: sequence, k: 'u', id: userId, at: time, until: this.clock.now() + ttlMs });
      return time;
    }
    throw new StoreUnavailableError('nest-warden: could not record the revocation (too much contention)');
  }

  /** When all of the user's tokens were last revoked (ms), if within the longest token lifetime. */
  async userRevokedAt(userId: string): Promise<number | undefined> {
    return parseTime(await this.store.get(this.userKey(userId)));
  }

  /**
   * One look-up for a presented token: whether its `jti` or its grant (`sid`) was revoked, and
   * when all tokens of its subject were. Rejects with `StoreUnavailableError` when the store
   * cannot answer.
   */
  async lookup(jti: unknown, sid: unknown, sub: unknown, iat?: unknown): Promise<{ denied: boolean; userRevokedAt: number | undefined }> {
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_ID_LENGTH) return { denied: true, userRevokedAt: undefined };
    const grant = typeof sid === 'string' && sid.length > 0 && sid.length <= MAX_ID_LENGTH ? sid : undefined;
    const local = this.mirror.answer(jti, grant, sub, iat);
    if (local !== undefined) return local;
    const [token, family, user] = await Promise.all([
      this.store.get(this.tokenKey(jti)),
      grant ? this.store.get(this.grantKey(grant)) : Promise.resolve(null),
      typeof sub === 'string' ? this.store.get(this.userKey(sub)) : Promise.resolve(null),
    ]);
    return { denied: token !== null || family !== null, userRevokedAt: parseTime(user) };
  }

  /**
   * Writes a revocation; with a publishing store, takes its sequence number first and publishes it
   * after, so that an instance which misses the message sees the gap and asks the store.
   */
  private async record(message: Omit<RevocationMessage, 'n'>, write: () => Promise<void>): Promise<void> {
    const sequence = this.mirror.propagates ? await this.mirror.nextSequence() : undefined;
    await write();
    if (sequence !== undefined) await this.mirror.publish({ ...message, n: sequence });
  }

  private tokenKey(jti: string): string {
    return `tokens:deny:jti:${jti}`;
  }

  private grantKey(sid: string): string {
    return `tokens:deny:sid:{${sid}}`;
  }

  /** User ids are the app's: hashed, so any id makes a short key of safe characters. */
  private userKey(userId: string): string {
    return `tokens:deny:user:${createHash('sha256').update(userId, 'utf8').digest('base64url').slice(0, 32)}`;
  }
}

function parseTime(value: string | null): number | undefined {
  if (value === null) return undefined;
  const time = Number(value);
  return Number.isFinite(time) ? time : undefined;
}
