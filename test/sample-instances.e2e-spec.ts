import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { ADAPTERS } from './helpers/create-app.js';
import { withEnv } from './helpers/env.js';
import { freePort, REDIS_URL } from './helpers/redis-server.js';
import { bootSample, SAMPLE_ALICE, SAMPLE_BOB, signIn, startSample, tokenRequest } from './helpers/sample.js';
import { sessionFrom } from './helpers/sessions.js';

/** The balancer's URL: what clients use, and so the issuer of every instance behind it. */
const PUBLIC_URL = 'https://notes.example.test';
const SECRET = 'a-sample-secret-of-at-least-thirty-two-bytes!';
/** GET /items per principal, small enough to reach (the sample's default is 100 per minute). */
const ITEMS_LIMIT = 10;

const KEY_MODES = ['generated keys', 'HS256 (JWT_SECRET)'] as const;
const cases = ADAPTERS.flatMap((adapter) => KEY_MODES.map((keys) => [adapter, keys] as const));

/**
 * design.md, "The sample app": with `REDIS_URL` set, all state is in Redis, and instances behind one
 * balancer started with the same `PUBLIC_URL` act as one, whatever ports they listen on. Two
 * instances of the sample on two ports of this host (each its own Redis connection and, with
 * generated keys, its own Ed25519 key), on the one real Redis, in a key prefix of their own.
 */
