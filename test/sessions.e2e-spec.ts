import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { Clock, SessionService, SystemClock } from '../lib/index.js';
import { SESSIONS_OPTIONS, sessionsTestModule } from './fixtures/sessions-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { FlakyStore } from './helpers/flaky-store.js';
import { loginAs, sessionFrom, setCookies } from './helpers/sessions.js';
import { STORE_VARIANTS } from './helpers/store-variants.js';
import { signTestToken } from './helpers/tokens.js';
import { ALICE, BOB, CHEAP_ARGON2, InMemoryUsers, type TestUser } from './helpers/users.js';

const CAROL: TestUser = { id: 'u-carol', username: 'carol', password: 'carol-password', roles: ['user'] };
const SESSION_COOKIE = /^nw_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/;
const CLEARED_COOKIE = 'nw_session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax';
const MINUTE = 60_000;

/** Sessions live in the store: the default MemoryStore, and a real three-master Redis Cluster. */
const cases = ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((variant) => [adapter, variant.name, variant] as const));

describe.each(cases)('sessions (%s, %s)', (adapter, _name, variant) => {
  let app: INestApplication;
  const clock = new FakeClock();
  const server = () => app.getHttpServer();

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [sessionsTestModule()] }, { override: (b) => variant.override(b.overrideProvider(Clock).useValue(clock)) });
    const users = app.get(InMemoryUsers);
    for (const user of [ALICE, BOB, CAROL]) await users.add(user);
  });
  afterAll(() => app.close());

  describe('login', () => {
    it('takes JSON credentials, sets an HttpOnly Secure SameSite=Lax cookie and answers { csrfToken }', async () => {
      const res = await request(server()).post('/auth/session').send({ username: 'alice', password: 'alice-password' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
      expect(res.headers['cache-control']).toBe('no-store');
      const cookies = setCookies(res);
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatch(SESSION_COOKIE);
      const session = sessionFrom(res, res.body.csrfToken as string);
      const me = await request(server()).get('/me').set('Cookie', session.cookie);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ id: 'u-alice', username: 'alice', roles: ['admin'], strategy: 'session', amr: ['pwd'] });
    });

    it('answers unknown users and wrong passwords with the same 401', async () => {
      const unknown = await request(server()).post('/auth/session').send({ username: 'nobody', password: 'whatever-password' });
      const wrong = await request(server()).post('/auth/session').send({ username: 'bob', password: 'not-bobs-password' });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body).toEqual({ statusCode: 401, message: 'Invalid username or password', error: 'Unauthorized' });
      expect(setCookies(unknown)).toEqual([]);
      expect(setCookies(wrong)).toEqual([]);
      await loginAs(app, BOB); // clears bob's failure count
    });

    it('refuses text/plain and form bodies with 415 (FastAPI CVE-2021-32677 CSRF through a text/plain body)', async () => {
      const json = JSON.stringify({ username: 'alice', password: 'alice-password' });
      const text = await request(server()).post('/auth/session').set('Content-Type', 'text/plain').send(json);
      expect(text.status).toBe(415);
      expect(text.body.message).toBe('Send the body as application/json');
      expect(setCookies(text)).toEqual([]);
      const form = await request(server()).post('/auth/session').type('form').send({ username: 'alice', password: 'alice-password' });
      expect(form.status).toBe(415);
      const none = await request(server()).post('/auth/session');
      expect(none.status).toBe(415);
    });

    it('answers 400 with a clear message for missing, empty or non-string fields and malformed JSON', async () => {
      const cases: [unknown, string][] = [
        [{ username: 'alice' }, '"password" must be a non-empty string'],
        [{ password: 'alice-password' }, '"username" must be a non-empty string'],
        [{ username: 'alice', password: '' }, '"password" must be a non-empty string'],
        [{ username: ['alice'], password: 'alice-password' }, '"username" must be a non-empty string'],
        [{ username: 'alice', password: { $ne: null } }, '"password" must be a non-empty string'],
        [['alice', 'alice-password'], 'The body must be a JSON object'],
        [{ username: 'a'.repeat(257), password: 'x' }, '"username" must be at most 256 characters'],
      ];
      for (const [body, message] of cases) {
        const res = await request(server()).post('/auth/session').send(body as object);
        expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message });
      }
      const malformed = await request(server()).post('/auth/session').set('Content-Type', 'application/json').send('{"username":');
      expect(malformed.status).toBe(400);
    });

    it('answers 429 with Retry-After once the account is locked, the right password included', async () => {
      const dave = { id: 'u-dave', username: 'dave', password: 'dave-password' };
      await app.get(InMemoryUsers).add(dave);
      for (let i = 0; i < 5; i++) {
        await request(server()).post('/auth/session').send({ username: 'dave', password: 'wrong-password' }).expect(401);
      }
      const locked = await request(server()).post('/auth/session').send({ username: 'dave', password: 'dave-password' });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect(setCookies(locked)).toEqual([]);
      if (variant.clockDriven) {
        // The lockout ends by the store's clock; Redis keeps its own (the lockout suite covers the rest).
        clock.advance(2 * MINUTE);
        await loginAs(app, dave);
      }
    });

    it('refuses a cross-site login (login CSRF)', async () => {
      const res = await request(server())
        .post('/auth/session')
        .set('Sec-Fetch-Site', 'cross-site')
        .send({ username: 'alice', password: 'alice-password' });
      expect(res.status).toBe(403);
      expect(setCookies(res)).toEqual([]);
    });

    it('CVE-2022-25896 session fixation: a cookie set before login is never promoted', async () => {
      const planted = await loginAs(app, BOB); // the attacker's own session, planted in the victim's browser
      const victim = await loginAs(app, ALICE, planted.cookie);
      expect(victim.id).not.toBe(planted.id);
      await request(server()).get('/me').set('Cookie', planted.cookie).expect(401);
      expect((await request(server()).get('/me').set('Cookie', victim.cookie)).body.id).toBe('u-alice');

      const forged = 'nw_session=' + 'A'.repeat(43); // an id the attacker made up
      const second = await loginAs(app, ALICE, forged);
      expect(second.cookie).not.toBe(forged);
      await request(server()).get('/me').set('Cookie', forged).expect(401);
    });

    it('gives every login a new id and CSRF token', async () => {
      const a = await loginAs(app, ALICE);
      const b = await loginAs(app, ALICE);
      expect(a.id).not.toBe(b.id);
      expect(a.csrf).not.toBe(b.csrf);
    });
  });

  describe('authentication by cookie', () => {
    it('rejects unknown and malformed session cookies with 401, and ignores other cookies', async () => {
      for (const cookie of ['nw_session=' + 'B'.repeat(43), 'nw_session=short', 'nw_session=', 'nw_session=%ZZ']) {
        const res = await request(server()).get('/me').set('Cookie', cookie);
        expect({ cookie, status: res.status, message: res.body.message }).toEqual({ cookie, status: 401, message: 'Session expired or invalid' });
      }
      const anonymous = await request(server()).get('/me').set('Cookie', 'other=1');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.message).toBe('Authentication required');
    });

    it('reports itself at GET /auth/session with the CSRF token', async () => {
      const session = await loginAs(app, ALICE);
      const res = await request(server()).get('/auth/session').set('Cookie', session.cookie);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        userId: 'u-alice',
        username: 'alice',
        amr: ['pwd'],
        csrfToken: session.csrf,
        expiresAt: new Date(clock.now() + 30 * MINUTE).toISOString(),
      });
      const token = await signTestToken({ sub: 'u-alice' }, { now: clock.now() });
      await request(server()).get('/auth/session').set('Authorization', `Bearer ${token}`).expect(401);
    });
  });

  describe('timeouts (injected clock)', () => {
    it('ends a session after the idle timeout, and activity slides it', async () => {
      const session = await loginAs(app, CAROL);
      clock.advance(29 * MINUTE);
      await request(server()).get('/me').set('Cookie', session.cookie).expect(200);
      clock.advance(29 * MINUTE);
      await request(server()).get('/me').set('Cookie', session.cookie).expect(200);
      clock.advance(30 * MINUTE + 1);
      const expired = await request(server()).get('/me').set('Cookie', session.cookie);
      expect(expired.status).toBe(401);
      expect(expired.body.message).toBe('Session expired or invalid');
    });

    it('ends a session at the absolute timeout however active it is', async () => {
      const session = await loginAs(app, CAROL);
      for (let elapsed = 0; elapsed < 2 * 60 * MINUTE - 20 * MINUTE; elapsed += 20 * MINUTE) {
        clock.advance(20 * MINUTE);
        await request(server()).get('/me').set('Cookie', session.cookie).expect(200);
      }
      clock.advance(20 * MINUTE);
      await request(server()).get('/me').set('Cookie', session.cookie).expect(401);
    });
  });

  describe('logout', () => {
    it('destroys the session and clears the cookie with the same attributes', async () => {
      const session = await loginAs(app, ALICE);
      const res = await request(server()).post('/auth/session/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
      expect(res.status).toBe(204);
      expect(setCookies(res)).toEqual([CLEARED_COOKIE]);
      await request(server()).get('/me').set('Cookie', session.cookie).expect(401);
      const again = await request(server()).post('/auth/session/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
      expect(again.status).toBe(401);
    });

    it('needs the CSRF token, and a refused logout leaves the session alive', async () => {
      const session = await loginAs(app, ALICE);
      const res = await request(server()).post('/auth/session/logout').set('Cookie', session.cookie);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ statusCode: 403, message: 'Missing or invalid CSRF token', error: 'Forbidden' });
      await request(server()).get('/me').set('Cookie', session.cookie).expect(200);
    });

    it('ends only the session it is sent with', async () => {
      const laptop = await loginAs(app, BOB);
      const phone = await loginAs(app, BOB);
      await request(server()).post('/auth/session/logout').set('Cookie', laptop.cookie).set('X-CSRF-Token', laptop.csrf).expect(204);
      await request(server()).get('/me').set('Cookie', laptop.cookie).expect(401);
      await request(server()).get('/me').set('Cookie', phone.cookie).expect(200);
    });

    it('logs out everywhere: every session of the user ends, other users keep theirs, new logins work', async () => {
      const laptop = await loginAs(app, BOB);
      const phone = await loginAs(app, BOB);
      const alice = await loginAs(app, ALICE);
      const res = await request(server()).post('/auth/session/logout-all').set('Cookie', phone.cookie).set('X-CSRF-Token', phone.csrf);
      expect(res.status).toBe(204);
      expect(setCookies(res)).toEqual([CLEARED_COOKIE]);
      await request(server()).get('/me').set('Cookie', laptop.cookie).expect(401);
      await request(server()).get('/me').set('Cookie', phone.cookie).expect(401);
      await request(server()).get('/me').set('Cookie', alice.cookie).expect(200);
      const fresh = await loginAs(app, BOB);
      await request(server()).get('/me').set('Cookie', fresh.cookie).expect(200);
    });

    it('SessionService.revokeUser ends the user\'s sessions from anywhere in the app', async () => {
      const session = await loginAs(app, BOB);
      await app.get(SessionService).revokeUser('u-bob');
      await request(server()).get('/me').set('Cookie', session.cookie).expect(401);
    });
  });

  describe('CSRF defence', () => {
    const unsafe = [
      ['post', '/notes', 'create'],
      ['put', '/notes/1', 'replace'],
      ['patch', '/notes/1', 'update'],
      ['delete', '/notes/1', 'remove'],
    ] as const;

    it.each(unsafe)('%s %s with the session cookie needs the X-CSRF-Token header', async (method, path, done) => {
      const session = await loginAs(app, ALICE);
      const missing = await request(server())[method](path).set('Cookie', session.cookie);
      expect(missing.status).toBe(403);
      expect(missing.body.message).toBe('Missing or invalid CSRF token');
      const wrong = await request(server())[method](path).set('Cookie', session.cookie).set('X-CSRF-Token', 'A'.repeat(43));
      expect(wrong.status).toBe(403);
      const right = await request(server())[method](path).set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
      expect(right.status).toBeLessThan(300);
      expect(right.body).toEqual({ done });
    });

    it('does not ask for a token on safe methods', async () => {
      const session = await loginAs(app, ALICE);
      await request(server()).get('/me').set('Cookie', session.cookie).expect(200);
      await request(server()).head('/me').set('Cookie', session.cookie).expect(200);
    });

    it("refuses another session's token", async () => {
      const mine = await loginAs(app, ALICE);
      const theirs = await loginAs(app, BOB);
      await request(server()).post('/notes').set('Cookie', mine.cookie).set('X-CSRF-Token', theirs.csrf).expect(403);
    });

    it('refuses cross-site requests by Sec-Fetch-Site, even with the right token', async () => {
      const session = await loginAs(app, ALICE);
      for (const site of ['cross-site', 'same-site']) {
        const res = await request(server())
          .post('/notes')
          .set('Cookie', session.cookie)
          .set('X-CSRF-Token', session.csrf)
          .set('Sec-Fetch-Site', site);
        expect({ site, status: res.status, message: res.body.message }).toEqual({ site, status: 403, message: 'Cross-site request refused' });
      }
      await request(server())
        .post('/notes')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrf)
        .set('Sec-Fetch-Site', 'same-origin')
        .expect(201);
    });

    it('refuses a foreign Origin and accepts the server\'s own', async () => {
      const session = await loginAs(app, ALICE);
      const foreign = await request(server())
        .post('/notes')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrf)
        .set('Origin', 'https://evil.example');
      expect(foreign.status).toBe(403);
      const opaque = await request(server()).post('/notes').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).set('Origin', 'null');
      expect(opaque.status).toBe(403);
      const own = await request(server())
        .post('/notes')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrf)
        .set('Host', 'notes.example')
        .set('Origin', 'https://notes.example');
      expect(own.status).toBe(201);
    });

    it('leaves bearer-authenticated requests alone, with or without a session cookie beside them', async () => {
      const token = await signTestToken({ sub: 'u-alice' }, { now: clock.now() });
      await request(server()).post('/notes').set('Authorization', `Bearer ${token}`).expect(201);
      const session = await loginAs(app, ALICE);
      await request(server()).delete('/notes/1').set('Authorization', `Bearer ${token}`).set('Cookie', session.cookie).expect(200);
      await request(server()).post('/notes').set('Authorization', `Bearer ${token}`).set('Sec-Fetch-Site', 'cross-site').expect(201);
    });

    it('does not touch public routes', async () => {
      await request(server()).post('/public').set('Sec-Fetch-Site', 'cross-site').expect(201);
    });
  });

});

