import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { type AuthModuleOptions, Clock, type Denial } from '../lib/index.js';
import { SESSIONS_OPTIONS, sessionsTestModule } from './fixtures/sessions-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { FlakyStore } from './helpers/flaky-store.js';
import { totpCode } from './helpers/mfa.js';
import { loginAs, setCookies } from './helpers/sessions.js';
import { InMemoryUsers } from './helpers/users.js';

const STEP = 30_000;

/** supertest parses only `application/json`: read the body ourselves and check the media type. */
function problemBody(res: request.Response): Record<string, unknown> {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/);
  return JSON.parse(res.text) as Record<string, unknown>;
}

describe.each(ADAPTERS)("errorResponse on the module's own endpoints: sessions, MFA, recovery (%s)", (adapter) => {
  let app: INestApplication;
  const clock = new FakeClock();
  const store = new FlakyStore(clock);
  const server = () => app.getHttpServer();
  let serial = 0;

  beforeAll(async () => {
    const options: AuthModuleOptions = { ...SESSIONS_OPTIONS, store, errorResponse: 'problem+json' };
    app = await createApp(adapter, { imports: [sessionsTestModule(options)] }, { override: (b) => b.overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => app.close());
  afterEach(() => {
    store.down = false;
  });

  async function newUser() {
    const name = `user${++serial}`;
    const user = { id: `u-${name}`, username: name, password: `${name}-password`, roles: ['user'] };
    await app.get(InMemoryUsers).add(user);
    return user;
  }

  it('a wrong password at POST /auth/session is a problem+json 401', async () => {
    const user = await newUser();
    const res = await request(server()).post('/auth/session').send({ username: user.username, password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(problemBody(res)).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'Invalid username or password',
      code: 'invalid_credentials',
    });
  });

  it('a locked account is a problem+json 429 that keeps Retry-After (header and body agree)', async () => {
    const user = await newUser();
    for (let i = 0; i < 5; i++) {
      await request(server()).post('/auth/session').send({ username: user.username, password: 'wrong-password' }).expect(401);
    }
    const res = await request(server()).post('/auth/session').send({ username: user.username, password: user.password });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(problemBody(res)).toMatchObject({ status: 429, code: 'locked', retryAfter });
    expect(setCookies(res)).toEqual([]);
  });

  it('a cross-site login (login CSRF) is a problem+json 403', async () => {
    const user = await newUser();
    const res = await request(server())
      .post('/auth/session')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ username: user.username, password: user.password });
    expect(res.status).toBe(403);
    expect(problemBody(res)).toMatchObject({ status: 403, code: 'forbidden', detail: 'Cross-site request refused' });
    expect(setCookies(res)).toEqual([]);
  });

  it('a wrong TOTP code at enrollment is a problem+json 400', async () => {
    const session = await loginAs(app, await newUser());
    const begin = await request(server()).post('/auth/mfa/totp').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
    expect(begin.status).toBe(200);
    const farAway = await totpCode(begin.body.secret as string, clock.now() + 100 * STEP);
    const res = await request(server())
      .post('/auth/mfa/totp/confirm')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf)
      .send({ code: farAway });
    expect(res.status).toBe(400);
    expect(problemBody(res)).toMatchObject({ status: 400, code: 'invalid_request', title: 'Bad Request' });
  });

  it('an invalid reset link is a problem+json 400', async () => {
    const res = await request(server()).post('/auth/password-reset/confirm').send({ token: 'A'.repeat(43), password: 'another-password' });
    expect(res.status).toBe(400);
    expect(problemBody(res)).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The reset link is invalid or has expired',
      code: 'invalid_request',
    });
  });

  it('a store outage is a problem+json 503 with Retry-After: 5 on every endpoint, nothing of the cause leaked', async () => {
    const user = await newUser();
    const session = await loginAs(app, user);
    store.down = true;
    const answers = [
      await request(server()).post('/auth/session').send({ username: user.username, password: user.password }),
      await request(server()).post('/auth/password-reset/confirm').send({ token: 'A'.repeat(43), password: 'another-password' }),
      await request(server()).get('/auth/session').set('Cookie', session.cookie),
    ];
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(problemBody(res)).toMatchObject({ status: 503, code: 'unavailable', retryAfter: 5 });
      expect(res.text).not.toContain('store offline');
    }
  });
});

describe.each(ADAPTERS)("errorResponse formatter on the module's own endpoints (%s)", (adapter) => {
  let app: INestApplication;
  const seen: Denial[] = [];

  beforeAll(async () => {
    const errorResponse = (denial: Denial) => {
      seen.push(denial);
      return { error: { code: denial.code, message: denial.message } };
    };
    app = await createApp(adapter, { imports: [sessionsTestModule({ ...SESSIONS_OPTIONS, errorResponse })] });
    await app.get(InMemoryUsers).add({ id: 'u-erin', username: 'erin', password: 'erin-password' });
  });
  afterAll(() => app.close());

  it('writes the session login 401 with your formatter', async () => {
    const res = await request(app.getHttpServer()).post('/auth/session').send({ username: 'erin', password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: { code: 'invalid_credentials', message: 'Invalid username or password' } });
    expect(seen.at(-1)).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });
});
