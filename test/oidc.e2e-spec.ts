import type { INestApplication } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { type AuthModuleOptions, Clock, OidcStrategy } from '../lib/index.js';
import { oidcTestModule } from './fixtures/oidc-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { LogCapture } from './helpers/log-capture.js';
import { API_RESOURCE, OTHER_RESOURCE, TestOpenIdProvider } from './helpers/oidc-provider.js';

const DISCOVERY = '/.well-known/openid-configuration';
const UNAVAILABLE = { statusCode: 503, message: 'The identity provider is temporarily unavailable', error: 'Service Unavailable' };

interface Booted {
  app: INestApplication;
  clock: FakeClock;
  logs: LogCapture;
}

/** Boots the OIDC test app; the clock starts at the real time, because the provider's tokens do. */
async function boot(adapter: (typeof ADAPTERS)[number], options: AuthModuleOptions): Promise<Booted> {
  const clock = new FakeClock(Date.now());
  const logs = new LogCapture();
  const app = await createApp(
    adapter,
    { imports: [oidcTestModule(options)] },
    { override: (b) => b.overrideProvider(Clock).useValue(clock), beforeInit: (a) => a.useLogger(logs) },
  );
  return { app, clock, logs };
}

describe.each(ADAPTERS)('OpenID Connect with a real provider (%s)', (adapter) => {
  let op: TestOpenIdProvider;
  let otherIssuer: TestOpenIdProvider;
  let booted: Booted;
  const http = () => request(booted.app.getHttpServer());
  const me = (token: string) => http().get('/me').set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    [op, otherIssuer] = await Promise.all([TestOpenIdProvider.start(), TestOpenIdProvider.start()]);
    booted = await boot(adapter, {
      oidc: {
        issuer: op.issuer,
        audience: API_RESOURCE,
        authorizedParties: ['service', 'web'],
        description: 'Company SSO',
        // Refetch the key set on every unknown kid, so rotation is seen at once (the rate limit has its own test).
        remoteJwks: { cooldownMs: 0 },
      },
    });
  });
  afterAll(async () => {
    await booted.app.close();
    await Promise.all([op.close(), otherIssuer.close()]);
  });

  it('accepts a client-credentials access token (RFC 9068 JWT) and maps its claims', async () => {
    const token = await op.clientCredentials({ scope: 'items:read' });
    const res = await me(token).expect(200);
    expect(res.body).toEqual({ id: 'service', username: null, roles: [], scopes: ['items:read'], clientId: 'service', strategy: 'oidc' });
    expect(booted.logs.messages('log').join()).toContain(`OpenID provider ${op.issuer} discovered; keys from ${op.issuer}/jwks`);
  });

  it('accepts an access token from an authorization code flow driven by the test (PKCE)', async () => {
    const { accessToken } = await op.authorizationCode('alice');
    const res = await me(accessToken).expect(200);
    expect(res.body).toMatchObject({ id: 'alice', clientId: 'web', strategy: 'oidc' });
  });

  it('enforces the scopes the provider granted (403 insufficient_scope)', async () => {
    const token = await op.clientCredentials({ scope: 'items:read' });
    await http().get('/items').set('Authorization', `Bearer ${token}`).expect(200);
    const res = await http().get('/items/write').set('Authorization', `Bearer ${token}`).expect(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="test", error="insufficient_scope", error_description="The access token lacks a required scope", scope="items:write"',
    );
    const writer = await op.clientCredentials({ scope: 'items:read items:write' });
    await http().get('/items/write').set('Authorization', `Bearer ${writer}`).expect(200);
  });

  it('answers 401 with a Bearer challenge without a token', async () => {
    const res = await http().get('/me').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="test"');
  });

  it('refuses a token from another issuer', async () => {
    const foreign = await otherIssuer.clientCredentials();
    const res = await me(foreign).expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="test", error="invalid_token"/);
  });

  it('refuses a token minted for another audience', async () => {
    const token = await op.clientCredentials({ resource: OTHER_RESOURCE });
    const res = await me(token).expect(401);
    expect(res.body.message).toBe('The access token has an unexpected aud claim');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="test", error="invalid_token", error_description="/);
  });

  it('refuses a token issued to a client that is not an authorized party', async () => {
    const token = await op.clientCredentials({ client: 'other-service' });
    const res = await me(token).expect(401);
    expect(res.body.message).toBe('The access token was issued to another client');
  });

  it('refuses an ID token used as an access token (typ is not at+jwt)', async () => {
    const { idToken } = await op.authorizationCode('alice');
    const res = await me(idToken).expect(401);
    expect(res.body.message).toBe('The access token has an unexpected typ header');
  });

  it('refuses a token with a forged signature, and an expired one', async () => {
    const token = await op.clientCredentials();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, scope: 'items:read items:write' })).toString('base64url'), signature].join('.');
    expect((await me(forged).expect(401)).body.message).toBe('The access token is invalid');
    const now = booted.clock.now();
    booted.clock.set((claims.exp + 4) * 1000); // the last second within the 5 s tolerance
    try {
      await me(token).expect(200);
      booted.clock.advance(1_000);
      expect((await me(token).expect(401)).body.message).toBe('The access token expired');
    } finally {
      booted.clock.set(now);
    }
  });

  it('follows key rotation: new keys are fetched on an unknown kid, retired keys stop working', async () => {
    const before = await op.clientCredentials();
    await me(before).expect(200);
    const jwksFetches = op.count('/jwks');

    const rolled = await op.rotateKeys({ keepPrevious: true });
    const after = await op.clientCredentials();
    expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString()).kid).toBe(rolled);
    await me(after).expect(200);
    await me(before).expect(200); // the previous key is still published
    expect(op.count('/jwks')).toBe(jwksFetches + 1);

    await op.rotateKeys({ keepPrevious: false });
    await me(await op.clientCredentials()).expect(200);
    expect((await me(before).expect(401)).body.message).toBe('The access token is invalid');
  });

  it('describes itself as an OpenAPI openIdConnect scheme that carries scopes', () => {
    const strategy = booted.app.get(OidcStrategy);
    expect(strategy.securityScheme()).toEqual({ type: 'openIdConnect', openIdConnectUrl: `${op.issuer}${DISCOVERY}`, description: 'Company SSO' });
    expect(strategy.carriesScopes).toBe(true);
    expect(strategy.providerMetadata).toMatchObject({ issuer: op.issuer, jwks_uri: `${op.issuer}/jwks` });
  });

  it('never logs a token', async () => {
    const token = await op.clientCredentials();
    await me(`${token}x`).expect(401);
    expect(booted.logs.text).not.toContain(token.split('.')[1]);
  });
});

