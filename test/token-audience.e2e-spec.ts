import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AuthConfigurationError, type AuthModuleOptions } from '../lib/index.js';
import { jwtTestModule } from './fixtures/jwt-app.js';
import { oidcTestModule } from './fixtures/oidc-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { JwksServer } from './helpers/jwks-server.js';
import { API_RESOURCE, OTHER_RESOURCE, TestOpenIdProvider } from './helpers/oidc-provider.js';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testKeyPair } from './helpers/tokens.js';

/**
 * Issue 18 item 4: an access token's `aud` is always checked (RFC 9068 §4, RFC 8725 §3.9), and a
 * configuration that cannot check it is refused at boot with the fix. Advisories: Zitadel
 * CVE-2026-55669 (`aud` not checked for an external IdP), Spring CVE-2026-22748 (issuer not checked
 * unless configured).
 */
describe.each(ADAPTERS)('issue 18 item 4: OIDC access tokens always have their aud checked (%s)', (adapter) => {
  let op: TestOpenIdProvider;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    op = await TestOpenIdProvider.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => op.close());

  const boot = async (options: AuthModuleOptions) => {
    app = await createApp(adapter, { imports: [oidcTestModule(options)] });
    return app;
  };

  it('refuses at boot authorizedParties without audience, naming the fix (before: a token the same client got for another API was accepted)', async () => {
    const booting = boot({ oidc: { issuer: op.issuer, authorizedParties: ['service'] } });
    await expect(booting).rejects.toThrow(AuthConfigurationError);
    await expect(boot({ oidc: { issuer: op.issuer, authorizedParties: ['service'] } })).rejects.toThrow(
      /`authorizedParties` but no `audience`.*Set audience to the aud your API expects/s,
    );
  });

  it('Zitadel CVE-2026-55669: a token the allowed client obtained for another API of the same provider is refused', async () => {
    await boot({ oidc: { issuer: op.issuer, audience: API_RESOURCE, authorizedParties: ['service'] } });
    const server = app!.getHttpServer();
    const ours = await op.clientCredentials({ resource: API_RESOURCE });
    await request(server).get('/me').set('Authorization', `Bearer ${ours}`).expect(200);
    const foreign = await op.clientCredentials({ resource: OTHER_RESOURCE });
    const res = await request(server).get('/me').set('Authorization', `Bearer ${foreign}`).expect(401);
    expect(res.body.message).toBe('The access token has an unexpected aud claim');
  });
});

describe.each(ADAPTERS)('django-allauth CVE-2025-65431: OIDC presets key the principal on sub (Entra: tid + oid), never a mutable claim (%s)', (adapter) => {
  let op: TestOpenIdProvider;
  let app: INestApplication | undefined;
  const MUTABLE = { preferred_username: 'admin', email: 'admin@example.test', upn: 'admin@example.test' };

  beforeAll(async () => {
    op = await TestOpenIdProvider.start();
  });
  afterEach(async () => {
    op.accessTokenClaims = {};
    await app?.close();
    app = undefined;
  });
  afterAll(() => op.close());

  const whoami = async (token: string) => request(app!.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  it.each(['standard', 'keycloak'] as const)('%s: the id is sub, whatever preferred_username and email say', async (preset) => {
    app = await createApp(adapter, { imports: [oidcTestModule({ oidc: { issuer: op.issuer, audience: API_RESOURCE, preset, typ: false } })] });
    op.accessTokenClaims = { ...MUTABLE, typ: 'Bearer' };
    const res = await whoami(await op.clientCredentials());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'service', username: 'admin' });
  });

  it('entra: the id is <tid>:<oid>; a token without them is refused', async () => {
    app = await createApp(adapter, { imports: [oidcTestModule({ oidc: { issuer: op.issuer, audience: API_RESOURCE, preset: 'entra' } })] });
    op.accessTokenClaims = { ...MUTABLE, tid: 'tenant-1', oid: 'object-1' };
    const res = await whoami(await op.clientCredentials());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'tenant-1:object-1', username: 'admin' });
    op.accessTokenClaims = { ...MUTABLE };
    const missing = await whoami(await op.clientCredentials());
    expect(missing.status).toBe(401);
    expect(missing.body.message).toBe('The token has no tid or oid claim');
  });
});

describe.each(ADAPTERS)('Spring CVE-2026-22748: the jwt strategy checks iss and aud (%s)', (adapter) => {
  let jwks: JwksServer;
  let app: INestApplication | undefined;
  let key: Awaited<ReturnType<typeof testKeyPair>>;

  beforeAll(async () => {
    jwks = await new JwksServer().start();
    key = await testKeyPair('ES256', 'k1');
    jwks.keys = [key.jwk];
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => jwks.stop());

  const boot = async (jwt: Record<string, unknown>) => {
    app = await createApp(adapter, { imports: [jwtTestModule({ realm: 'test', jwt: { algorithms: ['ES256'], jwksUri: jwks.url, ...jwt } })] });
    return app;
  };
  const sign = (claims: Record<string, unknown>) => signTestToken(claims, { alg: 'ES256', key: key.privateKey, kid: 'k1' });

  it('refuses at boot a remote key set without issuer, or without audience, naming the fix', async () => {
    await expect(boot({ audience: TEST_AUDIENCE })).rejects.toThrow(/has no issuer.*Set jwt\.issuer/s);
    await expect(boot({ issuer: TEST_ISSUER })).rejects.toThrow(/has no audience.*Set jwt\.audience.*audience: false/s);
  });

  it('checks iss and aud of every token from a remote key set: another tenant or API of the same keys is refused', async () => {
    await boot({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE });
    const server = app!.getHttpServer();
    await request(server).get('/me').set('Authorization', `Bearer ${await sign({})}`).expect(200);
    const otherTenant = await request(server).get('/me').set('Authorization', `Bearer ${await sign({ iss: 'https://issuer.test/other-tenant' })}`);
    expect(otherTenant.status).toBe(401);
    const otherApi = await request(server).get('/me').set('Authorization', `Bearer ${await sign({ aud: 'api://other' })}`);
    expect(otherApi.status).toBe(401);
    const noAud = await request(server).get('/me').set('Authorization', `Bearer ${await sign({ aud: undefined })}`);
    expect(noAud.status).toBe(401);
  });

  it('audience: false is an explicit opt-out for providers whose tokens carry no aud; the issuer is still checked', async () => {
    await boot({ issuer: TEST_ISSUER, audience: false });
    const server = app!.getHttpServer();
    await request(server).get('/me').set('Authorization', `Bearer ${await sign({ aud: undefined })}`).expect(200);
    await request(server).get('/me').set('Authorization', `Bearer ${await sign({ aud: undefined, iss: 'https://evil.test' })}`).expect(401);
  });
});