describe.each(ADAPTERS)('session cookie options (%s)', (adapter) => {
  async function boot(session: object, extras: object = { sessionEndpoints: true }) {
    const app = await createApp(adapter, { imports: [sessionsTestModule({ ...SESSIONS_OPTIONS, session }, extras)] });
    await app.get(InMemoryUsers).add(ALICE);
    return app;
  }

  it('writes the __Host- prefix, Max-Age for persistent cookies, and SameSite=Strict', async () => {
    const app = await boot({ hostPrefix: true, persistent: true, sameSite: 'strict', absoluteTimeoutMs: 60 * MINUTE });
    try {
      const res = await request(app.getHttpServer()).post('/auth/session').send({ username: 'alice', password: 'alice-password' });
      expect(setCookies(res)[0]).toMatch(/^__Host-nw_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=3600; HttpOnly; Secure; SameSite=Strict$/);
      const session = sessionFrom(res, res.body.csrfToken as string, '__Host-nw_session');
      await request(app.getHttpServer()).get('/me').set('Cookie', session.cookie).expect(200);
      const out = await request(app.getHttpServer()).post('/auth/session/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
      expect(setCookies(out)).toEqual(['__Host-nw_session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict']);
    } finally {
      await app.close();
    }
  });

  it('drops Secure only when configured off (local http), with a custom name and CSRF header', async () => {
    const app = await boot({ secure: false, cookieName: 'sid', csrfHeader: 'X-XSRF' });
    try {
      const res = await request(app.getHttpServer()).post('/auth/session').send({ username: 'alice', password: 'alice-password' });
      expect(setCookies(res)[0]).toMatch(/^sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
      const session = sessionFrom(res, res.body.csrfToken as string, 'sid');
      await request(app.getHttpServer()).post('/notes').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(403);
      await request(app.getHttpServer()).post('/notes').set('Cookie', session.cookie).set('X-XSRF', session.csrf).expect(201);
    } finally {
      await app.close();
    }
  });

  it('accepts the token from a form field when csrfField is set (server-rendered forms)', async () => {
    const app = await boot({ csrfField: '_csrf' });
    try {
      const session = await loginAs(app, ALICE);
      const form = (body: Record<string, string>) => request(app.getHttpServer()).post('/notes').set('Cookie', session.cookie).type('form').send(body);
      await form({ _csrf: session.csrf, title: 'x' }).expect(201);
      await form({ _csrf: 'A'.repeat(43) }).expect(403);
      await form({ title: 'x' }).expect(403);
    } finally {
      await app.close();
    }
  });

  it('accepts trusted origins', async () => {
    const app = await boot({ trustedOrigins: ['https://front.example'] });
    try {
      const session = await loginAs(app, ALICE);
      const post = (origin: string) =>
        request(app.getHttpServer()).post('/notes').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).set('Origin', origin);
      await post('https://front.example').expect(201);
      await post('https://other.example').expect(403);
    } finally {
      await app.close();
    }
  });

  it('keeps other Set-Cookie headers set on the same response', async () => {
    const app = await createApp(adapter, { imports: [sessionsTestModule({ ...SESSIONS_OPTIONS }, { sessionEndpoints: true })] }, {
      beforeInit: (nest) => {
        const instance = nest.getHttpAdapter() as unknown as AbstractHttpAdapter;
        nest.use((req: unknown, res: unknown, next: () => void) => {
          instance.appendHeader(res, 'Set-Cookie', 'theme=dark; Path=/');
          next();
        });
      },
    });
    try {
      await app.get(InMemoryUsers).add(ALICE);
      const res = await request(app.getHttpServer()).post('/auth/session').send({ username: 'alice', password: 'alice-password' });
      const cookies = setCookies(res);
      expect(cookies).toHaveLength(2);
      expect(cookies).toContain('theme=dark; Path=/');
      expect(cookies.some((c) => SESSION_COOKIE.test(c))).toBe(true);
    } finally {
      await app.close();
    }
  });

  it.each([
    [{ hostPrefix: true, secure: false }, /hostPrefix needs a Secure cookie without Domain/],
    [{ hostPrefix: true, domain: 'example.com' }, /hostPrefix needs a Secure cookie without Domain/],
    [{ cookieName: 'bad name' }, /not a valid cookie name/],
    [{ idleTimeoutMs: 60 * MINUTE, absoluteTimeoutMs: 30 * MINUTE }, /absoluteTimeoutMs is shorter/],
    [{ idleTimeoutMs: 0 }, /idleTimeoutMs must be a positive integer/],
    [{ sameSite: 'none' }, /sameSite "none" is not supported/],
    [{ trustedOrigins: ['https://*.example'] }, /trustedOrigins contains/],
  ])('refuses bad configuration at boot: %j', async (session, message) => {
    await expect(boot(session)).rejects.toThrow(message);
  });

  it('refuses sessionEndpoints without the session option', async () => {
    const { session: _omitted, ...withoutSession } = SESSIONS_OPTIONS;
    await expect(createApp(adapter, { imports: [sessionsTestModule(withoutSession, { sessionEndpoints: true })] })).rejects.toThrow(
      /sessionEndpoints are mounted but the session option is missing/,
    );
  });

  it('mounts chosen paths only', async () => {
    const app = await createApp(adapter, {
      imports: [sessionsTestModule(SESSIONS_OPTIONS, { sessionEndpoints: { login: '/login', logoutEverywhere: false } })],
    });
    try {
      await app.get(InMemoryUsers).add(ALICE);
      const res = await request(app.getHttpServer()).post('/login').send({ username: 'alice', password: 'alice-password' });
      expect(res.status).toBe(200);
      await request(app.getHttpServer()).post('/auth/session').send({ username: 'alice', password: 'alice-password' }).expect(404);
      const session = sessionFrom(res, res.body.csrfToken as string);
      await request(app.getHttpServer()).post('/auth/session/logout-all').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(404);
    } finally {
      await app.close();
    }
  });

  it('fails closed with 503, never 401 or 500, when the store is down', async () => {
    const store = new FlakyStore(new SystemClock());
    const app = await createApp(adapter, { imports: [sessionsTestModule({ ...SESSIONS_OPTIONS, store }, { sessionEndpoints: true })] });
    try {
      await app.get(InMemoryUsers).add(ALICE);
      const session = await loginAs(app, ALICE);
      store.down = true;
      const me = await request(app.getHttpServer()).get('/me').set('Cookie', session.cookie);
      expect(me.status).toBe(503);
      expect(me.body.message).toBe('Sessions are temporarily unavailable');
      expect(me.headers['retry-after']).toBe('5');
      const login = await request(app.getHttpServer()).post('/auth/session').send({ username: 'alice', password: 'alice-password' });
      expect(login.status).toBe(503);
      expect(login.headers['retry-after']).toBe('5');
      expect(setCookies(login)).toEqual([]);
      store.down = false;
      await request(app.getHttpServer()).get('/me').set('Cookie', session.cookie).expect(200);
    } finally {
      await app.close();
    }
  });

  it('lets an app without endpoints use SessionService itself', async () => {
    const app = await createApp(adapter, { imports: [sessionsTestModule({ ...SESSIONS_OPTIONS, passwords: CHEAP_ARGON2 }, {})] });
    try {
      await request(app.getHttpServer()).post('/auth/session').send({}).expect(404);
      const issued = await app.get(SessionService).create({ id: 'u-alice', username: 'alice', roles: ['admin'] });
      const me = await request(app.getHttpServer()).get('/me').set('Cookie', `nw_session=${issued.id}`);
      expect(me.body).toMatchObject({ id: 'u-alice', strategy: 'session', amr: ['pwd'] });
    } finally {
      await app.close();
    }
  });
});
