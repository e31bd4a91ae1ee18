import { jest } from '@jest/globals';
import { type INestApplication, Logger } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, calculateJwkThumbprint, importPKCS8 } from 'jose';
import request from 'supertest';
import { type AuthModuleOptions, AuthStore, Clock, hashClientSecret, MemoryStore, type TokenOptions } from '../lib/index.js';
import { AUDIENCE, ISSUER, tokenTestModule, type TokenAppOptions } from './fixtures/token-app.js';
import { type AdapterName, ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { FlakyStore } from './helpers/flaky-store.js';
import { ALICE } from './helpers/users.js';

const SECRET = 'a-shared-hs256-secret-of-at-least-32-bytes!!';

async function boot(adapter: AdapterName, clock: FakeClock, app: TokenAppOptions = {}, store?: AuthStore): Promise<INestApplication> {
  return createApp(adapter, { imports: [tokenTestModule(app)] }, {
    override: (builder) => {
      const withClock = builder.overrideProvider(Clock).useValue(clock);
      return store ? withClock.overrideProvider(AuthStore).useValue(store) : withClock;
    },
  });
}

async function signIn(app: INestApplication): Promise<{ access_token: string; refresh_token: string }> {
  const res = await request(app.getHttpServer())
    .post('/auth/token')
    .type('form')
    .send(`grant_type=password&username=alice&password=${ALICE.password}`)
    .expect(200);
  return res.body;
}

const me = (app: INestApplication, token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
const jwks = async (app: INestApplication) => (await request(app.getHttpServer()).get('/.well-known/jwks.json').expect(200)).body.keys as { kid: string }[];
const kidOf = (token: string) => decodeProtectedHeader(token).kid!;

describe.each(ADAPTERS)('signing keys (%s)', (adapter) => {
  const apps: INestApplication[] = [];
  const start = async (clock: FakeClock, app?: TokenAppOptions, store?: AuthStore) => {
    const started = await boot(adapter, clock, app, store);
    apps.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  describe('generated keys across instances sharing one store', () => {
    it('verifies a token from either instance on both, and lists both keys in each JWKS', async () => {
      const clock = new FakeClock();
      const store = new MemoryStore(clock);
      const a = await start(clock, {}, store);
      const b = await start(clock, {}, store);
      const fromA = (await signIn(a)).access_token;
      const fromB = (await signIn(b)).access_token;
      expect(kidOf(fromA)).not.toBe(kidOf(fromB));
      await me(a, fromB).expect(200);
      await me(b, fromA).expect(200);
      const kids = [kidOf(fromA), kidOf(fromB)].sort();
      expect((await jwks(a)).map((key) => key.kid).sort()).toEqual(kids);
      expect((await jwks(b)).map((key) => key.kid).sort()).toEqual(kids);
    });

    it('never puts a private key in the store', async () => {
      const clock = new FakeClock();
      const store = new MemoryStore(clock);
      await signIn(await start(clock, {}, store));
      await signIn(await start(clock, { tokens: { signing: { alg: 'RS256' } } }, store));
      const published = JSON.parse((await store.get('tokens:keys'))!) as { jwk: Record<string, unknown>; exp: number }[];
      expect(published).toHaveLength(2);
      for (const { jwk } of published) {
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(jwk).not.toHaveProperty(member);
      }
    });

    it('a revocation on one instance is honoured by the other', async () => {
      const clock = new FakeClock();
      const store = new MemoryStore(clock);
      const a = await start(clock, {}, store);
      const b = await start(clock, {}, store);
      const tokens = await signIn(a);
      await me(b, tokens.access_token).expect(200);
      await request(b.getHttpServer()).post('/auth/revoke').type('form').send(`token=${tokens.access_token}`).expect(200);
      expect((await me(a, tokens.access_token)).status).toBe(401);
      const rotated = await request(b.getHttpServer())
        .post('/auth/token')
        .type('form')
        .send(`grant_type=refresh_token&refresh_token=${tokens.refresh_token}`)
        .expect(200);
      const reuse = await request(a.getHttpServer())
        .post('/auth/token')
        .type('form')
        .send(`grant_type=refresh_token&refresh_token=${tokens.refresh_token}`);
      expect(reuse.body.error).toBe('invalid_grant');
      expect((await me(b, rotated.body.access_token)).status).toBe(401);
    });

    it('reads other instances\' keys on an unknown kid at most once per cooldown', async () => {
      const clock = new FakeClock();
      const store = new MemoryStore(clock);
      const a = await start(clock, {}, store);
      // A token with a kid nobody published makes A read the key set now.
      const stranger = await generateKeyPair('EdDSA');
      const junk = await new SignJWT({ client_id: 'demo-client', jti: 'j' })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'unknown-kid' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('x')
        .setIssuedAt(clock.now() / 1000)
        .setExpirationTime(clock.now() / 1000 + 60)
        .sign(stranger.privateKey);
      expect((await me(a, junk)).status).toBe(401);
      // B starts within the cooldown: A does not read again yet, so B's token is unknown to A for now.
      const b = await start(clock, {}, store);
      const fromB = (await signIn(b)).access_token;
      expect((await me(a, fromB)).status).toBe(401);
      clock.advance(2000);
      await me(a, fromB).expect(200);
    });

    it('fails closed when other instances\' keys cannot be read, and recovers', async () => {
      const clock = new FakeClock();
      const store = new FlakyStore(clock);
      const a = await start(clock, {}, store);
      const b = await start(clock, {}, store);
      const fromB = (await signIn(b)).access_token;
      store.down = true;
      try {
        const res = await me(a, fromB);
        expect(res.status).toBe(503);
        expect((await request(a.getHttpServer()).get('/.well-known/jwks.json')).status).toBe(503);
      } finally {
        store.down = false;
      }
      clock.advance(2000);
      await me(a, fromB).expect(200);
    });

    it('re-publishes a key the store lost (e.g. a flushed Redis) within a minute of signing', async () => {
      const clock = new FakeClock();
      const store = new MemoryStore(clock);
      const a = await start(clock, {}, store);
      const b = await start(clock, {}, store);
      await store.delete('tokens:keys');
      const early = (await signIn(a)).access_token;
      expect((await me(b, early)).status).toBe(401);
      clock.advance(61_000);
      const later = (await signIn(a)).access_token;
      await me(b, later).expect(200);
      await me(b, early).expect(200);
    });

    it('rotates keys: tokens of the old key verify until they expire, then the old key leaves the JWKS', async () => {
      const clock = new FakeClock();
      const store = new MemoryStore(clock);
      const options: TokenAppOptions = { tokens: { accessTokenTtlSeconds: 7200, signing: { rotateAfterSeconds: 3600 } } };
      const a = await start(clock, options, store);
      const b = await start(clock, options, store);
      const old = (await signIn(a)).access_token;
      clock.advance(3601_000);
      const fresh = (await signIn(a)).access_token;
      expect(kidOf(fresh)).not.toBe(kidOf(old));
      await me(a, old).expect(200);
      await me(b, old).expect(200);
      await me(b, fresh).expect(200);
      expect((await jwks(b)).map((key) => key.kid)).toEqual(expect.arrayContaining([kidOf(old), kidOf(fresh)]));
      clock.advance(3600_000 + 10 * 60_000);
      expect((await me(a, old)).status).toBe(401);
      const kids = (await jwks(a)).map((key) => key.kid);
      expect(kids).not.toContain(kidOf(old));
      expect(kids).toContain(kidOf(fresh));
    });

    it.each(['ES256', 'RS256', 'PS256', 'ES384'] as const)('generates %s keys on request', async (alg) => {
      const app = await start(new FakeClock(), { tokens: { signing: { alg } } });
      const token = (await signIn(app)).access_token;
      expect(decodeProtectedHeader(token).alg).toBe(alg);
      await me(app, token).expect(200);
      expect((await jwks(app))[0]).toEqual(expect.objectContaining({ kid: kidOf(token), alg, use: 'sig' }));
    });
  });

  describe('configured keys', () => {
    it('signs HS256 with a shared secret: instances agree without the store, and there is no JWKS', async () => {
      const clock = new FakeClock();
      const tokens: Partial<TokenOptions> = { signing: { secret: SECRET } };
      const a = await start(clock, { tokens });
      const b = await start(clock, { tokens });
      const token = (await signIn(a)).access_token;
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
      await me(b, token).expect(200);
      await request(a.getHttpServer()).get('/.well-known/jwks.json').expect(404);
    });

    it('signs with a configured PEM key, publishes it with previous keys, and verifies tokens of a previous key', async () => {
      const current = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const previous = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const previousJwk = { ...(previous.publicKey.export({ format: 'jwk' }) as Record<string, string>), kid: 'previous', alg: 'ES256' };
      const clock = new FakeClock();
      const app = await start(clock, {
        tokens: {
          signing: {
            privateKey: current.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
            previousPublicKeys: [previousJwk],
          },
        },
      });
      const token = (await signIn(app)).access_token;
      const currentJwk = current.publicKey.export({ format: 'jwk' }) as Record<string, string>;
      const thumbprint = await calculateJwkThumbprint(currentJwk);
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: thumbprint });
      await me(app, token).expect(200);
      expect((await jwks(app)).map((key) => key.kid)).toEqual([thumbprint, 'previous']);

      const claims = decodeJwt(token);
      const fromPrevious = await new SignJWT({ ...claims, jti: 'from-previous-key' })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'previous' })
        .sign(await importPKCS8(previous.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 'ES256'));
      await me(app, fromPrevious).expect(200);
    });

    it('signs with a private JWK and its configured kid', async () => {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const app = await start(new FakeClock(), { tokens: { signing: { privateKey: await exportJWK(privateKey), kid: 'rsa-1', alg: 'PS256' } } });
      const token = (await signIn(app)).access_token;
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'PS256', typ: 'at+jwt', kid: 'rsa-1' });
      await me(app, token).expect(200);
      const [key] = await jwks(app);
      expect(key).toEqual(expect.objectContaining({ kty: 'RSA', kid: 'rsa-1', alg: 'PS256' }));
      expect(key).not.toHaveProperty('d');
    });

    it('refuses a token signed by a key it does not know, or with another algorithm', async () => {
      const clock = new FakeClock();
      const a = await start(clock, { tokens: { signing: { secret: SECRET } } });
      const b = await start(clock, { tokens: { signing: { secret: `${SECRET}-but-another-one` } } });
      expect((await me(b, (await signIn(a)).access_token)).status).toBe(401);
      const c = await start(clock);
      expect((await me(c, (await signIn(a)).access_token)).status).toBe(401);
    });
  });

  describe('the JWT strategy with a `jwt` section and no keys of its own', () => {
    it('verifies the app\'s own tokens with the token service\'s keys and the configured claim mapping', async () => {
      const app = await start(new FakeClock(), {
        options: { jwt: { algorithms: ['EdDSA'], issuer: ISSUER, audience: AUDIENCE, claims: { username: 'preferred_username', roles: 'no-roles-here' } } },
      });
      const res = await me(app, (await signIn(app)).access_token).expect(200);
      expect(res.body).toEqual(expect.objectContaining({ username: 'alice', roles: [] }));
    });
  });

  describe('a `jwt` section with keys of its own', () => {
    afterEach(() => jest.restoreAllMocks());

    it('verifies with those keys only, and says so at boot unless they are the token service\'s secret', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const other = await start(new FakeClock(), { options: { jwt: { algorithms: ['HS256'], secret: `${SECRET}-other`, issuer: ISSUER, audience: AUDIENCE } } });
      expect((await me(other, (await signIn(other)).access_token)).status).toBe(401);
      expect(warn.mock.calls.map(([message]) => message)).toContainEqual(expect.stringContaining('will not accept the access tokens of the token endpoint'));
      warn.mockClear();
      const same = await start(new FakeClock(), {
        options: { jwt: { algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE } },
        tokens: { signing: { secret: SECRET } },
      });
      await me(same, (await signIn(same)).access_token).expect(200);
      expect(warn.mock.calls.map(([message]) => message)).not.toContainEqual(expect.stringContaining('will not accept'));
    });
  });

  describe('configuration errors fail at boot with the fix', () => {
    const cases: [string, TokenAppOptions, RegExp][] = [
      ['a short HS256 secret', { tokens: { signing: { secret: 'short' } } }, /too short for HS256.*openssl rand/],
      ['an unreadable private key', { tokens: { signing: { privateKey: 'not a key' } } }, /privateKey cannot be read/],
      ['a public JWK as private key', { tokens: { signing: { privateKey: { kty: 'OKP', crv: 'Ed25519', x: 'abc' } } } }, /public JWK/],
      [
        'an algorithm that does not fit the key',
        { tokens: { signing: { privateKey: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, alg: 'RS256' } } },
        /alg is RS256 but the private key is a ed25519 key/,
      ],
      ['a weak RSA key', { tokens: { signing: { privateKey: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string } } }, /RSA \(2048 bits or more\)/],
      ['both a secret and a private key', { tokens: { signing: { secret: SECRET, privateKey: 'x' } as never } }, /both a secret and a privateKey/],
      ['an unknown algorithm', { tokens: { signing: { alg: 'HS512' as never } } }, /Use one of: EdDSA/],
      ['a missing issuer', { tokens: { issuer: undefined as never } }, /tokens.issuer is required/],
      ['a plain client secret', { tokens: { clients: [{ id: 'x', secretHash: 'plain-secret' }] } }, /hashClientSecret/],
      ['a confidential default client', { tokens: { clients: [{ id: 'x', secretHash: hashClientSecret('s') }], defaultClient: 'x' } }, /not a public client/],
      ['an unknown scope on a client', { tokens: { clients: [{ id: 'x', scopes: ['nope'] }], defaultClient: 'x' } }, /not in tokens.scopes/],
      ['a bad endpoint path', { tokenEndpoints: { token: 'auth/token' } }, /endpoint "token" is set to "auth\/token"/],
      ['a negative lifetime', { tokens: { accessTokenTtlSeconds: -1 } }, /accessTokenTtlSeconds/],
    ];
    it.each(cases)('%s', async (_name, options, message) => {
      await expect(boot(adapter, new FakeClock(), options)).rejects.toThrow(message);
    });

    it('mounting the endpoints without `tokens`', async () => {
      const { Module, Controller, Get } = await import('@nestjs/common');
      const { AuthModule } = await import('../lib/index.js');
      @Controller()
      class EmptyController {
        @Get('x')
        x() {
          return 1;
        }
      }
      const options: AuthModuleOptions = { jwt: { algorithms: ['HS256'], secret: SECRET } };
      @Module({ imports: [AuthModule.forRoot({ ...options, tokenEndpoints: true })], controllers: [EmptyController] })
      class NoTokensModule {}
      await expect(createApp(adapter, { imports: [NoTokensModule] })).rejects.toThrow(/token endpoint needs the `tokens` options/);
    });
  });
});
