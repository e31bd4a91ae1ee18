import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { ADAPTERS } from './helpers/create-app.js';
import { withEnv } from './helpers/env.js';
import { REDIS_URL } from './helpers/redis-server.js';
import { bootSample, SAMPLE_ALICE, SAMPLE_BOB, signIn, tokenRequest } from './helpers/sample.js';
import { sessionFrom } from './helpers/sessions.js';

/**
 * design.md, "The sample app": with `REDIS_URL` set, all state is in Redis, so several instances behind
 * a balancer act as one, generated keys included. Two instances of the sample (each its own Redis
 * connection and its own Ed25519 key) on the one real Redis, in a key prefix of their own.
 */
describe.each(ADAPTERS)('sample app: two instances on one Redis, generated keys (%s)', (adapter) => {
  const prefix = `test:sample-instances:${randomBytes(6).toString('hex')}:`;
  let a: INestApplication;
  let b: INestApplication;
  const me = (app: INestApplication, token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
  const refresh = (app: INestApplication, token: string) =>
    tokenRequest(app, `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`);

  withEnv({ JWT_SECRET: undefined, REDIS_URL, REDIS_KEY_PREFIX: prefix });
  beforeAll(async () => {
    a = await bootSample(adapter);
    b = await bootSample(adapter);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      await redis.quit();
    }
  });

  it('a token issued by A verifies on B (and back); each JWKS lists both keys; no private key in Redis', async () => {
    const fromA = (await signIn(a, SAMPLE_ALICE)).access_token;
    const fromB = (await signIn(b, SAMPLE_ALICE)).access_token;
    const kidA = decodeProtectedHeader(fromA).kid;
    const kidB = decodeProtectedHeader(fromB).kid;
    expect(decodeProtectedHeader(fromA).alg).toBe('EdDSA');
    expect(kidA).not.toBe(kidB);
    expect((await me(b, fromA).expect(200)).body).toEqual({
      id: 'alice',
      username: 'alice',
      roles: ['admin'],
    });
    await me(a, fromB).expect(200);
    for (const app of [a, b]) {
      const jwks = await request(app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
      const keys = jwks.body.keys as Record<string, unknown>[];
      expect(keys.map((key) => key.kid).sort()).toEqual([kidA, kidB].sort());
      for (const key of keys) {
        expect(key).toEqual(expect.objectContaining({ kty: 'OKP', crv: 'Ed25519' }));
        expect(key).not.toHaveProperty('d');
      }
    }
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}*`);
      const values = (await Promise.all(keys.map((key) => redis.get(key)))).map((value) => value ?? '');
      expect(values.some((value) => value.includes(String(kidA)))).toBe(true); // A's public key is shared
      for (const value of values) expect(value).not.toMatch(/"d"\s*:|PRIVATE KEY/);
    } finally {
      await redis.quit();
    }
  });

  it('an access token revoked on A is refused on B', async () => {
    const { access_token: token } = await signIn(a, SAMPLE_BOB);
    await me(b, token).expect(200);
    await request(a.getHttpServer()).post('/auth/revoke').type('form').send(`token=${token}`).expect(200);
    const res = await me(b, token).expect(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    await me(a, token).expect(401);
  });

  it('a refresh token rotated on A cannot be reused on B, and the reuse ends its family (RFC 9700)', async () => {
    const first = await signIn(a, SAMPLE_BOB);
    const rotated = await refresh(a, first.refresh_token).expect(200);
    const reused = await refresh(b, first.refresh_token).expect(400);
    expect(reused.body.error).toBe('invalid_grant');
    const afterReuse = await refresh(b, rotated.body.refresh_token).expect(400);
    expect(afterReuse.body.error).toBe('invalid_grant');
  });

  it('10 parallel refreshes of one token split across A and B yield at most one success', async () => {
    const { refresh_token: token } = await signIn(a, SAMPLE_BOB);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => refresh(i % 2 ? b : a, token)));
    const successes = results.filter((res) => res.status === 200);
    expect(successes.length).toBeLessThanOrEqual(1);
    for (const res of results.filter((r) => r.status !== 200)) {
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'invalid_grant' });
    }
  });

  it('a session made on A is ended by logout on B', async () => {
    const login = await request(a.getHttpServer()).post('/auth/session').send(SAMPLE_ALICE).expect(200);
    const session = sessionFrom(login, login.body.csrfToken as string);
    await request(b.getHttpServer()).get('/me').set('Cookie', session.cookie).expect(200);
    await request(b.getHttpServer()).post('/auth/session/logout').set('Cookie', session.cookie).expect(403); // CSRF token checked on B too
    const out = await request(b.getHttpServer())
      .post('/auth/session/logout')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf);
    expect(out.status).toBeGreaterThanOrEqual(200);
    expect(out.status).toBeLessThan(300);
    await request(a.getHttpServer()).get('/me').set('Cookie', session.cookie).expect(401);
    await request(b.getHttpServer()).get('/me').set('Cookie', session.cookie).expect(401);
  });

  // Last: bob stays locked for the rest of this suite.
  it('counts failures across both: alternating A/B locks bob on both (429 + Retry-After), alice unaffected', async () => {
    let failures = 0;
    let locked: request.Response | undefined;
    while (!locked && failures <= 10) {
      const res = await tokenRequest(
        failures % 2 ? b : a,
        'grant_type=password&username=bob&password=wrong-password',
      );
      if (res.status === 429) locked = res;
      else {
        expect(res.body.error).toBe('invalid_grant');
        failures++;
      }
    }
    expect(failures).toBeLessThanOrEqual(10);
    expect(locked).toBeDefined();
    for (const app of [a, b]) {
      const right = await tokenRequest(app, 'grant_type=password&username=bob&password=bob-password');
      expect(right.status).toBe(429);
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    }
    await signIn(a, SAMPLE_ALICE);
    await signIn(b, SAMPLE_ALICE);
  });
});
