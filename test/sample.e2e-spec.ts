import type { INestApplication } from '@nestjs/common';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import request from 'supertest';
import { ADAPTERS } from './helpers/create-app.js';
import { withEnv } from './helpers/env.js';
import { parseWwwAuthenticate } from '../lib/testing/index.js';
import { bootSample, SAMPLE_ALICE, SAMPLE_BOB, signIn, tokenRequest } from './helpers/sample.js';
import { sessionFrom, setCookies, type TestSession } from './helpers/sessions.js';

/**
 * The sample app's HTTP contract (design.md, "The sample app"), route by route, on embedded defaults
 * (memory store, generated Ed25519 key, demo users). The token endpoint's own contract (clients,
 * scopes) is in sample-tokens.e2e-spec.ts; two instances on one Redis in sample-instances.e2e-spec.ts.
 */
const BASIC_CHALLENGE = /^Basic realm="[^"]+", charset="UTF-8"$/;
const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

describe.each(ADAPTERS)('sample app contract (%s)', (adapter) => {
  let app: INestApplication;
  let alice: string;
  let bob: string;
  const http = () => request(app.getHttpServer());
  const bearer = (token: string) => `Bearer ${token}`;
  const login = async (user: { username: string; password: string }): Promise<TestSession> => {
    const res = await http().post('/auth/session').send(user).expect(200);
    return sessionFrom(res, res.body.csrfToken as string);
  };

  withEnv({ JWT_SECRET: undefined, REDIS_URL: undefined });
  beforeAll(async () => {
    app = await bootSample(adapter);
    alice = (await signIn(app, SAMPLE_ALICE)).access_token;
    bob = (await signIn(app, SAMPLE_BOB)).access_token;
  });
  afterAll(() => app.close());

  it('GET /health is public: 200', async () => {
    await http().get('/health').expect(200);
  });

  it('sends helmet security headers, on errors too', async () => {
    for (const res of [await http().get('/health'), await http().get('/me')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  describe('GET /me (default strategies: bearer or session)', () => {
    it('answers exactly { id, username, roles } to a bearer token from /auth/token', async () => {
      const res = await http().get('/me').set('Authorization', bearer(alice)).expect(200);
      expect(res.body).toEqual({ id: 'alice', username: 'alice', roles: ['admin'] });
      const other = await http().get('/me').set('Authorization', bearer(bob)).expect(200);
      expect(other.body).toEqual({ id: 'bob', username: 'bob', roles: ['user'] });
    });

    it('answers exactly { id, username, roles } to the session cookie', async () => {
      const session = await login(SAMPLE_BOB);
      const res = await http().get('/me').set('Cookie', session.cookie).expect(200);
      expect(res.body).toEqual({ id: 'bob', username: 'bob', roles: ['user'] });
    });

    it('answers 401 with a Bearer challenge without an error attribute when no credentials are sent (RFC 6750 §3.1)', async () => {
      const res = await http().get('/me').expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+"/);
      expect(res.headers['www-authenticate']).not.toMatch(/error=/);
      expect(res.body).toEqual({ statusCode: 401, message: expect.any(String), error: 'Unauthorized' });
    });

    it('answers 401 invalid_token to a forged bearer token, and never falls through to the session', async () => {
      const session = await login(SAMPLE_ALICE);
      const forged = `${alice.slice(0, -4)}AAAA`;
      const res = await http()
        .get('/me')
        .set('Authorization', bearer(forged))
        .set('Cookie', session.cookie)
        .expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
    });
  });

  describe('every 401 carries a challenge (RFC 9110 §15.5.2)', () => {
    const server = () => app.getHttpServer();

    it('GET /me without credentials: Bearer first (no error attribute), DPoP, then the session cookie, with resource_metadata (RFC 9728)', async () => {
      const res = await request(server()).get('/me').expect(401);
      const metadata = expect.stringMatching(/^http:\/\/localhost:\d+\/\.well-known\/oauth-protected-resource$/);
      expect(parseWwwAuthenticate(res.headers['www-authenticate'])).toEqual([
        { scheme: 'Bearer', params: { realm: 'nest-warden-sample', resource_metadata: metadata } },
        { scheme: 'DPoP', params: { realm: 'nest-warden-sample', algs: 'ES256 EdDSA Ed25519 PS256 RS256', resource_metadata: metadata } },
        { scheme: 'Cookie', params: { realm: 'nest-warden-sample', 'cookie-name': 'nw_session' } },
      ]);
    });

    it('POST /auth/session/logout without a session cookie', async () => {
      const res = await request(server()).post('/auth/session/logout').expect(401);
      expect(res.headers['www-authenticate']).toBe('Cookie realm="nest-warden-sample", cookie-name="nw_session"');
    });

    it('POST /auth/session with a wrong password', async () => {
      const res = await request(server()).post('/auth/session').send({ username: 'alice', password: 'wrong' }).expect(401);
      expect(res.headers['www-authenticate']).toBe('Cookie realm="nest-warden-sample", cookie-name="nw_session"');
    });
  });

  describe('GET /admin/users (@Roles admin)', () => {
    it('lists the users for alice (admin)', async () => {
      const res = await http().get('/admin/users').set('Authorization', bearer(alice)).expect(200);
      expect(res.body).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: 'alice', username: 'alice', roles: ['admin'] }),
          expect.objectContaining({ id: 'bob', username: 'bob', roles: ['user'] }),
        ]),
      );
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/i);
    });

    it('refuses bob (role user) with 403', async () => {
      const res = await http().get('/admin/users').set('Authorization', bearer(bob)).expect(403);
      expect(res.body).toEqual({ statusCode: 403, message: expect.any(String), error: 'Forbidden' });
    });

    it('answers 401 without credentials', async () => {
      await http().get('/admin/users').expect(401);
    });
  });

  describe('/items (@Scopes)', () => {
    it('GET: bob holds items:read → 200', async () => {
      const res = await http().get('/items').set('Authorization', bearer(bob)).expect(200);
      expect(Array.isArray(res.body)).toBe(true);
    });

    it('POST: bob lacks items:write → 403 insufficient_scope naming the scope (RFC 6750 §3.1)', async () => {
      const res = await http()
        .post('/items')
        .set('Authorization', bearer(bob))
        .send({ name: 'bob was here' })
        .expect(403);
      const challenge = res.headers['www-authenticate'] as string;
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).toMatch(/error="insufficient_scope"/);
      expect(challenge).toMatch(/scope="items:write"/);
    });

    it('POST: alice holds items:write → 201 with the new item', async () => {
      const res = await http()
        .post('/items')
        .set('Authorization', bearer(alice))
        .send({ name: 'a new item' })
        .expect(201);
      expect(res.body).toEqual(expect.objectContaining({ name: 'a new item', createdBy: 'alice' }));
      const list = await http().get('/items').set('Authorization', bearer(bob)).expect(200);
      expect(list.body).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: res.body.id, name: 'a new item' })]),
      );
    });

    it('POST with a bad body → 400, without credentials → 401', async () => {
      await http().post('/items').set('Authorization', bearer(alice)).send({ name: 42 }).expect(400);
      await http().post('/items').send({ name: 'x' }).expect(401);
    });
  });

  describe('GET /posts (@OptionalAuth)', () => {
    it('shows anonymous callers the published posts only (post 1)', async () => {
      const res = await http().get('/posts').expect(200);
      expect(res.body.map((post: { id: string }) => post.id)).toEqual(['1']);
    });

    it('shows signed-in callers all posts', async () => {
      for (const token of [alice, bob]) {
        const res = await http().get('/posts').set('Authorization', bearer(token)).expect(200);
        expect(res.body.map((post: { id: string }) => post.id).sort()).toEqual(['1', '2']);
      }
    });

    it('still rejects a bad token (401), never treating it as anonymous', async () => {
      await http().get('/posts').set('Authorization', bearer('not-a-jwt')).expect(401);
    });
  });

  describe('/posts/:id (@Owner, admin bypass)', () => {
    it('GET: unknown → 404, bob on post 1 → 403, bob on post 2 → 200, alice (admin) on post 2 → 200, anonymous → 401', async () => {
      await http().get('/posts/999').set('Authorization', bearer(bob)).expect(404);
      await http().get('/posts/1').set('Authorization', bearer(bob)).expect(403);
      expect((await http().get('/posts/2').set('Authorization', bearer(bob)).expect(200)).body).toEqual(
        expect.objectContaining({ id: '2', ownerId: 'bob' }),
      );
      expect((await http().get('/posts/2').set('Authorization', bearer(alice)).expect(200)).body.id).toBe(
        '2',
      );
      await http().get('/posts/2').expect(401);
    });

    it('PUT: unknown → 404, bob on post 1 → 403, bob on post 2 → 200, alice (admin) on post 2 → 200, anonymous → 401', async () => {
      await http().put('/posts/999').set('Authorization', bearer(bob)).send({ title: 'x' }).expect(404);
      await http().put('/posts/1').set('Authorization', bearer(bob)).send({ title: 'mine now' }).expect(403);
      const byBob = await http()
        .put('/posts/2')
        .set('Authorization', bearer(bob))
        .send({ title: 'Bob, edited' })
        .expect(200);
      expect(byBob.body).toEqual(expect.objectContaining({ id: '2', title: 'Bob, edited', ownerId: 'bob' }));
      const byAlice = await http()
        .put('/posts/2')
        .set('Authorization', bearer(alice))
        .send({ body: 'Moderated.' })
        .expect(200);
      expect(byAlice.body).toEqual(
        expect.objectContaining({ id: '2', title: 'Bob, edited', body: 'Moderated.', ownerId: 'bob' }),
      );
      await http().put('/posts/2').send({ title: 'anonymous' }).expect(401);
      expect(
        (await http().get('/posts/1').set('Authorization', bearer(alice)).expect(200)).body.title,
      ).not.toBe('mine now');
    });

    it('PUT with a bad body → 400 (unknown field, wrong type, not an object, ownerId cannot be changed)', async () => {
      const bad: unknown[] = [
        { published: 'yes' },
        { title: 7 },
        { ownerId: 'bob' },
        ['title'],
        { title: '   ' },
      ];
      for (const body of bad) {
        const res = await http()
          .put('/posts/2')
          .set('Authorization', bearer(bob))
          .send(body as object);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body).toEqual({ statusCode: 400, message: expect.any(String), error: 'Bad Request' });
      }
      const malformed = await http()
        .put('/posts/2')
        .set('Authorization', bearer(bob))
        .set('Content-Type', 'application/json')
        .send('{"title":');
      expect(malformed.status).toBe(400);
    });

    it('DELETE: unknown → 404, bob on post 1 → 403, anonymous → 401, alice (admin) on post 2 → 200, then post 2 is gone', async () => {
      await http().delete('/posts/999').set('Authorization', bearer(bob)).expect(404);
      await http().delete('/posts/1').set('Authorization', bearer(bob)).expect(403);
      await http().delete('/posts/2').expect(401);
      const res = await http().delete('/posts/2').set('Authorization', bearer(alice)).expect(200);
      expect(res.body).toEqual(expect.objectContaining({ id: '2', ownerId: 'bob' }));
      await http().get('/posts/2').set('Authorization', bearer(alice)).expect(404);
      await http().get('/posts/1').set('Authorization', bearer(alice)).expect(200);
    });
  });

  describe('GET /reports (@Auth api-key, X-API-Key)', () => {
    it('answers 200 to the demo key, 401 to a wrong key or none', async () => {
      await http().get('/reports').set('X-API-Key', 'demo-api-key').expect(200);
      const wrong = await http().get('/reports').set('X-API-Key', 'not-the-demo-key').expect(401);
      expect(JSON.stringify(wrong.body)).not.toContain('not-the-demo-key');
      await http().get('/reports').expect(401);
    });

    it('does not take a bearer token instead of the key', async () => {
      await http().get('/reports').set('Authorization', bearer(alice)).expect(401);
    });
  });

  describe('GET /basic/whoami (@Auth basic, RFC 7617)', () => {
    it("answers { username: 'alice' } to alice's Basic credentials", async () => {
      const res = await http()
        .get('/basic/whoami')
        .set('Authorization', basic('alice', 'alice-password'))
        .expect(200);
      expect(res.body).toEqual({ username: 'alice' });
    });

    it('answers a wrong password and no credentials with 401 and a Basic challenge with charset="UTF-8"', async () => {
      const wrong = await http()
        .get('/basic/whoami')
        .set('Authorization', basic('alice', 'wrong-password'))
        .expect(401);
      expect(wrong.headers['www-authenticate']).toMatch(BASIC_CHALLENGE);
      const none = await http().get('/basic/whoami').expect(401);
      expect(none.headers['www-authenticate']).toMatch(BASIC_CHALLENGE);
    });
  });

  describe('sessions (POST /auth/session, POST /auth/session/logout)', () => {
    it('logs in with JSON: an HttpOnly SameSite=Lax Path=/ cookie and { csrfToken }', async () => {
      const res = await http().post('/auth/session').send(SAMPLE_ALICE).expect(200);
      expect(res.body).toEqual({ csrfToken: expect.any(String) });
      const cookies = setCookies(res);
      expect(cookies).toHaveLength(1);
      const attributes = cookies[0]!.split(';').map((part) => part.trim().toLowerCase());
      expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
    });

    it('refuses a text/plain login (FastAPI CVE-2021-32677: CSRF through a text/plain body)', async () => {
      const res = await http()
        .post('/auth/session')
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify(SAMPLE_ALICE));
      expect(res.status).toBe(415);
      expect(setCookies(res)).toEqual([]);
    });

    it('refuses a wrong password with 401 and no cookie', async () => {
      const res = await http()
        .post('/auth/session')
        .send({ username: 'alice', password: 'wrong-password' })
        .expect(401);
      expect(setCookies(res)).toEqual([]);
      await login(SAMPLE_ALICE); // a success clears alice's failure count
    });

    it('demands X-CSRF-Token on unsafe methods authenticated by the cookie (403 without, or with a wrong one)', async () => {
      const session = await login(SAMPLE_ALICE);
      await http().put('/posts/1').set('Cookie', session.cookie).send({ title: 'via cookie' }).expect(403);
      await http()
        .put('/posts/1')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', 'wrong')
        .send({ title: 'via cookie' })
        .expect(403);
      await http().post('/auth/session/logout').set('Cookie', session.cookie).expect(403);
      const ok = await http()
        .put('/posts/1')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrf)
        .send({ title: 'via cookie' })
        .expect(200);
      expect(ok.body.title).toBe('via cookie');
      await http().get('/me').set('Cookie', session.cookie).expect(200); // safe methods need no token
    });

    it('logs out with the token, after which the cookie is refused (401)', async () => {
      const session = await login(SAMPLE_BOB);
      const res = await http()
        .post('/auth/session/logout')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrf);
      expect(res.status).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(300);
      await http().get('/me').set('Cookie', session.cookie).expect(401);
    });
  });

  describe('POST /auth/revoke (RFC 7009)', () => {
    it('revokes an access token: 200, then the token is refused on /me', async () => {
      const { access_token: token } = await signIn(app, SAMPLE_BOB);
      await http().get('/me').set('Authorization', bearer(token)).expect(200);
      await http()
        .post('/auth/revoke')
        .type('form')
        .send(`token=${token}&token_type_hint=access_token`)
        .expect(200);
      const res = await http().get('/me').set('Authorization', bearer(token)).expect(401);
      expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      await http().get('/me').set('Authorization', bearer(bob)).expect(200); // bob's other token still works
    });

    it('revokes a refresh token: it can no longer be exchanged', async () => {
      const { refresh_token: refresh } = await signIn(app, SAMPLE_BOB);
      await http().post('/auth/revoke').type('form').send(`token=${refresh}`).expect(200);
      const res = await tokenRequest(app, `grant_type=refresh_token&refresh_token=${refresh}`).expect(400);
      expect(res.body.error).toBe('invalid_grant');
    });

    it('answers 200 to an unknown token (RFC 7009 §2.2)', async () => {
      await http().post('/auth/revoke').type('form').send('token=never-issued').expect(200);
    });
  });

  describe('OpenAPI (GET /docs, GET /docs-json)', () => {
    it('serves Swagger UI at /docs', async () => {
      const res = await http().get('/docs').redirects(1).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toMatch(/swagger-ui/i);
    });

    it('serves the document with a bearer, API key, Basic, cookie and oauth2 password (tokenUrl /auth/token) scheme', async () => {
      const res = await http().get('/docs-json').expect(200);
      const schemes = Object.values(
        res.body.components.securitySchemes as Record<string, Record<string, unknown>>,
      );
      expect(schemes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'http', scheme: 'bearer' }),
          expect.objectContaining({ type: 'http', scheme: 'basic' }),
          expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
          expect.objectContaining({ type: 'apiKey', in: 'cookie' }),
          expect.objectContaining({
            type: 'oauth2',
            flows: expect.objectContaining({
              password: expect.objectContaining({ tokenUrl: '/auth/token' }),
            }),
          }),
        ]),
      );
      const paths = res.body.paths as Record<string, Record<string, { security?: unknown[] }>>;
      expect(paths['/health']!.get!.security ?? []).toEqual([]);
      expect(paths['/me']!.get!.security!.length).toBeGreaterThan(0);
    });
  });

  describe('keys (no JWT_SECRET): a generated Ed25519 key', () => {
    it('signs access tokens with EdDSA under a kid that /.well-known/jwks.json lists as an OKP Ed25519 key', async () => {
      const header = decodeProtectedHeader(alice);
      expect(header.alg).toBe('EdDSA');
      const jwks = await http().get('/.well-known/jwks.json').expect(200);
      expect(jwks.body.keys).toEqual([
        expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: header.kid }),
      ]);
      for (const key of jwks.body.keys as Record<string, unknown>[]) expect(key).not.toHaveProperty('d');
      const { payload } = await jwtVerify(alice, createLocalJWKSet(jwks.body), { algorithms: ['EdDSA'] });
      expect(payload.sub).toBe('alice');
    });
  });
});

