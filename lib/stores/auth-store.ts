/**
 * The one state contract behind refresh tokens, revocations, sessions, lockouts and keys.
 * Values are strings (callers serialize); every key has a TTL, so nothing lives forever.
 * Implementations must make `increment`, `setIfAbsent` and `compareAndSwap` atomic across every
 * instance that shares the store. A store that cannot be reached rejects with `StoreUnavailableError`.
 *
 * Every operation touches exactly one key. That keeps each of them atomic on one Redis Cluster
 * slot; a multi-key operation added later must wrap the part its keys share in a hash tag
 * (`rt:{family}:current`, `rt:{family}:revoked`) so that they land on the same slot.
 *
 * TTLs are milliseconds, positive and finite; fractions are rounded up (see `normalizeTtl`).
 */
export abstract class AuthStore {
  abstract get(key: string): Promise<string | null>;
  abstract set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent; `true` when it was set (single-use markers, replay guards). */
  abstract setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** `true` when a key was deleted. */
  abstract delete(key: string): Promise<boolean>;
  /** Adds 1 and returns the new count; the TTL starts when the counter is created. */
  abstract increment(key: string, ttlMs: number): Promise<number>;
  /**
   * Replaces the value only if it currently equals `expected` (`null`: the key is absent);
   * `next === null` deletes. `true` when the swap happened. Used for refresh-token rotation.
   */
  abstract compareAndSwap(key: string, expected: string | null, next: string | null, ttlMs: number): Promise<boolean>;
  /** Milliseconds until the key expires, or `null` when it does not exist. */
  abstract ttl(key: string): Promise<number | null>;

  /**
   * Optional: sends `message` to every subscriber of `channel` on every instance sharing the store
   * (Redis `PUBLISH`). Stores shared across processes implement it together with `subscribe`, so
   * that instances can keep local copies of state (the access-token deny list) instead of asking
   * the store on every request. Rejects with `StoreUnavailableError` when it cannot be sent.
   */
  publish?(channel: string, message: string): Promise<void>;

  /**
   * Optional: delivers every message published on `channel` from now on to `subscriber`, until the
   * returned subscription is closed. At most once: when the channel may have lost messages (a
   * dropped connection), the store calls `subscriber.interrupted()`. Resolves to `undefined` when
   * this store instance cannot subscribe (for example a client without `duplicate()`).
   */
  subscribe?(channel: string, subscriber: StoreSubscriber): Promise<StoreSubscription | undefined>;

  /**
   * Releases what the store opened itself (a Redis connection it created from a URL); connections
   * passed in stay open. Idempotent. Nest calls it on shutdown through `onApplicationShutdown`
   * when the store implements that hook; the default does nothing.
   */
  async close(): Promise<void> {}
}

/** Receives the messages of one channel (`AuthStore.subscribe`). */
export interface StoreSubscriber {
  message(message: string): void;
  /** Messages may have been lost from now until the subscriber sees a message it sent itself. */
  interrupted(): void;
}

/** An open subscription (`AuthStore.subscribe`). */
export interface StoreSubscription {
  /** Stops the deliveries and releases the connection they came on. Idempotent. */
  close(): Promise<void>;
}

/** The store could not be reached; callers fail closed (the guard answers 503). */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'store_unavailable';
}

/**
 * Validates a TTL: positive and finite, rounded up to whole milliseconds. A missing or zero TTL
 * is a programming error (a key that never expires), so it throws `RangeError` at once.
 */
export function normalizeTtl(ttlMs: number): number {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`AuthStore: ttlMs must be a positive, finite number of milliseconds, got ${String(ttlMs)}`);
  }
  return Math.ceil(ttlMs);
}