describe.each(ADAPTERS)('OpenID Connect: JWKS refetch is rate limited (%s)', (adapter) => {
  let op: TestOpenIdProvider;
  let booted: Booted;

  beforeAll(async () => {
    op = await TestOpenIdProvider.start();
    booted = await boot(adapter, { oidc: { issuer: op.issuer, audience: API_RESOURCE } });
  });
  afterAll(async () => {
    await booted.app.close();
    await op.close();
  });

  it('tokens naming unknown kids cannot make the API hammer the provider', async () => {
    await request(booted.app.getHttpServer()).get('/me').set('Authorization', `Bearer ${await op.clientCredentials()}`).expect(200);
    const fetches = op.count('/jwks');
    const { privateKey } = await generateKeyPair('ES256');
    for (let i = 0; i < 5; i++) {
      const forged = await new SignJWT({ sub: 'mallory', client_id: 'service' })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: `unknown-${i}` })
        .setIssuer(op.issuer)
        .setAudience(API_RESOURCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      await request(booted.app.getHttpServer()).get('/me').set('Authorization', `Bearer ${forged}`).expect(401);
    }
    expect(op.count('/jwks')).toBe(fetches);
  });
});

describe.each(ADAPTERS)('OpenID Connect ID tokens (%s)', (adapter) => {
  let op: TestOpenIdProvider;
  let booted: Booted;

  beforeAll(async () => {
    op = await TestOpenIdProvider.start();
    booted = await boot(adapter, { oidc: { issuer: op.issuer, tokenType: 'id_token', clientId: 'web' } });
  });
  afterAll(async () => {
    await booted.app.close();
    await op.close();
  });

  it('accepts the ID token of the authorization code flow, issued to our client', async () => {
    const { idToken, accessToken } = await op.authorizationCode('alice');
    const res = await request(booted.app.getHttpServer()).get('/me').set('Authorization', `Bearer ${idToken}`).expect(200);
    expect(res.body).toMatchObject({ id: 'alice', username: 'alice', strategy: 'oidc' });
    const wrong = await request(booted.app.getHttpServer()).get('/me').set('Authorization', `Bearer ${accessToken}`).expect(401);
    expect(wrong.body.message).toBe('The access token has an unexpected aud claim');
  });
});