describe.each(cases)('sample app: two instances on two ports, one PUBLIC_URL, one Redis (%s, %s)', (adapter, keys) => {
  const prefix = `test:sample-instances:${randomBytes(6).toString('hex')}:`;
  let a: INestApplication;
  let b: INestApplication;
  let urlA: string;
  let urlB: string;
  const me = (url: string, token: string) => request(url).get('/me').set('Authorization', `Bearer ${token}`);
  const items = (url: string, token: string) => request(url).get('/items').set('Authorization', `Bearer ${token}`);
  const refresh = (url: string, token: string) => tokenRequest(url, `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`);

  withEnv({
    JWT_SECRET: keys === 'HS256 (JWT_SECRET)' ? SECRET : undefined,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    PUBLIC_URL,
    ITEMS_RATE_LIMIT: String(ITEMS_LIMIT),
    ITEMS_RATE_WINDOW_SECONDS: '600',
  });
  beforeAll(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    a = await startSample(adapter, portA);
    b = await startSample(adapter, portB);
    [urlA, urlB] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    const redis = new Redis(REDIS_URL);
    try {
      const stored = await redis.keys(`${prefix}*`);
      if (stored.length) await redis.del(...stored);
    } finally {
      await redis.quit();
    }
  });

  it('both issue tokens with PUBLIC_URL as iss, and a token from either works on both', async () => {
    const fromA = (await signIn(urlA, SAMPLE_ALICE)).access_token;
    const fromB = (await signIn(urlB, SAMPLE_ALICE)).access_token;
    expect(decodeJwt(fromA).iss).toBe(PUBLIC_URL);
    expect(decodeJwt(fromB).iss).toBe(PUBLIC_URL);
    expect((await me(urlB, fromA).expect(200)).body).toEqual({ id: 'alice', username: 'alice', roles: ['admin'] });
    await me(urlA, fromB).expect(200);
    await me(urlA, fromA).expect(200);
    await me(urlB, fromB).expect(200);
    expect(decodeProtectedHeader(fromA).alg).toBe(keys === 'generated keys' ? 'EdDSA' : 'HS256');
  });

  if (keys === 'generated keys') {
    it('each JWKS lists both instances\' keys; no private key in Redis', async () => {
      const kidA = decodeProtectedHeader((await signIn(urlA, SAMPLE_ALICE)).access_token).kid;
      const kidB = decodeProtectedHeader((await signIn(urlB, SAMPLE_ALICE)).access_token).kid;
      expect(kidA).not.toBe(kidB);
      for (const url of [urlA, urlB]) {
        const jwks = await request(url).get('/.well-known/jwks.json').expect(200);
        const published = jwks.body.keys as Record<string, unknown>[];
        expect(published.map((key) => key.kid).sort()).toEqual([kidA, kidB].sort());
        for (const key of published) {
          expect(key).toEqual(expect.objectContaining({ kty: 'OKP', crv: 'Ed25519' }));
          expect(key).not.toHaveProperty('d');
        }
      }
      const redis = new Redis(REDIS_URL);
      try {
        const stored = await redis.keys(`${prefix}*`);
        const values = (await Promise.all(stored.map((key) => redis.get(key)))).map((value) => value ?? '');
        expect(values.some((value) => value.includes(String(kidA)))).toBe(true); // A's public key is shared
        for (const value of values) expect(value).not.toMatch(/"d"\s*:|PRIVATE KEY/);
      } finally {
        await redis.quit();
      }
    });
  } else {
    it('publishes no JWKS: both verify with the shared secret', async () => {
      await request(urlA).get('/.well-known/jwks.json').expect(404);
      await request(urlB).get('/.well-known/jwks.json').expect(404);
    });
  }

  it(`GET /items allows ${ITEMS_LIMIT} requests per principal in total across both instances, not per instance`, async () => {
    const alice = (await signIn(urlA, SAMPLE_ALICE)).access_token;
    const burst = await Promise.all(Array.from({ length: 3 * ITEMS_LIMIT }, (_, i) => items(i % 2 ? urlB : urlA, alice)));
    expect(burst.filter((res) => res.status === 200)).toHaveLength(ITEMS_LIMIT);
    const limited = burst.filter((res) => res.status === 429);
    expect(limited).toHaveLength(2 * ITEMS_LIMIT);
    for (const res of limited) {
      expect(res.body).toEqual({ statusCode: 429, message: 'Too many requests; try again later', error: 'Too Many Requests' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(600);
    }
    // A new token is the same principal; another principal has a budget of its own on both.
    await items(urlB, (await signIn(urlB, SAMPLE_ALICE)).access_token).expect(429);
    const bob = (await signIn(urlB, SAMPLE_BOB)).access_token;
    await items(urlA, bob).expect(200);
    await items(urlB, bob).expect(200);
  });

  // The state below is shared through Redis whatever signs the tokens: checked once, with generated keys.
  if (keys === 'generated keys') {
    it('an access token revoked on A is refused on B', async () => {
      const { access_token: token } = await signIn(urlA, SAMPLE_BOB);
      await me(urlB, token).expect(200);
      await request(urlA).post('/auth/revoke').type('form').send(`token=${token}`).expect(200);
      const res = await me(urlB, token).expect(401);
      expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      await me(urlA, token).expect(401);
    });

    it('a refresh token rotated on A cannot be reused on B, and the reuse ends its family (RFC 9700)', async () => {
      const first = await signIn(urlA, SAMPLE_BOB);
      const rotated = await refresh(urlA, first.refresh_token).expect(200);
      const reused = await refresh(urlB, first.refresh_token).expect(400);
      expect(reused.body.error).toBe('invalid_grant');
      const afterReuse = await refresh(urlB, rotated.body.refresh_token).expect(400);
      expect(afterReuse.body.error).toBe('invalid_grant');
    });

    it('10 parallel refreshes of one token split across A and B yield at most one success', async () => {
      const { refresh_token: token } = await signIn(urlA, SAMPLE_BOB);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => refresh(i % 2 ? urlB : urlA, token)));
      const successes = results.filter((res) => res.status === 200);
      expect(successes.length).toBeLessThanOrEqual(1);
      for (const res of results.filter((r) => r.status !== 200)) {
        expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'invalid_grant' });
      }
    });

    it('a session made on A is ended by logout on B', async () => {
      const login = await request(urlA).post('/auth/session').send(SAMPLE_ALICE).expect(200);
      const session = sessionFrom(login, login.body.csrfToken as string);
      await request(urlB).get('/me').set('Cookie', session.cookie).expect(200);
      await request(urlB).post('/auth/session/logout').set('Cookie', session.cookie).expect(403); // CSRF token checked on B too
      const out = await request(urlB).post('/auth/session/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
      expect(out.status).toBeGreaterThanOrEqual(200);
      expect(out.status).toBeLessThan(300);
      await request(urlA).get('/me').set('Cookie', session.cookie).expect(401);
      await request(urlB).get('/me').set('Cookie', session.cookie).expect(401);
    });

    // Last: bob stays locked for the rest of this suite.
    it('counts failures across both: alternating A/B locks bob on both (429 + Retry-After), alice unaffected', async () => {
      let failures = 0;
      let locked: request.Response | undefined;
      while (!locked && failures <= 10) {
        const res = await tokenRequest(failures % 2 ? urlB : urlA, 'grant_type=password&username=bob&password=wrong-password');
        if (res.status === 429) locked = res;
        else {
          expect(res.body.error).toBe('invalid_grant');
          failures++;
        }
      }
      expect(failures).toBeLessThanOrEqual(10);
      expect(locked).toBeDefined();
      for (const url of [urlA, urlB]) {
        const right = await tokenRequest(url, 'grant_type=password&username=bob&password=bob-password');
        expect(right.status).toBe(429);
        expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
      }
      await signIn(urlA, SAMPLE_ALICE);
      await signIn(urlB, SAMPLE_ALICE);
    });
  }
});

