import { FakeClock } from '../testing/index.js';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { LoginThrottle } from '../login/login-throttle.js';
import { LoginThrottleSettings } from '../login/login-throttle-settings.js';
import { StoreUnavailableError } from './auth-store.js';
import { MemoryStore } from './memory.store.js';

const MINUTE = 60_000;

describe('MemoryStore bound', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock();
  });

  it('never holds more than maxEntries, whatever is written', async () => {
    const store = new MemoryStore(clock, { maxEntries: 1000 });
    let largest = 0;
    for (let i = 0; i < 20_000; i++) {
      if (i % 3 === 0) await store.increment(`login:fail:acct:${i}`, 15 * MINUTE);
      else if (i % 3 === 1) await store.set(`session:${i}`, 'x', MINUTE);
      else await store.set(`login:lock:acct:${i}`, '1', MINUTE);
      largest = Math.max(largest, store.size);
    }
    expect(largest).toBeLessThanOrEqual(1000);
  });

  it('keeps every live lockout through a flood of 100x its size in counters and other keys', async () => {
    const store = new MemoryStore(clock, { maxEntries: 1000 });
    for (let i = 0; i < 50; i++) await store.set(`login:lock:acct:victim-${i}`, '1', 15 * MINUTE);
    for (let i = 0; i < 100_000; i++) {
      await store.increment(`login:fail:acct:flood-${i}`, 15 * MINUTE);
      if (i % 10 === 0) await store.set(`session:flood-${i}`, 'x', 15 * MINUTE);
    }
    expect(store.size).toBeLessThanOrEqual(1000);
    for (let i = 0; i < 50; i++) expect(await store.ttl(`login:lock:acct:victim-${i}`)).toBe(15 * MINUTE);
  });

  it('evicts counters hit once (flood-shaped) before counters hit repeatedly', async () => {
    const store = new MemoryStore(clock, { maxEntries: 1000 });
    for (let i = 0; i < 4; i++) await store.increment('login:fail:acct:targeted', 15 * MINUTE);
    for (let i = 0; i < 10_000; i++) await store.increment(`login:fail:acct:flood-${i}`, 15 * MINUTE);
    expect(await store.get('login:fail:acct:targeted')).toBe('4');
  });

  it('among other entries, evicts the least recently written first', async () => {
    const store = new MemoryStore(clock, { maxEntries: 100 }); // evicts one at a time
    for (let i = 0; i < 100; i++) await store.set(`r${i}`, 'x', MINUTE);
    await store.set('r0', 'rewritten', MINUTE);
    await store.set('r100', 'x', MINUTE);
    expect(await store.get('r0')).toBe('rewritten');
    expect(await store.get('r1')).toBeNull();
    expect(await store.get('r2')).toBe('x');
  });

  it('drops expired entries before evicting live ones', async () => {
    const store = new MemoryStore(clock, { maxEntries: 100 });
    for (let i = 0; i < 50; i++) await store.set(`short-${i}`, 'x', 1000);
    for (let i = 0; i < 50; i++) await store.set(`long-${i}`, 'x', MINUTE);
    clock.advance(1000);
    for (let i = 0; i < 40; i++) await store.set(`new-${i}`, 'x', MINUTE);
    for (let i = 0; i < 50; i++) expect(await store.get(`long-${i}`)).toBe('x');
    expect(store.size).toBe(90);
  });

  it('a full lockout namespace makes room by dropping the lockout closest to its end', async () => {
    const store = new MemoryStore(clock, { maxEntries: 100, protectedNamespaces: [{ prefix: 'login:lock:', maxEntries: 3, whenFull: 'evict-soonest' }] });
    await store.set('login:lock:acct:a', '1', 3 * MINUTE);
    await store.set('login:lock:acct:b', '1', 1 * MINUTE);
    await store.set('login:lock:acct:c', '1', 2 * MINUTE);
    await store.set('login:lock:acct:d', '1', 4 * MINUTE);
    expect(await store.get('login:lock:acct:b')).toBeNull();
    for (const key of ['a', 'c', 'd']) expect(await store.get(`login:lock:acct:${key}`)).toBe('1');
  });

  it('a full "refuse" namespace rejects new keys with StoreUnavailableError and keeps what it holds', async () => {
    const store = new MemoryStore(clock, { maxEntries: 100, protectedNamespaces: [{ prefix: 'revoked:', maxEntries: 2, whenFull: 'refuse' }] });
    await store.set('revoked:a', '1', MINUTE);
    await store.set('revoked:b', '1', 2 * MINUTE);
    await expect(store.set('revoked:c', '1', MINUTE)).rejects.toThrow(new StoreUnavailableError('MemoryStore: protected namespace "revoked:" is full (2 live entries)'));
    await expect(store.setIfAbsent('revoked:c', '1', MINUTE)).rejects.toThrow(StoreUnavailableError);
    expect(await store.get('revoked:c')).toBeNull();
    await store.set('revoked:a', '2', MINUTE); // replacing a key needs no room
    expect(await store.get('revoked:a')).toBe('2');
    clock.advance(MINUTE); // revoked:a expires: room again
    await store.set('revoked:c', '1', MINUTE);
    expect(await store.get('revoked:b')).toBe('1');
    expect(await store.get('revoked:c')).toBe('1');
  });

  it('protected entries count towards maxEntries but only their own namespace can evict them', async () => {
    const store = new MemoryStore(clock, { maxEntries: 10, protectedNamespaces: [{ prefix: 'p:', maxEntries: 4, whenFull: 'evict-soonest' }] });
    for (let i = 0; i < 4; i++) await store.set(`p:${i}`, 'x', MINUTE);
    for (let i = 0; i < 50; i++) await store.set(`other-${i}`, 'x', MINUTE);
    expect(store.size).toBeLessThanOrEqual(10);
    for (let i = 0; i < 4; i++) expect(await store.get(`p:${i}`)).toBe('x');
  });

  it('close() empties the store', async () => {
    const store = new MemoryStore(clock);
    await store.set('a', 'x', MINUTE);
    await store.set('login:lock:acct:a', '1', MINUTE);
    await store.close();
    expect(store.size).toBe(0);
  });

  it('refuses configurations that cannot hold their bound', () => {
    expect(() => new MemoryStore(clock, { maxEntries: 1 })).toThrow(AuthConfigurationError);
    expect(() => new MemoryStore(clock, { maxEntries: Number.NaN })).toThrow(/maxEntries must be an integer/);
    expect(
      () => new MemoryStore(clock, { maxEntries: 10, protectedNamespaces: [{ prefix: 'a:', maxEntries: 5, whenFull: 'refuse' }, { prefix: 'b:', maxEntries: 5, whenFull: 'refuse' }] }),
    ).toThrow(/reserve 10 entries of 10/);
    expect(() => new MemoryStore(clock, { protectedNamespaces: [{ prefix: '', whenFull: 'refuse' }] })).toThrow(/empty prefix/);
    expect(() => new MemoryStore(clock, { protectedNamespaces: [{ prefix: 'a:', maxEntries: 0, whenFull: 'refuse' }] })).toThrow(/maxEntries 0/);
    expect(
      () => new MemoryStore(clock, { protectedNamespaces: [{ prefix: 'a:', whenFull: 'drop' as 'refuse' }] }),
    ).toThrow(/whenFull "drop"/);
    expect(() => new MemoryStore(clock, { protectedNamespaces: [{ prefix: 'a:', share: 1, whenFull: 'refuse' }] })).toThrow(/share 1/);
  });

  it('protects lockouts and single-use second-factor markers by default, each within its share', async () => {
    const store = new MemoryStore(clock, { maxEntries: 1000 });
    for (let i = 0; i < 50; i++) await store.set(`mfa:totp-used:${i}`, '1', MINUTE);
    for (let i = 0; i < 10; i++) await store.set(`mfa:recovery-used:${i}`, '1', MINUTE);
    for (let i = 0; i < 50; i++) await store.set(`mfa:lock:${i}`, '1', MINUTE);
    // Markers overflow their reservation instead of refusing (issue 18: one user's flood never refuses another's write).
    await store.set('mfa:totp-used:one-more', '1', MINUTE);
    await store.set('mfa:recovery-used:one-more', '1', MINUTE);
    for (let i = 0; i < 10_000; i++) await store.increment(`mfa:fail:${i}`, MINUTE);
    for (let i = 0; i < 50; i++) expect(await store.get(`mfa:totp-used:${i}`)).toBe('1');
    for (let i = 0; i < 10; i++) expect(await store.get(`mfa:recovery-used:${i}`)).toBe('1');
    expect(await store.get('mfa:totp-used:one-more')).toBe('1');
    expect(await store.get('mfa:recovery-used:one-more')).toBe('1');
    for (let i = 0; i < 50; i++) expect(await store.get(`mfa:lock:${i}`)).toBe('1');
  });

  it('an "overflow" namespace grows past its reservation into unprotected room, never evicting its own, and refuses only when nothing unprotected is left', async () => {
    const store = new MemoryStore(clock, { maxEntries: 100, protectedNamespaces: [{ prefix: 'deny:', maxEntries: 10, whenFull: 'overflow' }] });
    for (let i = 0; i < 50; i++) await store.set(`other:${i}`, '1', MINUTE);
    for (let i = 0; i < 100; i++) await store.set(`deny:${i}`, '1', MINUTE);
    await expect(store.set('deny:one-more', '1', MINUTE)).rejects.toThrow(/MemoryStore: full/);
    for (let i = 0; i < 100; i++) expect(await store.get(`deny:${i}`)).toBe('1');
    expect(store.size).toBeLessThanOrEqual(100);
    await expect(store.set('other:new', '1', MINUTE)).rejects.toThrow(/MemoryStore: full/);
  });
});

