import type { INestApplication } from '@nestjs/common';
import { base64url, exportJWK, exportSPKI, generateKeyPair, importJWK } from 'jose';
import request from 'supertest';
import { Clock } from '../lib/index.js';
import { JWT_OPTIONS, jwtTestModule } from './fixtures/jwt-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { JwksServer } from './helpers/jwks-server.js';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testKeyPair } from './helpers/tokens.js';

const invalidToken = (description: string) =>
  `Bearer realm="test", error="invalid_token", error_description="${description}"`;

describe.each(ADAPTERS)('JWT bearer strategy (%s)', (adapter) => {
  const clock = new FakeClock();
  let app: INestApplication;
  const get = (path: string, authorization?: string) => {
    const req = request(app.getHttpServer()).get(path);
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };
  const sign = (claims = {}, options = {}) => signTestToken(claims, { now: clock.now(), ...options });

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [jwtTestModule()] }, { override: (b) => b.overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => app.close());

  describe('without credentials', () => {
    it('answers 401 with a bare challenge (RFC 6750 §3.1: no error attribute)', async () => {
      const res = await get('/me').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="test"');
      expect(res.body).toEqual({ statusCode: 401, message: 'Authentication required', error: 'Unauthorized' });
    });

    it('treats another scheme as no bearer credentials', async () => {
      const res = await get('/me', 'Basic dXNlcjpwYXNz').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="test"');
    });

    it('treats a blank Authorization header as absent', async () => {
      const res = await get('/me', '   ').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="test"');
    });
  });

  describe('with a valid token', () => {
    it('authenticates and exposes the principal to @CurrentUser()', async () => {
      const token = await sign({ sub: 'u-42', roles: ['admin'], scope: 'items:read items:write', preferred_username: 'alice' });
      const res = await get('/me', `Bearer ${token}`).expect(200);
      expect(res.body).toEqual({
        id: 'u-42',
        username: 'alice',
        roles: ['admin'],
        scopes: ['items:read', 'items:write'],
        strategy: 'jwt',
      });
    });

    it('injects one field with @CurrentUser("id")', async () => {
      const res = await get('/me/id', `Bearer ${await sign({ sub: 'u-7' })}`).expect(200);
      expect(res.body).toEqual({ id: 'u-7' });
    });

    it.each(['bearer', 'BEARER', 'BeArEr'])('accepts the scheme case-insensitively (%s)', async (scheme) => {
      await get('/me', `${scheme} ${await sign()}`).expect(200);
    });

    it('accepts exp within the clock tolerance (5 s)', async () => {
      const token = await sign({}, { expiresIn: -3 });
      await get('/me', `Bearer ${token}`).expect(200);
    });
  });

  describe('rejects and never falls through', () => {
    const cases: [string, () => Promise<string>, string][] = [
      ['an expired token', () => sign({}, { expiresIn: -60 }), 'The access token expired'],
      ['a token not yet valid (nbf)', () => sign({ nbf: Math.floor(clock.now() / 1000) + 120 }), 'The access token is not yet valid'],
      ['another issuer', () => sign({ iss: 'https://evil.test' }), 'The access token has an unexpected iss claim'],
      ['another audience', () => sign({ aud: 'api://other' }), 'The access token has an unexpected aud claim'],
      ['a token without exp', () => sign({}, { expiresIn: null }), 'The access token lacks the exp claim'],
      ['a token without sub', () => sign({ sub: undefined }), 'The access token lacks the sub claim'],
      ['typ JWT instead of at+jwt (RFC 9068 §4)', () => sign({}, { typ: 'JWT' }), 'The access token has an unexpected typ header'],
      ['a token without typ', () => sign({}, { typ: null }), 'The access token has an unexpected typ header'],
      [
        'an algorithm outside the allowlist (HS384)',
        () => sign({}, { alg: 'HS384', key: new TextEncoder().encode('x'.repeat(48)) }),
        'The access token is invalid',
      ],
      [
        'a token signed with another secret',
        () => sign({}, { key: new TextEncoder().encode('another-secret-that-is-32-bytes-long!!') }),
        'The access token is invalid',
      ],
    ];
    it.each(cases)('%s → 401 invalid_token', async (_name, make, description) => {
      const res = await get('/me', `Bearer ${await make()}`).expect(401);
      expect(res.headers['www-authenticate']).toBe(invalidToken(description));
      expect(res.body).toEqual({ statusCode: 401, message: description, error: 'Unauthorized' });
    });

    it('alg "none" is refused (jsonwebtoken CVE-2022-23540, python-jose CVE-2024-33663)', async () => {
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }));
      const now = Math.floor(clock.now() / 1000);
      const payload = base64url.encode(
        JSON.stringify({ sub: 'admin', iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now, exp: now + 300, roles: ['admin'] }),
      );
      for (const token of [`${header}.${payload}.`, `${header}.${payload}`]) {
        const res = await get('/me', `Bearer ${token}`).expect(401);
        expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      }
    });

    it('a tampered payload with the original signature is refused', async () => {
      const [h, , s] = (await sign({ roles: ['user'] })).split('.');
      const forged = base64url.encode(JSON.stringify({ sub: 'user-1', roles: ['admin'], exp: 9999999999 }));
      await get('/me', `Bearer ${h}.${forged}.${s}`).expect(401);
    });

    it.each([
      ['not a JWT', 'abc'],
      ['two parts', 'abc.def'],
      ['five parts (JWE shape)', 'a.b.c.d.e'],
      ['invalid characters', 'a$b.c.d'],
      ['empty after the scheme', ''],
      ['oversized (> 8192 chars)', `${'a'.repeat(5000)}.${'b'.repeat(5000)}.c`],
      ['non-ASCII header bytes', 'eyJ\u00e9.eyJ.sig'],
      ['base64url garbage in a JWS shape', 'e30.e30.AAAA'],
    ])('a malformed token (%s) → 401 invalid_token, no echo, no 500', async (_name, token) => {
      const res = await get('/me', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="test", error="invalid_token"/);
      if (token.length > 3) expect(JSON.stringify(res.body)).not.toContain(token);
      expect(JSON.stringify(res.body)).not.toMatch(/JWS|JWT|jose|stack/i);
    });

    it('an invalid bearer token on a route accepting a custom strategy too is final (no fall-through)', async () => {
      const res = await request(app.getHttpServer())
        .get('/devices/me')
        .set('Authorization', 'Bearer not-a-jwt')
        .set('X-Device-Token', 'device-token-1');
      // The device strategy runs first and succeeds: order is the route's order.
      expect(res.status).toBe(200);
      const bad = await request(app.getHttpServer())
        .get('/devices/me')
        .set('X-Device-Token', 'wrong')
        .set('Authorization', `Bearer ${await sign()}`);
      expect(bad.status).toBe(401);
    });
  });

  describe('@Public and @OptionalAuth', () => {
    it('@Public() needs nothing and ignores bad credentials', async () => {
      await get('/health').expect(200);
      await get('/health', 'Bearer garbage').expect(200);
    });

    it('@OptionalAuth() lets anonymous callers in without a principal', async () => {
      expect((await get('/optional').expect(200)).body).toEqual({ anonymous: true, id: null });
    });

    it('@OptionalAuth() authenticates when a token is sent', async () => {
      const res = await get('/optional', `Bearer ${await sign({ sub: 'u-9' })}`).expect(200);
      expect(res.body).toEqual({ anonymous: false, id: 'u-9' });
    });

    it('@OptionalAuth() still refuses bad credentials', async () => {
      const res = await get('/optional', 'Bearer a.b.c').expect(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    });
  });

  describe('route bypass attempts', () => {
    it.each(['//me', '/me/', '/ME', '/me;x', '/me%2f', '/./me', '/me?x=1'])('%s is never served without credentials', async (path) => {
      const res = await request(app.getHttpServer()).get(path);
      expect([401, 404]).toContain(res.status);
    });
  });
});