describe.each(ADAPTERS)('sample app lockout (%s)', (adapter) => {
  let app: INestApplication;
  withEnv({ JWT_SECRET: undefined, REDIS_URL: undefined });
  beforeAll(async () => {
    app = await bootSample(adapter);
  });
  afterAll(() => app.close());

  it('locks bob after at most 10 consecutive failures: 429 + Retry-After, the right password too; alice unaffected', async () => {
    let failures = 0;
    let locked: request.Response | undefined;
    while (!locked && failures <= 10) {
      const res = await tokenRequest(app, 'grant_type=password&username=bob&password=wrong-password');
      if (res.status === 429) locked = res;
      else {
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('invalid_grant');
        failures++;
      }
    }
    expect(failures).toBeLessThanOrEqual(10);
    expect(Number(locked!.headers['retry-after'])).toBeGreaterThan(0);
    const right = await tokenRequest(app, 'grant_type=password&username=bob&password=bob-password');
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    expect(right.body.access_token).toBeUndefined();
    await signIn(app, SAMPLE_ALICE);
  });
});

describe.each(ADAPTERS)('sample app: DELETE /posts/:id by the owner (%s)', (adapter) => {
  let app: INestApplication;
  withEnv({ JWT_SECRET: undefined, REDIS_URL: undefined });
  beforeAll(async () => {
    app = await bootSample(adapter);
  });
  afterAll(() => app.close());

  it('bob deletes his own post 2 → 200; then it is 404', async () => {
    const { access_token: bob } = await signIn(app, SAMPLE_BOB);
    await request(app.getHttpServer()).delete('/posts/2').set('Authorization', `Bearer ${bob}`).expect(200);
    await request(app.getHttpServer()).get('/posts/2').set('Authorization', `Bearer ${bob}`).expect(404);
  });
});

describe.each(ADAPTERS)('sample app with JWT_SECRET (%s)', (adapter) => {
  const secret = 'sample-secret-of-at-least-thirty-two-bytes!';
  let app: INestApplication;
  withEnv({ JWT_SECRET: secret, REDIS_URL: undefined });
  beforeAll(async () => {
    app = await bootSample(adapter);
  });
  afterAll(() => app.close());

  it('signs access tokens HS256 with the secret, and /me accepts them', async () => {
    const { access_token: token } = await signIn(app, SAMPLE_ALICE);
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    const me = await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(me.body).toEqual({ id: 'alice', username: 'alice', roles: ['admin'] });
  });
});
