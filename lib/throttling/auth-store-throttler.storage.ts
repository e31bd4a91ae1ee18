import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { AuthStore } from '../stores/auth-store.js';

/**
 * Every key this storage writes starts with it; `MemoryStore` keeps them in a protected namespace
 * of their own (see `DEFAULT_PROTECTED_NAMESPACES`), so rate-limit counters can neither evict
 * sessions, lockouts and revocations nor grow past their share of the store.
 */
export const THROTTLER_KEY_PREFIX = 'throttle:';

/** What `ThrottlerStorage.increment` answers (`@nestjs/throttler`'s `ThrottlerStorageRecord`). */
export interface ThrottlerStorageRecord {
  readonly totalHits: number;
  /** Seconds until the counting window ends. */
  readonly timeToExpire: number;
  readonly isBlocked: boolean;
  /** Seconds until the block ends (0 when not blocked): throttler's `Retry-After`. */
  readonly timeToBlockExpire: number;
}

/**
 * `@nestjs/throttler`'s storage on nest-warden's `AuthStore`, so a limit holds in total across every
 * instance that shares the store (`RedisStore`, or a store of your own), and within the bound of
 * `MemoryStore` in a single process. `PrincipalThrottlerGuard` uses it by default; give it to
 * `ThrottlerModule` yourself for throttler's own guard:
 * `ThrottlerModule.forRootAsync({ inject: [AuthStore], useFactory: (store: AuthStore) => ({ throttlers, storage: new AuthStoreThrottlerStorage(store) }) })`.
 *
 * One budget is a fixed window: a counter created with the window's TTL (`AuthStore.increment`,
 * atomic on every store), so of any number of parallel requests from any number of instances at
 * most `limit` are let through per window. The request that goes over the limit starts a block of
 * `blockDuration` (throttler's default: the window's `ttl`), and at least until the window ends:
 * blocked requests answer 429 at once. Each budget writes two keys, a counter and a block marker,
 * under one Redis Cluster hash tag (one slot), with bounded names (a SHA-256 of throttler's key and
 * the throttler's name), each with a TTL. Every call is three single-key operations issued together
 * (one round trip with a pipelining client).
 *
 * A store that cannot be reached rejects with `StoreUnavailableError`; `PrincipalThrottlerGuard`
 * answers 503 with `Retry-After` then (fail closed).
 */
@Injectable()
export class AuthStoreThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly store: AuthStore) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const windowMs = positiveMs(ttl, 'ttl');
    const tag = createHash('sha256').update(`${throttlerName}\n${key}`, 'utf8').digest('base64url');
    const hitsKey = `${THROTTLER_KEY_PREFIX}{${tag}}:hits`;
    const blockKey = `${THROTTLER_KEY_PREFIX}{${tag}}:block`;
    // Issued together: a blocked request counts one more hit in a window that ends before its block
    // does, which changes nothing; in exchange an allowed request costs one round trip, not two.
    const [blockedMs, totalHits, leftMs] = await Promise.all([
      blockDuration > 0 ? this.store.ttl(blockKey) : Promise.resolve(null),
      this.store.increment(hitsKey, windowMs),
      this.store.ttl(hitsKey),
    ]);
    // `null` when a store answered `ttl` before the counter existed: the window just started.
    const windowLeftMs = leftMs !== null && Number.isFinite(leftMs) && leftMs > 0 ? leftMs : windowMs;
    const timeToExpire = seconds(windowLeftMs);
    if (blockedMs !== null) {
      return { totalHits, timeToExpire, isBlocked: true, timeToBlockExpire: seconds(finiteOr(blockedMs, windowLeftMs)) };
    }
    if (totalHits <= limit) return { totalHits, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
    if (!(blockDuration > 0)) return { totalHits, timeToExpire, isBlocked: true, timeToBlockExpire: timeToExpire };
    // Past the limit: the count stays over it until the window ends, so the block lasts at least that long.
    const blockMs = Math.max(blockDuration, windowLeftMs);
    const started = await this.store.setIfAbsent(blockKey, '1', blockMs);
    const timeToBlockExpire = started ? seconds(blockMs) : seconds(finiteOr(await this.store.ttl(blockKey), blockMs));
    return { totalHits, timeToExpire, isBlocked: true, timeToBlockExpire };
  }
}

function positiveMs(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`AuthStoreThrottlerStorage: ${name} must be a positive, finite number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** `value` when it is a positive finite number of milliseconds, else `fallback`. */
function finiteOr(value: number | null, fallback: number): number {
  return value !== null && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Whole seconds, rounded up, at least 1 (a `Retry-After: 0` would invite an immediate retry). */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