describe.each(ADAPTERS)('OpenID Connect Keycloak preset (%s)', (adapter) => {
  let op: TestOpenIdProvider;
  let booted: Booted;
  const keycloakClaims = {
    typ: 'Bearer',
    preferred_username: 'svc-bot',
    realm_access: { roles: ['offline_access', 'admin'] },
    resource_access: { 'nest-api': { roles: ['auditor', 'admin'] }, 'other-app': { roles: ['root'] } },
  };

  beforeAll(async () => {
    op = await TestOpenIdProvider.start();
    booted = await boot(adapter, {
      oidc: { issuer: op.issuer, preset: 'keycloak', clientId: 'nest-api', audience: API_RESOURCE, authorizedParties: ['service'] },
    });
  });
  afterAll(async () => {
    await booted.app.close();
    await op.close();
  });

  it('reads realm_access.roles and resource_access.<client>.roles (that client only)', async () => {
    op.accessTokenClaims = keycloakClaims;
    const token = await op.clientCredentials();
    const res = await request(booted.app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body).toMatchObject({ id: 'service', username: 'svc-bot', roles: ['offline_access', 'admin', 'auditor'] });
    await request(booted.app.getHttpServer()).get('/admin').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it.each([
    ['an ID token (typ "ID")', { ...keycloakClaims, typ: 'ID' }],
    ['a token without the typ claim', { ...keycloakClaims, typ: undefined }],
  ])('refuses %s', async (_label, claims) => {
    op.accessTokenClaims = claims;
    const token = await op.clientCredentials();
    const res = await request(booted.app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).expect(401);
    expect(res.body.message).toBe('The token is not an access token');
  });
});

describe.each(ADAPTERS)('OpenID Connect when the provider is down (%s)', (adapter) => {
  let op: TestOpenIdProvider;
  let booted: Booted;
  let token: string;
  const me = (bearer = token) => request(booted.app.getHttpServer()).get('/me').set('Authorization', `Bearer ${bearer}`);

  beforeAll(async () => {
    op = await TestOpenIdProvider.start();
    token = await op.clientCredentials();
    op.down = true;
    booted = await boot(adapter, { oidc: { issuer: op.issuer, audience: API_RESOURCE, remoteJwks: { cooldownMs: 0 } } });
  });
  afterAll(async () => {
    await booted.app.close();
    await op.close();
  });

  it('boots, then fails closed with 503 + Retry-After and a clear log', async () => {
    const res = await me().expect(503);
    expect(res.body).toEqual(UNAVAILABLE);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(booted.logs.messages('error').join('\n')).toContain(`OpenID provider discovery at ${op.issuer}${DISCOVERY} failed: it could not be reached`);
    expect(booted.logs.text).not.toContain(token.split('.')[1]);
  });

  it('retries discovery at most once per retry interval, then recovers', async () => {
    const attempts = op.count(DISCOVERY);
    expect(attempts).toBeGreaterThanOrEqual(1);
    await me().expect(503);
    op.down = false;
    await me().expect(503); // still within the retry interval: the provider is not asked
    expect(op.count(DISCOVERY)).toBe(attempts);
    booted.clock.advance(30_000);
    await me().expect(200);
    expect(op.count(DISCOVERY)).toBe(attempts + 1);
    await me().expect(200);
    expect(op.count(DISCOVERY)).toBe(attempts + 1);
  });

  it('keeps verifying with cached keys while the provider is down; an unknown kid then answers 503', async () => {
    await op.rotateKeys();
    const fresh = await op.clientCredentials();
    op.down = true;
    try {
      await me().expect(200);
      const res = await me(fresh).expect(503);
      expect(res.body).toEqual({ statusCode: 503, message: 'Token keys are temporarily unavailable', error: 'Service Unavailable' });
      expect(res.headers['retry-after']).toBe('30');
    } finally {
      op.down = false;
    }
    await me(fresh).expect(200);
  });
});

describe.each(ADAPTERS)('OpenID Connect discovery checks (%s)', (adapter) => {
  let server: Server;
  let issuer: string;
  let document: Record<string, unknown>;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(document));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['announces another issuer (OpenID Connect Discovery §4.3)', () => ({ issuer: 'https://evil.example', jwks_uri: `${issuer}/jwks` }), 'announces the issuer "https://evil.example", not the configured'],
    ['announces the issuer with a trailing slash', () => ({ issuer: `${issuer}/`, jwks_uri: `${issuer}/jwks` }), 'announces the issuer'],
    ['has no jwks_uri', () => ({ issuer }), 'has no jwks_uri'],
    ['sends its keys over plain http to a remote host', () => ({ issuer, jwks_uri: 'http://keys.example.com/jwks' }), 'has a jwks_uri that is not https'],
    ['is not an object', () => ['not', 'an', 'object'], 'did not answer a JSON object'],
  ])('refuses a provider whose discovery document %s: 503 and a log saying why', async (_label, make, reason) => {
    document = make() as Record<string, unknown>;
    const booted = await boot(adapter, { oidc: { issuer, audience: API_RESOURCE } });
    try {
      const res = await request(booted.app.getHttpServer()).get('/me').set('Authorization', 'Bearer a.b.c').expect(503);
      expect(res.body).toEqual(UNAVAILABLE);
      expect(booted.logs.messages('error').join('\n')).toContain(reason);
    } finally {
      await booted.app.close();
    }
  });

  it('still answers 401 (not 503) to requests that carry no bearer token', async () => {
    document = { issuer: 'https://evil.example', jwks_uri: `${issuer}/jwks` };
    const booted = await boot(adapter, { oidc: { issuer, audience: API_RESOURCE } });
    try {
      const res = await request(booted.app.getHttpServer()).get('/me').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="test"');
    } finally {
      await booted.app.close();
    }
  });
});

describe.each(ADAPTERS)('OpenID Connect configuration (%s)', (adapter) => {
  it('fails the boot when nothing says which tokens are meant for this API', async () => {
    await expect(boot(adapter, { oidc: { issuer: 'https://sso.example.com' } })).rejects.toThrow(/oidc has no `audience`/);
  });

  it('warns when jwt and oidc both protect routes without @Auth()', async () => {
    const booted = await boot(adapter, {
      jwt: { algorithms: ['HS256'], secret: 'test-secret-that-is-at-least-32-bytes-long!!' },
      oidc: { issuer: 'https://sso.example.com', audience: API_RESOURCE, discovery: { timeoutMs: 1 } },
    });
    try {
      expect(booted.logs.messages('warn').join('\n')).toContain('Both "jwt" and "oidc" protect routes without @Auth(...)');
    } finally {
      await booted.app.close();
    }
  });
});
