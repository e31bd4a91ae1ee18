import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  AuthError,
  AuthGuard,
  type AuthModuleOptions,
  Clock,
  JwtStrategy,
  type MaybePromise,
  OidcStrategy,
  type Principal,
  UserRevocation,
} from '../lib/index.js';
import { tokenTestModule } from './fixtures/token-app.js';
import { JWT_OPTIONS, jwtTestModule } from './fixtures/jwt-app.js';
import { oidcTestModule } from './fixtures/oidc-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { JwksServer } from './helpers/jwks-server.js';
import { API_RESOURCE, TestOpenIdProvider } from './helpers/oidc-provider.js';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testKeyPair } from './helpers/tokens.js';
import { ALICE } from './helpers/users.js';

/**
 * A per-request revocation check as the token service's deny list does it (possibly async, e.g.
 * against Redis), plugged into the strategy's `afterVerification` hook, which runs on cache hits
 * too. Test-only: the deny list itself belongs to the token service.
 */
class RevokingJwtStrategy extends JwtStrategy {
  readonly revoked = new Set<string>();
  asyncCheck = false;

  protected override afterVerification(principal: Principal): MaybePromise<Principal> {
    const check = () => {
      if (principal.tokenId !== undefined && this.revoked.has(principal.tokenId)) {
        throw new AuthError('invalid_token', { description: 'The access token was revoked', strategy: this.name });
      }
      return principal;
    };
    return this.asyncCheck ? Promise.resolve().then(check) : check();
  }
}

const expiredChallenge = 'Bearer realm="test", error="invalid_token", error_description="The access token expired"';