/** Why PUBLIC_URL matters: without it each instance's issuer is its own `http://localhost:PORT`. */
describe.each(ADAPTERS)('sample app: two instances on two ports without PUBLIC_URL (%s)', (adapter) => {
  let a: INestApplication;
  let b: INestApplication;
  let ports: [number, number];
  withEnv({ JWT_SECRET: SECRET, REDIS_URL: undefined, PUBLIC_URL: undefined });
  beforeAll(async () => {
    ports = [await freePort(), await freePort()];
    a = await startSample(adapter, ports[0]);
    b = await startSample(adapter, ports[1]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  it('each issues tokens as http://localhost:PORT, so the other refuses them (the same secret notwithstanding)', async () => {
    const fromA = (await signIn(`http://127.0.0.1:${ports[0]}`, SAMPLE_ALICE)).access_token;
    expect(decodeJwt(fromA).iss).toBe(`http://localhost:${ports[0]}`);
    await request(`http://127.0.0.1:${ports[0]}`).get('/me').set('Authorization', `Bearer ${fromA}`).expect(200);
    const refused = await request(`http://127.0.0.1:${ports[1]}`).get('/me').set('Authorization', `Bearer ${fromA}`).expect(401);
    expect(refused.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });
});

describe('sample app: settings that cannot work stop the boot and say what to set', () => {
  const boot = async (env: Record<string, string>) => {
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    try {
      const app = await bootSample('express');
      await app.close();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  };
  withEnv({ JWT_SECRET: undefined, REDIS_URL: undefined });

  it.each([
    [{ PUBLIC_URL: 'notes.example.test' }, /PUBLIC_URL "notes\.example\.test" is not a base URL.*e\.g\. PUBLIC_URL=https:\/\/api\.example\.com/],
    [{ PUBLIC_URL: 'ftp://notes.example.test' }, /PUBLIC_URL "ftp:\/\/notes\.example\.test" is not a base URL/],
    [{ PUBLIC_URL: 'https://notes.example.test/?x=1' }, /without query, fragment or credentials/],
    [{ ITEMS_RATE_LIMIT: '0' }, /ITEMS_RATE_LIMIT must be a positive whole number, got "0"/],
    [{ ITEMS_RATE_WINDOW_SECONDS: '1m' }, /ITEMS_RATE_WINDOW_SECONDS must be a positive whole number, got "1m"/],
  ])('%j', async (env, message) => {
    await expect(boot(env)).rejects.toThrow(message);
  });
});
