import type { JWK } from 'jose';
import type { Principal } from '../../principal/principal.js';
import { type FetchedKeySet, KeyStamps } from './key-stamps.js';
import { createVerifiedTokenCache, deepFreeze, VerifiedTokenCache } from './verified-token-cache.js';

const T0 = Date.UTC(2026, 0, 1);
const EXP = T0 / 1000 + 60;
const principal = (id: string): Principal => deepFreeze({ id, roles: [], scopes: [], permissions: [], strategy: 'jwt' });

function fixedKeys() {
  const stamps = new KeyStamps();
  const key = stamps.fixed({});
  return { stamps, stamp: stamps.stampOf(key)! };
}

describe('VerifiedTokenCache', () => {
  it('answers a stored token until exp, with jose semantics for the tolerance (exp <= now - tolerance is expired)', () => {
    const { stamps, stamp } = fixedKeys();
    const cache = new VerifiedTokenCache(10, 5, stamps);
    cache.set('t', { exp: EXP }, principal('a'), stamp);
    expect(cache.get('t', T0)?.id).toBe('a');
    expect(cache.get('t', (EXP + 4) * 1000 + 999)?.id).toBe('a'); // jose still accepts: now = EXP + 4
    expect(cache.get('t', (EXP + 5) * 1000)).toBeUndefined(); // jose: EXP <= (EXP + 5) - 5 → expired
    expect(cache.has('t')).toBe(false); // dropped, not just skipped
  });

  it('with tolerance 0, drops the token at its exp second', () => {
    const { stamps, stamp } = fixedKeys();
    const cache = new VerifiedTokenCache(10, 0, stamps);
    cache.set('t', { exp: EXP }, principal('a'), stamp);
    expect(cache.get('t', EXP * 1000 - 1)?.id).toBe('a');
    expect(cache.get('t', EXP * 1000)).toBeUndefined();
  });

  it('refuses a token whose nbf is ahead of a clock that went back', () => {
    const { stamps, stamp } = fixedKeys();
    const cache = new VerifiedTokenCache(10, 5, stamps);
    cache.set('t', { exp: EXP, nbf: T0 / 1000 }, principal('a'), stamp);
    expect(cache.get('t', T0)?.id).toBe('a');
    expect(cache.get('t', T0 - 5_000)?.id).toBe('a'); // nbf > now + 5? no
    expect(cache.get('t', T0 - 6_000)).toBeUndefined();
  });

  it('does not store what it cannot expire (no numeric exp, odd nbf)', () => {
    const { stamps, stamp } = fixedKeys();
    const cache = new VerifiedTokenCache(10, 5, stamps);
    cache.set('a', {}, principal('a'), stamp);
    cache.set('b', { exp: String(EXP) }, principal('b'), stamp);
    cache.set('c', { exp: EXP, nbf: 'soon' }, principal('c'), stamp);
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const { stamps, stamp } = fixedKeys();
    const cache = new VerifiedTokenCache(2, 5, stamps);
    cache.set('a', { exp: EXP }, principal('a'), stamp);
    cache.set('b', { exp: EXP }, principal('b'), stamp);
    cache.get('a', T0); // a is now the most recent
    cache.set('c', { exp: EXP }, principal('c'), stamp);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.size).toBe(2);
  });

  it('keeps a hot token through a stream of new ones (LRU, reordered only once it drifts to the older half)', () => {
    const { stamps, stamp } = fixedKeys();
    const cache = new VerifiedTokenCache(8, 5, stamps);
    cache.set('hot', { exp: EXP }, principal('hot'), stamp);
    for (let i = 0; i < 100; i++) {
      cache.set(`cold-${i}`, { exp: EXP }, principal(`${i}`), stamp);
      expect(cache.get('hot', T0)?.id).toBe('hot');
    }
    expect(cache.size).toBe(8);
    expect(cache.has('cold-92')).toBe(false); // hot + the 7 newest
    expect(cache.has('cold-93')).toBe(true);
  });

  it('evicts in order under churn: moves, expiries in the middle, and a long stream of new tokens', () => {
    const { stamps, stamp } = fixedKeys();
    const cache = new VerifiedTokenCache(4, 0, stamps);
    for (const t of ['a', 'b', 'c', 'd']) cache.set(t, { exp: t === 'b' ? EXP - 30 : EXP }, principal(t), stamp);
    expect(cache.get('b', (EXP - 30) * 1000)).toBeUndefined(); // expired: removed from the middle
    cache.get('a', T0); // a: the oldest, moved to the recent end
    for (let i = 0; i < 1000; i++) cache.set(`n${i}`, { exp: EXP }, principal(`n${i}`), stamp);
    expect(cache.size).toBe(4);
    expect(['n996', 'n997', 'n998', 'n999'].every((t) => cache.has(t))).toBe(true);
  });

  it('bounds the token text too (2 KiB per entry on average), whatever the tokens weigh', () => {
    const { stamps, stamp } = fixedKeys();
    const cache = new VerifiedTokenCache(4, 5, stamps); // 8 KiB of token text
    for (let i = 0; i < 4; i++) cache.set(`${i}`.padEnd(3000, 'x'), { exp: EXP }, principal(`${i}`), stamp);
    expect(cache.size).toBe(2); // 2 × 3000 fits in 8192, 3 × 3000 does not
    cache.set('y'.repeat(9000), { exp: EXP }, principal('huge'), stamp);
    expect(cache.has('y'.repeat(9000))).toBe(false); // larger than the whole budget: never stored
    expect(cache.size).toBe(2);
  });

  it('replaces an entry stored twice without counting it twice', () => {
    const { stamps, stamp } = fixedKeys();
    const cache = new VerifiedTokenCache(2, 5, stamps);
    cache.set('a', { exp: EXP }, principal('a1'), stamp);
    cache.set('a', { exp: EXP }, principal('a2'), stamp);
    cache.set('b', { exp: EXP }, principal('b'), stamp);
    expect(cache.size).toBe(2);
    expect(cache.get('a', T0)?.id).toBe('a2');
  });
});