describe('MemoryStore under LoginThrottle: a flood of failed logins on distinct usernames', () => {
  it('neither unlocks a locked account nor resets a targeted account’s failure count', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore(clock, { maxEntries: 1000 });
    const throttle = new LoginThrottle(store, new LoginThrottleSettings());
    for (let i = 0; i < 5; i++) await throttle.recordFailure('alice', '203.0.113.1');
    for (let i = 0; i < 4; i++) await throttle.recordFailure('bob', '203.0.113.2');
    await expect(throttle.assertAllowed('alice', '198.51.100.9')).rejects.toThrow(AuthError);

    for (let i = 0; i < 20_000; i++) await throttle.recordFailure(`user-${i}`, `2001:db8:${(i >> 16) & 0xffff}:${i & 0xffff}::1`);

    expect(store.size).toBeLessThanOrEqual(1000);
    await expect(throttle.assertAllowed('alice', '198.51.100.9')).rejects.toMatchObject({ code: 'locked' });
    await throttle.assertAllowed('bob', '198.51.100.9');
    expect(await throttle.recordFailure('bob', '198.51.100.9')).toBeGreaterThan(0); // the 5th failure locks bob
    await expect(throttle.assertAllowed('bob', '198.51.100.9')).rejects.toMatchObject({ code: 'locked' });
  });
});
