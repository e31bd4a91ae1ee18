import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Clock } from '../../clock/clock.js';
import { AuthStore, StoreUnavailableError } from '../../stores/auth-store.js';
import { MAX_CLOCK_TOLERANCE_SECONDS } from '../../strategies/jwt/jwt.options.js';
import { TokenSettings } from '../token-settings.js';
import { decodeRecord, entries, isDenied, isId, type UserRecord } from './deny-record.js';
import { RevocationMirror } from './revocation-mirror.js';

/**
 * How long an entry outlives the `exp` of what it refuses: past the largest clock tolerance any
 * verifier of ours may be configured with (`clockToleranceSeconds` is bounded at boot), so a
 * revoked token that a verifier still accepts as not yet expired is still refused.
 */
export const DENY_AFTER_EXPIRY_MS = MAX_CLOCK_TOLERANCE_SECONDS * 1000 + 5_000;
/**
 * Token and grant entries one user's record holds. A revocation beyond it is recorded at a
 * coarser grain (the grant, then every token of the user issued so far), never dropped.
 */
export const MAX_DENIED_PER_USER = 32;
const MAX_ATTEMPTS = 32;

/** What a presented token's look-up found. */
export interface DenyListLookup {
  /** Its `jti` or its grant (`sid`) was revoked. */
  readonly denied: boolean;
  /** When all of its subject's tokens were last revoked (ms), if that is still relevant. */
  readonly userRevokedAt: number | undefined;
}

/**
 * Revoked access tokens, until they would have expired anyway. Every revocation is recorded under
 * its owner, the user (`sub`): one store key per user, holding the user's revoked token ids
 * (`jti`), revoked grants (`sid`, a refresh-token family, refusing every access token issued under
 * it) and the time before which all the user's tokens are revoked (`UserRevocation`: log out
 * everywhere, password reset).
 *
 * **Bounded per principal.** A user's record holds at most {@link MAX_DENIED_PER_USER} token and
 * grant entries. One more escalates instead of failing: the user's token entries of that grant
 * become one grant entry, and when that is not enough, the whole record becomes "every token of
 * the user issued until now is revoked". So a caller who revokes their own tokens by the
 * thousand fills only their own record (and may end their own sign-ins); nobody else's revocation
 * is ever refused for lack of room.
 *
 * The JWT strategy calls {@link lookup} on every request for our own tokens (one store read); a
 * store it cannot reach makes it fail closed. With a store that can publish (`RedisStore`), every
 * record written is also sent to every instance's {@link RevocationMirror}, which then answers for
 * recent tokens without a store read.
 */