describe.each(ADAPTERS)('JWT with asymmetric keys (%s)', (adapter) => {
  it('RS256 public key: HS256 signed with the public PEM is refused (jsonwebtoken CVE-2022-23541 key confusion)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const app = await createApp(adapter, {
      imports: [
        jwtTestModule({
          realm: 'test',
          jwt: {
            algorithms: ['RS256', 'HS256'],
            publicKeys: [pem],
            secret: 'a-separate-hmac-secret-of-32-bytes-or-more',
            issuer: TEST_ISSUER,
            audience: TEST_AUDIENCE,
          },
        }),
      ],
    });
    try {
      await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${await signTestToken({}, { alg: 'RS256', key: privateKey })}`).expect(200);
      const confused = await signTestToken({}, { alg: 'HS256', key: new TextEncoder().encode(pem) });
      await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${confused}`).expect(401);
    } finally {
      await app.close();
    }
  });

  it('a JWKS key is only used with its own alg (Hono CVE-2026-22817)', async () => {
    const { privateKey, jwk } = await testKeyPair('RS256', 'k-rs');
    const app = await createApp(adapter, {
      imports: [
        jwtTestModule({
          realm: 'test',
          jwt: { algorithms: ['RS256', 'PS256'], jwks: { keys: [jwk] }, issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
        }),
      ],
    });
    try {
      const ok = await signTestToken({}, { alg: 'RS256', key: privateKey, kid: 'k-rs' });
      await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${ok}`).expect(200);
      // The same RSA key, used for RSA-PSS: the JWK says RS256, so it must not verify PS256.
      const sameKeyAsPss = (await importJWK({ ...(await exportJWK(privateKey)), alg: 'PS256' }, 'PS256')) as CryptoKey;
      const otherAlg = await signTestToken({}, { alg: 'PS256', key: sameKeyAsPss, kid: 'k-rs' });
      await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${otherAlg}`).expect(401);
    } finally {
      await app.close();
    }
  });

  it.each(['ES256', 'ES384', 'PS384', 'RS512', 'EdDSA'] as const)('verifies %s with a PEM public key', async (alg) => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const app = await createApp(adapter, {
      imports: [
        jwtTestModule({
          realm: 'test',
          jwt: { algorithms: [alg], publicKeys: [await exportSPKI(publicKey)], issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
        }),
      ],
    });
    try {
      const token = await signTestToken({}, { alg, key: privateKey });
      await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    } finally {
      await app.close();
    }
  });
});

