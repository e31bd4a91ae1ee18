/**
 * The one state contract behind refresh tokens, revocations, sessions, lockouts and keys.
 * Values are strings (callers serialize); every key has a TTL, so nothing lives forever.
 * Implementations must make `increment`, `setIfAbsent` and `compareAndSwap` atomic across every
 * instance that shares the store. A store that cannot be reached rejects with `StoreUnavailableError`.
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
}

/** The store could not be reached; callers fail closed (the guard answers 503). */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