@Injectable()
export class AccessTokenDenyList {
  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
    private readonly settings: TokenSettings,
    private readonly mirror: RevocationMirror,
  ) {}

  /**
   * Refuses the token `jti` of `userId` until `expiresAt` (ms, its `exp`). `grantId` (its `sid`)
   * lets a user's record that is full escalate to the grant before the user.
   */
  async denyToken(userId: string, jti: string, expiresAt: number, grantId?: string): Promise<void> {
    const until = expiresAt + DENY_AFTER_EXPIRY_MS;
    if (until <= this.clock.now()) return;
    await this.update(userId, (record, now) => {
      if (grantId !== undefined && Object.hasOwn(record.sid, grantId)) {
        // Already refused through its grant: the grant entry now lasts as long as this token would.
        record.sid[grantId] = Math.max(record.sid[grantId], until);
        return;
      }
      record.jti[jti] = Math.max(record.jti[jti] ?? 0, until);
      if (grantId !== undefined) record.of[jti] = grantId;
      if (entries(record) > MAX_DENIED_PER_USER && grantId !== undefined) this.toGrant(record, grantId, now);
    });
  }

  /** Refuses every access token of the grant `sid` of `userId` issued so far (each lives at most `accessTtlMs`). */
  async denyGrant(userId: string, sid: string, accessTtlMs: number): Promise<void> {
    await this.update(userId, (record, now) => {
      record.sid[sid] = Math.max(record.sid[sid] ?? 0, now + accessTtlMs + DENY_AFTER_EXPIRY_MS);
      this.toGrant(record, sid, now);
    });
  }

  /**
   * Refuses every token of `userId` issued so far, for `ttlMs` (the longest any of them can live;
   * default: the token service's longest lifetime). Returns the revocation time: `at`, or just
   * after the previous one when that is not earlier, so revocations of one user are strictly
   * ordered (sign-ins in between start after the first, and the second ends them).
   */
  async denyUser(userId: string, at: number, ttlMs: number = this.userTtlMs()): Promise<number> {
    let time = at;
    await this.update(userId, (record, now) => {
      time = record.before !== undefined && record.before >= at ? record.before + 1 : at;
      record.before = time;
      record.beforeUntil = Math.max(record.beforeUntil ?? 0, now + ttlMs);
    });
    return time;
  }

  /** When all of the user's tokens were last revoked (ms), if within the longest token lifetime. */
  async userRevokedAt(userId: string): Promise<number | undefined> {
    return decodeRecord(await this.store.get(keyOf(userId)), this.clock.now()).before;
  }

  /**
   * One look-up (one store read) for a presented token: whether its `jti` or its grant (`sid`) was
   * revoked, and when all tokens of its subject were. Rejects with `StoreUnavailableError` when the
   * store cannot answer.
   */
  async lookup(jti: unknown, sid: unknown, sub: unknown, iat?: unknown): Promise<DenyListLookup> {
    if (!isId(jti) || typeof sub !== 'string') return { denied: true, userRevokedAt: undefined };
    const local = this.mirror.answer(jti, isId(sid) ? sid : undefined, sub, iat);
    if (local !== undefined) return local;
    const raw = await this.store.get(keyOf(sub));
    if (raw === null) return { denied: false, userRevokedAt: undefined };
    const record = decodeRecord(raw, this.clock.now());
    return { denied: isDenied(record, jti, isId(sid) ? sid : undefined), userRevokedAt: record.before };
  }

  /**
   * Applies `change` to the user's record with a compare-and-swap (expired entries dropped first).
   * A record over its bound after the change collapses into "every token issued until now".
   */
  private async update(userId: string, change: (record: UserRecord, now: number) => void): Promise<void> {
    const key = keyOf(userId);
    // With a publishing store: the revocation's number first, so that a lost message shows as a gap.
    const sequence = this.mirror.propagates ? await this.mirror.nextSequence() : undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await this.store.get(key);
      const now = this.clock.now();
      const record = decodeRecord(raw, now);
      change(record, now);
      if (entries(record) > MAX_DENIED_PER_USER) this.collapse(record, now);
      const until = Math.max(record.beforeUntil ?? 0, ...Object.values(record.jti), ...Object.values(record.sid));
      const encoded = JSON.stringify(record);
      if (until > now && !(await this.store.compareAndSwap(key, raw, encoded, until - now))) continue;
      if (sequence !== undefined) await this.mirror.publish({ n: sequence, id: userId, record: encoded });
      return;
    }
    throw new StoreUnavailableError('nest-warden: could not record the revocation (too much contention)');
  }

  /**
   * The grant's token entries become one grant entry, which refuses every token of the grant
   * issued so far (each lives at most the access-token lifetime) and lasts as long as the longest
   * of them would have.
   */
  private toGrant(record: UserRecord, sid: string, now: number): void {
    let until = Math.max(record.sid[sid] ?? 0, now + this.settings.accessTtlMs + DENY_AFTER_EXPIRY_MS);
    for (const [jti, grant] of Object.entries(record.of)) {
      if (grant !== sid) continue;
      until = Math.max(until, record.jti[jti] ?? 0);
      delete record.jti[jti];
      delete record.of[jti];
    }
    record.sid[sid] = until;
  }

  /**
   * The coarsest grain: every token of the user issued until now. It covers every token and grant
   * entry (their tokens were all issued before now; their refresh families are refused by the
   * same time), so they are dropped.
   */
  private collapse(record: UserRecord, now: number): void {
    const previous = record.before;
    record.before = previous !== undefined && previous >= now ? previous + 1 : now;
    record.beforeUntil = Math.max(record.beforeUntil ?? 0, now + this.userTtlMs(), ...Object.values(record.jti), ...Object.values(record.sid));
    record.jti = Object.create(null) as Record<string, number>;
    record.sid = Object.create(null) as Record<string, number>;
    record.of = Object.create(null) as Record<string, string>;
  }

  /** How long "every token until now" must be remembered: the longest a token or a refresh family lives. */
  private userTtlMs(): number {
    return Math.max(this.settings.refreshMaxLifetimeMs, this.settings.accessTtlMs) + DENY_AFTER_EXPIRY_MS;
  }
}

/** User ids are the app's: hashed, so any id makes a short key of safe characters. */
export function keyOf(userId: string): string {
  return `tokens:deny:user:${createHash('sha256').update(userId, 'utf8').digest('base64url').slice(0, 32)}`;
}