describe('KeyStamps', () => {
  /** A stand-in for jose's createRemoteJWKSet: its freshness, and the cache object each fetch writes a new set into. */
  class RemoteSet {
    fresh = true;
    readonly fetched: FetchedKeySet = {};
    set keys(keys: JWK[]) {
      this.fetched.jwks = { keys: structuredClone(keys) };
      this.fetched.uat = Date.now();
    }
  }
  const jwk = (kid: string, x: string): JWK => ({ kty: 'OKP', crv: 'Ed25519', x, kid });

  it('keeps a remote key current while its kid keeps the same key material and the set is fresh', () => {
    const remote = new RemoteSet();
    remote.keys = [jwk('k1', 'AAAA'), jwk('k2', 'BBBB')];
    const stamps = new KeyStamps();
    stamps.watch(remote, remote.fetched);
    const k1 = stamps.fromRemote({}, { alg: 'EdDSA', kid: 'k1' });
    const stamp = stamps.stampOf(k1)!;
    expect(stamps.isCurrent(stamp, T0)).toBe(true);

    remote.keys = [jwk('k1', 'AAAA'), jwk('k3', 'CCCC')]; // k2 went, k1 stayed
    stamps.refresh();
    expect(stamps.isCurrent(stamp, T0)).toBe(true);

    remote.fresh = false; // past cacheMaxAge: only a full verification (which refetches) may answer
    expect(stamps.isCurrent(stamp, T0)).toBe(false);
    remote.fresh = true;

    remote.keys = [jwk('k1', 'DDDD')]; // same kid, other key
    stamps.refresh();
    expect(stamps.isCurrent(stamp, T0)).toBe(false);

    remote.keys = [jwk('k3', 'CCCC')];
    stamps.refresh();
    expect(stamps.isCurrent(stamp, T0)).toBe(false);
  });

  it('a token without kid depends on the whole set', () => {
    const remote = new RemoteSet();
    remote.keys = [jwk('k1', 'AAAA')];
    const stamps = new KeyStamps();
    stamps.watch(remote, remote.fetched);
    const stamp = stamps.stampOf(stamps.fromRemote({}, { alg: 'EdDSA' }))!;
    expect(stamps.isCurrent(stamp, T0)).toBe(true);
    remote.keys = [jwk('k1', 'AAAA'), jwk('k2', 'BBBB')];
    stamps.refresh();
    expect(stamps.isCurrent(stamp, T0)).toBe(false);
  });

  it('a key trusted until a time (another instance\'s published key) stops being current then', () => {
    const stamps = new KeyStamps();
    const stamp = stamps.stampOf(stamps.until({}, T0 + 60_000))!;
    expect(stamps.isCurrent(stamp, T0 + 59_999)).toBe(true);
    expect(stamps.isCurrent(stamp, T0 + 60_000)).toBe(false);
    const cache = new VerifiedTokenCache(10, 5, stamps);
    cache.set('t', { exp: EXP + 3600 }, principal('a'), stamp);
    expect(cache.get('t', T0 + 59_000)?.id).toBe('a');
    expect(cache.get('t', T0 + 60_000)).toBeUndefined();
  });

  it('knows only the keys it handed out', () => {
    const stamps = new KeyStamps();
    expect(stamps.stampOf({})).toBeUndefined();
    expect(stamps.stampOf(undefined)).toBeUndefined();
  });
});

describe('createVerifiedTokenCache', () => {
  const { stamps } = fixedKeys();

  it('is on by default, off with cacheSize 0 or with a key source that keeps no stamps', () => {
    expect(createVerifiedTokenCache({}, stamps, 'jwt')).toBeInstanceOf(VerifiedTokenCache);
    expect(createVerifiedTokenCache({ cacheSize: 0 }, stamps, 'jwt')).toBeUndefined();
    expect(createVerifiedTokenCache({}, undefined, 'jwt')).toBeUndefined();
  });

  it('refuses a cacheSize that is not a whole number, at boot', () => {
    expect(() => createVerifiedTokenCache({ cacheSize: -1 }, stamps, 'oidc')).toThrow(/oidc\.cacheSize must be a whole number/);
    expect(() => createVerifiedTokenCache({ cacheSize: 1.5 }, stamps, 'jwt')).toThrow(/jwt\.cacheSize/);
  });
});

describe('deepFreeze', () => {
  it('freezes the principal, its arrays and nested claims (shared between requests)', () => {
    const frozen = deepFreeze({ id: 'a', roles: ['x'], claims: { realm_access: { roles: ['y'] } } });
    expect(Object.isFrozen(frozen.roles)).toBe(true);
    expect(Object.isFrozen(frozen.claims.realm_access.roles)).toBe(true);
    expect(() => (frozen.roles as string[]).push('admin')).toThrow(TypeError);
  });
});