describe.each(ADAPTERS)('JWT with a remote JWKS (%s)', (adapter) => {
  let jwks: JwksServer;
  let app: INestApplication;
  const get = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  beforeEach(async () => {
    jwks = await new JwksServer().start();
    app = await createApp(adapter, {
      imports: [
        jwtTestModule({
          realm: 'test',
          jwt: {
            algorithms: ['ES256'],
            jwksUri: jwks.url,
            remoteJwks: { cooldownMs: 0, timeoutMs: 1000 },
            issuer: TEST_ISSUER,
            audience: TEST_AUDIENCE,
          },
        }),
      ],
    });
  });
  afterEach(async () => {
    await app.close();
    await jwks.stop();
  });

  it('fetches once, then follows a key rotation by refetching on an unknown kid', async () => {
    const first = await testKeyPair('ES256', 'k1');
    jwks.keys = [first.jwk];
    const t1 = await signTestToken({}, { alg: 'ES256', key: first.privateKey, kid: 'k1' });
    await get(t1).expect(200);
    await get(t1).expect(200);
    expect(jwks.fetches).toBe(1);

    const second = await testKeyPair('ES256', 'k2');
    jwks.keys = [second.jwk];
    const t2 = await signTestToken({}, { alg: 'ES256', key: second.privateKey, kid: 'k2' });
    await get(t2).expect(200);
    expect(jwks.fetches).toBe(2);

    // k1 was rotated out: its tokens no longer verify.
    await get(await signTestToken({}, { alg: 'ES256', key: first.privateKey, kid: 'k1' })).expect(401);
  });

  it('an unknown kid is 401 invalid_token', async () => {
    const known = await testKeyPair('ES256', 'k1');
    const stranger = await testKeyPair('ES256', 'k-stranger');
    jwks.keys = [known.jwk];
    const res = await get(await signTestToken({}, { alg: 'ES256', key: stranger.privateKey, kid: 'k-stranger' })).expect(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('fails closed with 503 when the key set cannot be fetched, and recovers', async () => {
    const key = await testKeyPair('ES256', 'k1');
    jwks.keys = [key.jwk];
    jwks.failWith = 500;
    const token = await signTestToken({}, { alg: 'ES256', key: key.privateKey, kid: 'k1' });
    const res = await get(token).expect(503);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body.message).toBe('Token keys are temporarily unavailable');
    jwks.failWith = undefined;
    await get(token).expect(200);
  });
});

describe('JWT_OPTIONS fixture', () => {
  it('is the configuration the fixture uses', () => {
    expect(JWT_OPTIONS.jwt?.algorithms).toEqual(['HS256']);
  });
});