describe.each(ADAPTERS)('verified-token cache (%s)', (adapter) => {
  const clock = new FakeClock();
  let app: INestApplication;
  let strategy: RevokingJwtStrategy;
  const me = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
  const sign = (claims = {}, options = {}) => signTestToken(claims, { now: clock.now(), ...options });

  async function boot(options: AuthModuleOptions = JWT_OPTIONS): Promise<void> {
    app = await createApp(
      adapter,
      { imports: [jwtTestModule(options)] },
      {
        override: (b) =>
          b
            .overrideProvider(Clock)
            .useValue(clock)
            .overrideProvider(JwtStrategy)
            .useClass(RevokingJwtStrategy),
      },
    );
    strategy = app.get(JwtStrategy);
  }
  afterEach(() => app?.close());

  it('answers a repeated token from the cache: the guard returns true itself, no promise', async () => {
    await boot();
    const canActivate = jest.spyOn(app.get(AuthGuard), 'canActivate');
    const token = await sign({ sub: 'u-sync' });

    expect((await me(token).expect(200)).body.id).toBe('u-sync');
    expect(canActivate.mock.results.at(-1)!.value).toBeInstanceOf(Promise); // first time: jose, async
    expect(strategy.verifiedTokens!.has(token)).toBe(true);

    expect((await me(token).expect(200)).body.id).toBe('u-sync');
    expect(canActivate.mock.results.at(-1)!.value).toBe(true); // cached: synchronous all the way
  });

  it('with cacheSize 0 every request is verified in full (and the guard returns a promise)', async () => {
    await boot({ ...JWT_OPTIONS, jwt: { ...JWT_OPTIONS.jwt!, cacheSize: 0 } });
    const canActivate = jest.spyOn(app.get(AuthGuard), 'canActivate');
    const token = await sign();
    await me(token).expect(200);
    await me(token).expect(200);
    expect(strategy.verifiedTokens).toBeUndefined();
    expect(canActivate.mock.results.map((r) => r.value instanceof Promise)).toEqual([true, true]);
  });

  it('hands every request the same frozen principal, so no request can alter what the next one sees', async () => {
    await boot();
    const token = await sign({ roles: ['user'] });
    await me(token).expect(200);
    const cached = await strategy.verify(token);
    expect(Object.isFrozen(cached)).toBe(true);
    expect(Object.isFrozen(cached.roles)).toBe(true);
    expect(Object.isFrozen(cached.claims)).toBe(true);
  });

  it('an expired cached token is refused (FakeClock: within the 5 s tolerance it is still accepted, as jose does)', async () => {
    await boot();
    const token = await sign({}, { expiresIn: 60 });
    await me(token).expect(200);
    await me(token).expect(200);
    expect(strategy.verifiedTokens!.has(token)).toBe(true);

    clock.advance(64_000); // exp + 4 s: jose accepts (tolerance 5 s), so does the cache
    await me(token).expect(200);
    expect(strategy.verifiedTokens!.has(token)).toBe(true);

    clock.advance(1_000); // exp + 5 s: expired for jose, and for the cache
    const res = await me(token).expect(401);
    expect(res.headers['www-authenticate']).toBe(expiredChallenge);
    expect(strategy.verifiedTokens!.has(token)).toBe(false);
    clock.advance(-65_000);
  });

  it('a revoked cached token is refused on the next request (the revocation hook runs on cache hits)', async () => {
    await boot();
    const token = await sign({ jti: 'jti-1' });
    await me(token).expect(200);
    await me(token).expect(200);
    expect(strategy.verifiedTokens!.has(token)).toBe(true);

    strategy.revoked.add('jti-1');
    const res = await me(token).expect(401);
    expect(res.headers['www-authenticate']).toContain('error_description="The access token was revoked"');
    expect(res.body).toEqual({ statusCode: 401, message: 'The access token was revoked', error: 'Unauthorized' });
  });

  it('a revoked cached token is refused when the revocation check is asynchronous (a store round trip)', async () => {
    await boot();
    strategy.asyncCheck = true;
    const token = await sign({ jti: 'jti-2' });
    await me(token).expect(200);
    await me(token).expect(200);
    strategy.revoked.add('jti-2');
    await me(token).expect(401);
    await me(await sign({ jti: 'jti-3' })).expect(200);
  });

  it('a flood of distinct invalid tokens leaves the cache contents and size unchanged', async () => {
    await boot();
    const valid = await Promise.all([1, 2, 3].map((i) => sign({ sub: `u-${i}` })));
    for (const token of valid) await me(token).expect(200);
    expect(strategy.verifiedTokens!.size).toBe(3);

    const [header, payload, signature] = valid[0].split('.');
    const flood: string[] = [];
    for (let i = 0; i < 100; i++) {
      const forged = Buffer.from(JSON.stringify({ sub: `attacker-${i}`, iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: 4e9 })).toString('base64url');
      flood.push(`${header}.${forged}.${signature}`); // bad signature
    }
    for (let i = 0; i < 20; i++) flood.push(await sign({ sub: `late-${i}` }, { expiresIn: -60 })); // expired
    for (let i = 0; i < 20; i++) flood.push(await sign({ sub: `x-${i}`, iss: 'https://evil.test' })); // wrong issuer
    for (let i = 0; i < 20; i++) flood.push(`${header}.${payload}.${'A'.repeat(i + 1)}`); // truncated signature
    for (const token of flood) await me(token).expect(401);

    expect(strategy.verifiedTokens!.size).toBe(3);
    for (const token of valid) expect(strategy.verifiedTokens!.has(token)).toBe(true);
    for (const token of flood) expect(strategy.verifiedTokens!.has(token)).toBe(false);
  });

  it('stays within cacheSize however many valid tokens arrive (least recently used go first)', async () => {
    await boot({ ...JWT_OPTIONS, jwt: { ...JWT_OPTIONS.jwt!, cacheSize: 2 } });
    const tokens = await Promise.all([1, 2, 3, 4].map((i) => sign({ sub: `u-${i}` })));
    for (const token of tokens) await me(token).expect(200);
    expect(strategy.verifiedTokens!.size).toBe(2);
    expect(tokens.map((t) => strategy.verifiedTokens!.has(t))).toEqual([false, false, true, true]);
    await me(tokens[0]).expect(200); // evicted tokens are simply verified again
  });

  it('refuses a cacheSize that is not a whole number at boot', async () => {
    await expect(boot({ ...JWT_OPTIONS, jwt: { ...JWT_OPTIONS.jwt!, cacheSize: -5 } })).rejects.toThrow(/jwt\.cacheSize must be a whole number/);
  });
});

