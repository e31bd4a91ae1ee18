import type { INestApplication } from '@nestjs/common';
import * as argon2 from 'argon2';
import request from 'supertest';
import { Clock, PasswordLogin } from '../lib/index.js';
import { tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { RecordedEvents } from './helpers/recorded-events.js';
import { itWithStoreClock, STORE_VARIANTS } from './helpers/store-variants.js';
import { ALICE, BOB, InMemoryUsers, type TestUser } from './helpers/users.js';

/** Counters and lockouts live in the store: the default MemoryStore, and a real three-master Redis Cluster. */
const cases = ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((variant) => [adapter, variant.name, variant] as const));

describe.each(cases)('brute-force defence on the token endpoint (%s, %s)', (adapter, _name, variant) => {
  let app: INestApplication;
  let clock: FakeClock;
  let events: RecordedEvents;

  beforeEach(async () => {
    clock = new FakeClock();
    app = await createApp(adapter, { imports: [tokenTestModule()] }, {
      override: (builder) => variant.override(builder.overrideProvider(Clock).useValue(clock)),
    });
    events = app.get(RecordedEvents);
  });
  afterEach(() => app.close());

  const signIn = (user: Pick<TestUser, 'username' | 'password'>) =>
    request(app.getHttpServer())
      .post('/auth/token')
      .type('form')
      .send(new URLSearchParams({ grant_type: 'password', username: user.username, password: user.password }).toString());
  /** An OWASP-cost argon2id hash gives parallel requests the overlap they have in real life. */
  const useProductionCostHash = async (user: TestUser) =>
    app.get(InMemoryUsers).updatePasswordHash(
      user.id,
      await argon2.hash(user.password, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
    );
  const wrong = (user: TestUser) => signIn({ username: user.username, password: `${user.password}-wrong` });

  function expectLocked(res: request.Response, retryAfter: number): void {
    expect(res.status).toBe(429);
    // Redis counts the lockout down in real time, MemoryStore by the test's clock.
    if (variant.clockDriven) expect(res.headers['retry-after']).toBe(String(retryAfter));
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(retryAfter);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'Too many failed attempts; try again later' });
  }

  itWithStoreClock(variant, 'locks an account after 5 consecutive failures: 429 with Retry-After, the right password too, until the lockout ends', async () => {
    for (let i = 0; i < 5; i++) expect((await wrong(ALICE)).status).toBe(400);
    expectLocked(await signIn(ALICE), 60);
    expectLocked(await wrong(ALICE), 60);
    clock.advance(30_000);
    expectLocked(await signIn(ALICE), 30);
    // Other accounts are unaffected, from the same address.
    await signIn(BOB).expect(200);
    clock.advance(30_000);
    await signIn(ALICE).expect(200);
    expect(events.ofType('login.locked')).toEqual([
      expect.objectContaining({ scope: 'account', userId: ALICE.id, lockedForMs: 60_000, channel: 'token' }),
    ]);
    expect(events.ofType('login.failed').filter((e) => e.reason === 'locked')).toHaveLength(3);
  });

  itWithStoreClock(variant, 'doubles the lockout each time (back-off) and starts over after a success', async () => {
    for (let i = 0; i < 5; i++) await wrong(ALICE);
    expectLocked(await signIn(ALICE), 60);
    clock.advance(60_000);
    for (let i = 0; i < 5; i++) expect((await wrong(ALICE)).status).toBe(400);
    expectLocked(await signIn(ALICE), 120);
    clock.advance(120_000);
    await signIn(ALICE).expect(200);
    for (let i = 0; i < 5; i++) await wrong(ALICE);
    expectLocked(await signIn(ALICE), 60);
  });

  it('counts only consecutive failures: a success resets the count', async () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await wrong(ALICE)).status).toBe(400);
      await signIn(ALICE).expect(200);
    }
  });

  it('locks unknown usernames exactly like known ones (no account enumeration)', async () => {
    const ghost = { username: 'ghost', password: 'boo' };
    const bodies = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await signIn(ghost);
      expect(res.status).toBe(400);
      bodies.add(JSON.stringify(res.body));
    }
    expectLocked(await signIn(ghost), 60);
    expect(bodies).toEqual(new Set([JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid username or password' })]));
    expect(events.ofType('login.locked')[0]).toEqual(expect.objectContaining({ scope: 'account', userId: undefined }));
  });

  it('checks at most 10 passwords of a burst of 30 parallel guesses (attempts are counted before the hash)', async () => {
    await useProductionCostHash(BOB);
    const results = await Promise.all(Array.from({ length: 30 }, () => wrong(BOB)));
    const checked = results.filter((res) => res.status === 400);
    const refused = results.filter((res) => res.status === 429);
    expect(checked.length).toBeGreaterThanOrEqual(5);
    expect(checked.length).toBeLessThanOrEqual(10);
    expect(checked.length + refused.length).toBe(30);
    expect(events.ofType('login.failed').filter((e) => e.reason === 'invalid_credentials').length).toBe(checked.length);
    expectLocked(await signIn(BOB), 60);
  });

  it('does not refuse the right password sent on several requests at once (HTTP Basic clients do)', async () => {
    await useProductionCostHash(BOB);
    const results = await Promise.all(Array.from({ length: 8 }, () => signIn(BOB)));
    expect(results.map((res) => res.status)).toEqual(Array(8).fill(200));
    const again = await Promise.all(Array.from({ length: 8 }, () => signIn(BOB)));
    expect(again.map((res) => res.status)).toEqual(Array(8).fill(200));
  });

  itWithStoreClock(variant, 'locks a client address only after 100 failures in 15 minutes, so users behind one NAT are not locked together', async () => {
    for (let i = 0; i < 99; i++) expect((await signIn({ username: `user-${i}`, password: 'guess' })).status).toBe(400);
    await signIn(ALICE).expect(200);
    expect((await signIn({ username: 'user-99', password: 'guess' })).status).toBe(400);
    const res = await signIn(BOB);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('900');
    expect(events.ofType('login.locked')).toEqual([expect.objectContaining({ scope: 'address', lockedForMs: 900_000 })]);
    clock.advance(900_000);
    await signIn(BOB).expect(200);
  });

  itWithStoreClock(variant, 'lets failures age out of the address window', async () => {
    for (let i = 0; i < 60; i++) await signIn({ username: `user-${i}`, password: 'guess' });
    clock.advance(15 * 60_000);
    for (let i = 0; i < 60; i++) expect((await signIn({ username: `other-${i}`, password: 'guess' })).status).toBe(400);
    await signIn(ALICE).expect(200);
  });

  it('applies the same lockout to every password check, as PasswordLogin is the one path', async () => {
    for (let i = 0; i < 5; i++) await wrong(ALICE);
    await expect(
      app.get(PasswordLogin).verify({ username: 'alice', password: ALICE.password, clientAddress: '198.51.100.7', channel: 'basic' }),
    ).rejects.toMatchObject({ code: 'locked' });
  });
});
