import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

/**
 * argon2 with a gate: while `gate.closed`, verifications wait (then run for real), so "the hasher
 * is busy" is a fact the test controls, not a timing it hopes for.
 */
const gate = { closed: false, release: () => {}, opened: Promise.resolve() };
function closeGate(): void {
  gate.closed = true;
  gate.opened = new Promise((resolve) => (gate.release = resolve));
}
function openGate(): void {
  gate.closed = false;
  gate.release();
}
jest.unstable_mockModule('argon2', () => {
  const real = jest.requireActual<typeof import('argon2')>('argon2');
  return {
    ...real,
    verify: async (...args: Parameters<typeof real.verify>) => {
      if (gate.closed) await gate.opened;
      return real.verify(...args);
    },
  };
});

const { PasswordHasher } = await import('../lib/index.js');
type Argon2PasswordHasher = import('../lib/index.js').Argon2PasswordHasher;
const { BASIC_OPTIONS, basicTestModule } = await import('./fixtures/basic-app.js');
const { ADAPTERS, createApp } = await import('./helpers/create-app.js');
const { signTestToken } = await import('./helpers/tokens.js');
const { ALICE, CHEAP_ARGON2, InMemoryUsers } = await import('./helpers/users.js');
const { SESSIONS_OPTIONS, sessionsTestModule } = await import('./fixtures/sessions-app.js');
const { tokenTestModule } = await import('./fixtures/token-app.js');

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
const BUSY = { statusCode: 503, message: 'Too many sign-ins in progress; try again shortly', error: 'Service Unavailable' };

describe.each(ADAPTERS)('bounded password hashing under a login flood (%s)', (adapter) => {
  let app: INestApplication;
  let hasher: Argon2PasswordHasher;
  const login = (credentials: string) => request(app.getHttpServer()).get('/basic/whoami').set('Authorization', basic(credentials));

  /** Starts a request without waiting for its answer (supertest sends on `then`). */
  const start = (credentials: string) => login(credentials).then((res) => res);

  /** Waits (on the event loop, not on a timer) until the hasher shows this load. */
  async function loadReaches(active: number, queued: number): Promise<void> {
    for (let i = 0; i < 10_000; i++) {
      if (hasher.load.active === active && hasher.load.queued === queued) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`hasher load stayed ${JSON.stringify(hasher.load)}`);
  }

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [basicTestModule({ ...BASIC_OPTIONS, passwords: { ...CHEAP_ARGON2, concurrency: 1, maxQueue: 1 } })] });
    await app.get(InMemoryUsers).add(ALICE);
    hasher = app.get(PasswordHasher) as Argon2PasswordHasher;
  });
  afterEach(() => openGate()); // a failed expectation must not leave requests waiting forever
  afterAll(() => app.close());

  it('with one hash running and one queued, the next password check answers 503 + Retry-After at once, while a bearer route stays 200', async () => {
    closeGate();
    const running = start('alice:alice-password');
    const queued = start('alice:alice-password');
    await loadReaches(1, 1);

    const refused = await login('alice:alice-password').expect(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual(BUSY);
    // Unknown users are refused alike (their dummy verification is hash work too): no enumeration.
    expect((await login('mallory:whatever').expect(503)).body).toEqual(BUSY);

    await request(app.getHttpServer()).get('/mixed').set('Authorization', `Bearer ${await signTestToken()}`).expect(200);

    openGate();
    expect((await running).status).toBe(200);
    expect((await queued).status).toBe(200);
    expect(hasher.load).toEqual({ active: 0, queued: 0 });
    await login('alice:alice-password').expect(200);
  });

  it('refusals are not failed logins: many of them lock nobody out', async () => {
    closeGate();
    const running = start('alice:alice-password');
    const queued = start('alice:alice-password');
    await loadReaches(1, 1);
    for (let i = 0; i < 15; i++) await login('alice:wrong-password').expect(503); // above the lockout threshold (10)
    openGate();
    await Promise.all([running, queued]);
    await login('alice:alice-password').expect(200);
  });

  it('PasswordHasher.hash is bounded too (registrations, resets and rehashes share the budget)', async () => {
    closeGate();
    const running = start('alice:alice-password');
    const queued = start('alice:alice-password');
    await loadReaches(1, 1);
    await expect(hasher.hash('new-password')).rejects.toMatchObject({ code: 'unavailable', retryAfterSeconds: 1 });
    openGate();
    await Promise.all([running, queued]);
    await expect(hasher.hash('new-password')).resolves.toMatch(/^\$argon2id\$/);
  });
});

describe.each(ADAPTERS)('bounded password hashing on the session login endpoint (%s)', (adapter) => {
  let app: INestApplication;
  let hasher: Argon2PasswordHasher;
  const login = () => request(app.getHttpServer()).post('/auth/session').send({ username: 'alice', password: 'alice-password' });

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [sessionsTestModule({ ...SESSIONS_OPTIONS, passwords: { ...CHEAP_ARGON2, concurrency: 1, maxQueue: 0 } })] });
    await app.get(InMemoryUsers).add(ALICE);
    hasher = app.get(PasswordHasher) as Argon2PasswordHasher;
  });
  afterEach(() => openGate()); // a failed expectation must not leave requests waiting forever
  afterAll(() => app.close());

  it('answers 503 + Retry-After and sets no session cookie while the hasher is full', async () => {
    closeGate();
    const running = login().then((res) => res);
    for (let i = 0; i < 10_000 && hasher.load.active === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    const refused = await login().expect(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['set-cookie']).toBeUndefined();
    expect(refused.body).toEqual(BUSY);
    openGate();
    expect((await running).status).toBe(200);
    await login().expect(200);
  });
});

describe.each(ADAPTERS)('bounded password hashing on the token endpoint (%s)', (adapter) => {
  let app: INestApplication;
  let hasher: Argon2PasswordHasher;
  const signIn = () =>
    request(app.getHttpServer())
      .post('/auth/token')
      .type('form')
      .send(new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-password' }).toString());

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [tokenTestModule({ options: { passwords: { ...CHEAP_ARGON2, concurrency: 1, maxQueue: 0 } } })] });
    hasher = app.get(PasswordHasher) as Argon2PasswordHasher;
  });
  afterEach(() => openGate());
  afterAll(() => app.close());

  it('answers the password grant with RFC 6749 temporarily_unavailable, 503 + Retry-After, while the hasher is full', async () => {
    closeGate();
    const running = signIn().then((res) => res);
    for (let i = 0; i < 10_000 && hasher.load.active === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    const refused = await signIn().expect(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual({ error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable' });
    openGate();
    expect((await running).status).toBe(200);
  });
});

describe.each(ADAPTERS)('password hashing limits at boot (%s)', (adapter) => {
  it('refuses a concurrency of 0 with the fix in the message', async () => {
    await expect(createApp(adapter, { imports: [basicTestModule({ ...BASIC_OPTIONS, passwords: { concurrency: 0 } })] })).rejects.toThrow(
      /passwords\.concurrency must be a positive integer.*Leave it unset/s,
    );
  });
});