describe.each(ADAPTERS)('verified-token cache with a remote JWKS (%s)', (adapter) => {
  let jwks: JwksServer;
  let app: INestApplication;
  const me = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  async function boot(cacheMaxAgeMs?: number): Promise<JwtStrategy> {
    jwks = await new JwksServer().start();
    app = await createApp(adapter, {
      imports: [
        jwtTestModule({
          realm: 'test',
          jwt: {
            algorithms: ['ES256'],
            jwksUri: jwks.url,
            remoteJwks: { cooldownMs: 0, timeoutMs: 1000, cacheMaxAgeMs },
            issuer: TEST_ISSUER,
            audience: TEST_AUDIENCE,
          },
        }),
      ],
    });
    return app.get(JwtStrategy);
  }
  afterEach(async () => {
    await app?.close();
    await jwks?.stop();
  });

  it('a cached token whose key was rotated out of the JWKS is refused once the set is refetched', async () => {
    const strategy = await boot();
    const k1 = await testKeyPair('ES256', 'k1');
    const k2 = await testKeyPair('ES256', 'k2');
    jwks.keys = [k1.jwk];
    const t1 = await signTestToken({ sub: 'old-key' }, { alg: 'ES256', key: k1.privateKey, kid: 'k1' });
    await me(t1).expect(200);
    await me(t1).expect(200);
    expect(strategy.verifiedTokens!.has(t1)).toBe(true);
    expect(jwks.fetches).toBe(1);

    jwks.keys = [k2.jwk]; // rotation: k1 leaves the set
    await me(await signTestToken({}, { alg: 'ES256', key: k2.privateKey, kid: 'k2' })).expect(200); // unknown kid → refetch
    expect(jwks.fetches).toBe(2);

    const res = await me(t1).expect(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(strategy.verifiedTokens!.has(t1)).toBe(false);
  });

  it('notices the rotation even when the refetch came from a token that failed', async () => {
    const strategy = await boot();
    const k1 = await testKeyPair('ES256', 'k1');
    const stranger = await testKeyPair('ES256', 'k-unknown');
    jwks.keys = [k1.jwk];
    const t1 = await signTestToken({}, { alg: 'ES256', key: k1.privateKey, kid: 'k1' });
    await me(t1).expect(200);

    jwks.keys = [(await testKeyPair('ES256', 'k2')).jwk];
    await me(await signTestToken({}, { alg: 'ES256', key: stranger.privateKey, kid: 'k-unknown' })).expect(401); // refetches, then fails
    expect(jwks.fetches).toBe(2);
    await me(t1).expect(401);
    expect(strategy.verifiedTokens!.has(t1)).toBe(false);
  });

  it('keeps cached tokens whose key is still in the refetched set', async () => {
    const strategy = await boot();
    const k1 = await testKeyPair('ES256', 'k1');
    const k2 = await testKeyPair('ES256', 'k2');
    jwks.keys = [k1.jwk];
    const t1 = await signTestToken({}, { alg: 'ES256', key: k1.privateKey, kid: 'k1' });
    await me(t1).expect(200);

    jwks.keys = [k1.jwk, k2.jwk]; // k2 added, k1 stays
    await me(await signTestToken({}, { alg: 'ES256', key: k2.privateKey, kid: 'k2' })).expect(200);
    expect(jwks.fetches).toBe(2);
    const canActivate = jest.spyOn(app.get(AuthGuard), 'canActivate');
    await me(t1).expect(200);
    expect(canActivate.mock.results.at(-1)!.value).toBe(true);
    expect(strategy.verifiedTokens!.has(t1)).toBe(true);
  });

  it('never answers from a key set past its cacheMaxAge: each request refetches and verifies in full', async () => {
    await boot(0);
    const k1 = await testKeyPair('ES256', 'k1');
    jwks.keys = [k1.jwk];
    const t1 = await signTestToken({}, { alg: 'ES256', key: k1.privateKey, kid: 'k1' });
    const canActivate = jest.spyOn(app.get(AuthGuard), 'canActivate');
    await me(t1).expect(200);
    await me(t1).expect(200);
    expect(canActivate.mock.results.map((r) => r.value instanceof Promise)).toEqual([true, true]);
    expect(jwks.fetches).toBe(2);

    jwks.keys = [];
    await me(t1).expect(401);
  });
});

describe.each(ADAPTERS)('verified-token cache behind OpenID Connect (%s)', (adapter) => {
  let op: TestOpenIdProvider;
  let app: INestApplication;
  const me = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    op = await TestOpenIdProvider.start();
    app = await createApp(adapter, {
      imports: [oidcTestModule({ oidc: { issuer: op.issuer, audience: API_RESOURCE, authorizedParties: ['service'], remoteJwks: { cooldownMs: 0 } } })],
    });
  });
  afterAll(async () => {
    await app.close();
    await op.close();
  });

  it('answers a provider token from the cache once discovered and verified, synchronously', async () => {
    const strategy = app.get(OidcStrategy);
    const canActivate = jest.spyOn(app.get(AuthGuard), 'canActivate');
    const token = await op.clientCredentials({ scope: 'items:read' });
    await me(token).expect(200);
    await me(token).expect(200);
    expect(strategy.verifiedTokens!.has(token)).toBe(true);
    expect(canActivate.mock.results.map((r) => r.value instanceof Promise)).toEqual([true, false]);
  });

  it('refuses a cached provider token after the provider rotated its key out', async () => {
    const strategy = app.get(OidcStrategy);
    const token = await op.clientCredentials({ scope: 'items:read' });
    await me(token).expect(200);
    expect(strategy.verifiedTokens!.has(token)).toBe(true);

    await op.rotateKeys({ keepPrevious: false });
    await me(await op.clientCredentials({ scope: 'items:read' })).expect(200); // new kid: refetch
    await me(token).expect(401);
    expect(strategy.verifiedTokens!.has(token)).toBe(false);
  });
});

