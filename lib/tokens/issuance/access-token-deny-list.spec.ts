import { MemoryStore } from '../../stores/memory.store.js';
import { FakeClock } from '../../testing/fake-clock.js';
import { TokenSettings } from '../token-settings.js';
import { AccessTokenDenyList, DENY_AFTER_EXPIRY_MS, keyOf, MAX_DENIED_PER_USER } from './access-token-deny-list.js';
import { RevocationMirror } from './revocation-mirror.js';

const MINUTE = 60_000;

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  const store = new MemoryStore(clock);
  const settings = new TokenSettings({ issuer: 'https://auth.test', accessTokenTtlSeconds: 900 });
  return { clock, store, denyList: new AccessTokenDenyList(store, clock, settings, new RevocationMirror(store, clock, settings)) };
}

describe('AccessTokenDenyList', () => {
  it('refuses a revoked jti until exp + DENY_AFTER_EXPIRY_MS, and only that token of the user', async () => {
    const { clock, denyList } = setup();
    const exp = clock.now() + 15 * MINUTE;
    await denyList.denyToken('u1', 'jti-1', exp, 'sid-1');
    expect(await denyList.lookup('jti-1', 'sid-1', 'u1')).toEqual({ denied: true, userRevokedAt: undefined });
    expect(await denyList.lookup('jti-2', 'sid-1', 'u1')).toEqual({ denied: false, userRevokedAt: undefined });
    expect(await denyList.lookup('jti-1', 'sid-1', 'u2')).toEqual({ denied: false, userRevokedAt: undefined });
    clock.set(exp + DENY_AFTER_EXPIRY_MS - 1);
    expect((await denyList.lookup('jti-1', 'sid-1', 'u1')).denied).toBe(true);
    clock.set(exp + DENY_AFTER_EXPIRY_MS);
    expect((await denyList.lookup('jti-1', 'sid-1', 'u1')).denied).toBe(false);
  });

  it('refuses every token of a revoked grant', async () => {
    const { denyList } = setup();
    await denyList.denyGrant('u1', 'sid-1', 15 * MINUTE);
    expect((await denyList.lookup('any', 'sid-1', 'u1')).denied).toBe(true);
    expect((await denyList.lookup('any', 'sid-2', 'u1')).denied).toBe(false);
  });

  it(`escalates past ${MAX_DENIED_PER_USER} entries to "every token of the user until now", never dropping a revocation`, async () => {
    const { clock, store, denyList } = setup();
    const exp = clock.now() + 15 * MINUTE;
    for (let i = 0; i < MAX_DENIED_PER_USER; i++) await denyList.denyToken('u1', `jti-${i}`, exp, `sid-${i}`);
    expect(await denyList.userRevokedAt('u1')).toBeUndefined();
    clock.advance(1);
    await denyList.denyToken('u1', 'one-more', exp, 'sid-x');
    const at = clock.now();
    expect(await denyList.userRevokedAt('u1')).toBe(at);
    const record = JSON.parse((await store.get(keyOf('u1')))!) as { jti: object; sid: object };
    expect(Object.keys(record.jti).length + Object.keys(record.sid).length).toBeLessThanOrEqual(MAX_DENIED_PER_USER);
    // Another user's record is untouched.
    expect(await denyList.lookup('jti-0', 'sid-0', 'u2')).toEqual({ denied: false, userRevokedAt: undefined });
  });

  it('tokens of one grant past the bound become one grant entry that lasts as long as the latest of them', async () => {
    const { clock, store, denyList } = setup();
    let lastExp = 0;
    for (let i = 0; i < 100; i++) {
      clock.advance(1000);
      lastExp = clock.now() + 15 * MINUTE;
      await denyList.denyToken('u1', `jti-${i}`, lastExp, 'sid-1');
    }
    const record = JSON.parse((await store.get(keyOf('u1')))!) as { jti: object; sid: Record<string, number>; before?: number };
    expect(Object.keys(record.jti)).toEqual([]);
    expect(record.sid).toEqual({ 'sid-1': lastExp + DENY_AFTER_EXPIRY_MS });
    expect(record.before).toBeUndefined();
    for (let i = 0; i < 100; i += 33) expect((await denyList.lookup(`jti-${i}`, 'sid-1', 'u1')).denied).toBe(true);
    clock.set(lastExp + DENY_AFTER_EXPIRY_MS - 1);
    expect((await denyList.lookup('jti-99', 'sid-1', 'u1')).denied).toBe(true);
  });

  it('a revocation already covered by a grant entry adds nothing', async () => {
    const { clock, store, denyList } = setup();
    await denyList.denyGrant('u1', 'sid-1', 15 * MINUTE);
    for (let i = 0; i < 100; i++) await denyList.denyToken('u1', `jti-${i}`, clock.now() + 15 * MINUTE, 'sid-1');
    const record = JSON.parse((await store.get(keyOf('u1')))!) as { jti: object; sid: object; before?: number };
    expect(Object.keys(record.jti)).toEqual([]);
    expect(record.before).toBeUndefined();
  });

  it('orders revocations of one user strictly, and reads the older plain-number format', async () => {
    const { clock, store, denyList } = setup();
    const first = await denyList.denyUser('u1', clock.now());
    const second = await denyList.denyUser('u1', clock.now());
    expect(second).toBe(first + 1);
    await store.set(keyOf('u2'), String(clock.now() - 5), MINUTE);
    expect(await denyList.userRevokedAt('u2')).toBe(clock.now() - 5);
  });

  it('refuses ids that cannot be ours without asking the store', async () => {
    const { denyList } = setup();
    expect((await denyList.lookup(undefined, 'sid', 'u1')).denied).toBe(true);
    expect((await denyList.lookup('x'.repeat(129), 'sid', 'u1')).denied).toBe(true);
    expect((await denyList.lookup('jti', 'sid', 42)).denied).toBe(true);
  });
});
