import { Clock } from '../clock/clock.js';
import { MemoryStore } from '../stores/memory.store.js';
import { AuthStoreThrottlerStorage } from './auth-store-throttler.storage.js';

const MINUTE = 60_000;

class TestClock extends Clock {
  current = Date.UTC(2026, 0, 1);
  now(): number {
    return this.current;
  }
}

/** A real MemoryStore that remembers which keys it was asked to write. */
class KeyRecordingStore extends MemoryStore {
  readonly written = new Set<string>();
  override increment(key: string, ttlMs: number) {
    this.written.add(key);
    return super.increment(key, ttlMs);
  }
  override setIfAbsent(key: string, value: string, ttlMs: number) {
    this.written.add(key);
    return super.setIfAbsent(key, value, ttlMs);
  }
}

describe('AuthStoreThrottlerStorage on MemoryStore', () => {
  let clock: TestClock;
  let store: KeyRecordingStore;
  let storage: AuthStoreThrottlerStorage;
  beforeEach(() => {
    clock = new TestClock();
    store = new KeyRecordingStore(clock, { maxEntries: 1000 });
    storage = new AuthStoreThrottlerStorage(store);
  });
  const hit = (key = 'k', limit = 3, blockDuration = MINUTE, ttl = MINUTE, name = 'default') =>
    storage.increment(key, ttl, limit, blockDuration, name);

  it('counts up to the limit, then blocks for blockDuration; blocked requests do not extend the block', async () => {
    for (let i = 1; i <= 3; i++) {
      expect(await hit()).toEqual({ totalHits: i, timeToExpire: 61 - i, isBlocked: false, timeToBlockExpire: 0 });
      clock.current += 1000;
    }
    expect(await hit()).toEqual({ totalHits: 4, timeToExpire: 57, isBlocked: true, timeToBlockExpire: 60 });
    clock.current += 30_000;
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
    clock.current += 30_000;
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('starts a new window once the old one ended', async () => {
    await hit();
    await hit();
    clock.current += MINUTE;
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('blocks for a longer blockDuration past the end of the window', async () => {
    for (let i = 0; i < 3; i++) await hit('k', 3, 10 * MINUTE);
    expect(await hit('k', 3, 10 * MINUTE)).toMatchObject({ isBlocked: true, timeToBlockExpire: 600 });
    clock.current += 5 * MINUTE;
    expect(await hit('k', 3, 10 * MINUTE)).toMatchObject({ isBlocked: true, timeToBlockExpire: 300 });
    clock.current += 5 * MINUTE;
    expect(await hit('k', 3, 10 * MINUTE)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('blocks at least until the window ends when blockDuration is shorter', async () => {
    for (let i = 0; i < 3; i++) await hit('k', 3, 1000);
    expect(await hit('k', 3, 1000)).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
    clock.current += 2000;
    expect(await hit('k', 3, 1000)).toMatchObject({ isBlocked: true, timeToBlockExpire: 58 });
  });

  it('without a block (blockDuration 0) refuses while over the limit, until the window ends', async () => {
    for (let i = 0; i < 3; i++) await hit('k', 3, 0);
    clock.current += 20_000;
    expect(await hit('k', 3, 0)).toEqual({ totalHits: 4, timeToExpire: 40, isBlocked: true, timeToBlockExpire: 40 });
    clock.current += 40_000;
    expect(await hit('k', 3, 0)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps budgets apart per key and per throttler name', async () => {
    for (let i = 0; i < 4; i++) await hit('a', 3);
    expect(await hit('a', 3)).toMatchObject({ isBlocked: true });
    expect(await hit('b', 3)).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await hit('a', 3, MINUTE, MINUTE, 'burst')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('lets exactly the limit through of a parallel burst', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => hit('k', 20)));
    expect(results.filter((result) => !result.isBlocked)).toHaveLength(20);
  });

  it('writes short namespaced keys, two per budget under one hash tag, whatever the key and name', async () => {
    await hit('x'.repeat(10_000), 0, MINUTE, MINUTE, 'a name with {braces} and spaces');
    const keys = [...store.written];
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).toMatch(/^throttle:\{[A-Za-z0-9_-]{43}\}:(hits|block)$/);
    expect(new Set(keys.map((key) => key.slice(0, key.indexOf('}'))))).toHaveProperty('size', 1);
  });

  it('keeps budgets in their own bounded namespace: a flood of callers evicts no session or lockout', async () => {
    await store.set('session:s-1', '{"uid":"alice"}', 30 * MINUTE);
    await store.set('login:lock:acct:alice', '1', MINUTE);
    for (let i = 0; i < 5000; i++) await hit(`address:203.0.113.${i}`, 100);
    expect(store.size).toBeLessThanOrEqual(1000);
    expect(await store.get('session:s-1')).toBe('{"uid":"alice"}');
    expect(await store.get('login:lock:acct:alice')).toBe('1');
  });

  it('refuses a window that is not a positive number of milliseconds', async () => {
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(hit('k', 3, MINUTE, ttl)).rejects.toThrow(RangeError);
    }
  });
});