describe.each(ADAPTERS)('verified-token cache with the token service and its deny list (%s)', (adapter) => {
  describe.each(['secret', 'generated'] as const)('signing with a %s key', (signing) => {
    let app: INestApplication;
    const server = () => app.getHttpServer();
    const post = (path: string, fields: Record<string, string>) => request(server()).post(path).type('form').send(new URLSearchParams(fields).toString());
    const signIn = async () =>
      (await post('/auth/token', { grant_type: 'password', username: ALICE.username, password: ALICE.password }).expect(200)).body as {
        access_token: string;
        refresh_token: string;
      };
    const me = (token: string) => request(server()).get('/me').set('Authorization', `Bearer ${token}`);

    beforeAll(async () => {
      const tokens = signing === 'secret' ? { signing: { secret: 'token-service-secret-of-at-least-32-bytes!!' } } : {};
      app = await createApp(adapter, { imports: [tokenTestModule({ tokens })] });
    });
    afterAll(() => app.close());

    it('caches our own tokens (no second signature check), and the deny list still refuses a revoked one', async () => {
      const strategy = app.get(JwtStrategy);
      const { access_token: token } = await signIn();
      const other = (await signIn()).access_token;
      await me(token).expect(200);
      await me(token).expect(200);
      expect(strategy.verifiedTokens!.has(token)).toBe(true);

      await post('/auth/revoke', { token, token_type_hint: 'access_token' }).expect(200);
      const res = await me(token).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="test", error="invalid_token", error_description="The access token was revoked"');
      expect(strategy.verifiedTokens!.has(token)).toBe(true); // still verified; refused by the check that runs on every request
      await me(other).expect(200);
    });

    it('refuses cached tokens after a refresh token family is revoked, and after "sign out everywhere"', async () => {
      const first = await signIn();
      await me(first.access_token).expect(200);
      await post('/auth/revoke', { token: first.refresh_token, token_type_hint: 'refresh_token' }).expect(200);
      await me(first.access_token).expect(401);

      const second = await signIn();
      await me(second.access_token).expect(200);
      await app.get(UserRevocation).revokeUser(ALICE.id, 'logout-everywhere');
      await me(second.access_token).expect(401);
    });
  });
});
