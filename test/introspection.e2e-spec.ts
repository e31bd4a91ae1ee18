import type { INestApplication } from '@nestjs/common';
import * as oauth from 'oauth4webapi';
import request from 'supertest';
import { type AuthModuleOptions, Clock, type IntrospectionStrategyOptions } from '../lib/index.js';
import { FakeClock } from '../lib/testing/index.js';
import { dpopTestModule } from './fixtures/dpop-app.js';
import { ADAPTERS, type AdapterName, createApp } from './helpers/create-app.js';
import { INTROSPECTION_CLIENT, INTROSPECTION_POST_CLIENT, OPAQUE_RESOURCE, TestOpenIdProvider } from './helpers/oidc-provider.js';

const INTROSPECT = '/token/introspection';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

async function boot(adapter: AdapterName, clock: FakeClock, introspection: IntrospectionStrategyOptions, extra: AuthModuleOptions = {}) {
  return createApp(adapter, { imports: [dpopTestModule({ jwt: undefined, dpop: {}, introspection, ...extra })] }, { override: (b) => b.overrideProvider(Clock).useValue(clock) });
}

/** RFC 7662 token introspection against a real oidc-provider issuing opaque access tokens. */
describe.each(ADAPTERS)('token introspection with oidc-provider (%s)', (adapter) => {
  let op: TestOpenIdProvider;
  let clock: FakeClock;
  let app: INestApplication;
  let options: IntrospectionStrategyOptions;
  const me = (token: string, target = app) => request(target.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
  const opaque = (resource = OPAQUE_RESOURCE) => op.clientCredentials({ resource, scope: 'items:read' });

  beforeAll(async () => {
    op = await TestOpenIdProvider.start();
    clock = new FakeClock(Date.now());
    options = { issuer: op.issuer, ...INTROSPECTION_CLIENT, audience: OPAQUE_RESOURCE, cache: { maxAgeSeconds: 60 } };
    app = await boot(adapter, clock, options);
  });
  afterAll(async () => {
    await app.close();
    await op.close();
  });
  // The provider's tokens follow the real time: each case starts there.
  beforeEach(() => clock.set(Date.now()));

  it('accepts an active opaque token (client-authenticated POST), maps it, and caches the answer', async () => {
    const token = await opaque();
    expect(token).not.toMatch(/^ey/);
    const before = op.count(INTROSPECT);
    const res = await me(token).expect(200);
    expect(res.body).toEqual({ id: 'service', strategy: 'introspection', jkt: null });
    await me(token).expect(200);
    expect(op.count(INTROSPECT)).toBe(before + 1);
    // The cache's maximum age: past it the server is asked again.
    clock.advance(61_000);
    await me(token).expect(200);
    expect(op.count(INTROSPECT)).toBe(before + 2);
  });

  it('authenticates with client_secret_post, and fails closed (503) when the server refuses our credentials', async () => {
    const post = await boot(adapter, clock, { ...options, ...INTROSPECTION_POST_CLIENT, clientAuthentication: 'client_secret_post' });
    const wrong = await boot(adapter, clock, { ...options, clientSecret: 'not-our-secret' });
    try {
      const token = await opaque();
      await me(token, post).expect(200);
      const refused = await me(token, wrong).expect(503);
      expect(refused.body.message).toBe('The authorization server is temporarily unavailable');
    } finally {
      await Promise.all([post.close(), wrong.close()]);
    }
  });

  it('refuses an inactive token (unknown to the server)', async () => {
    const res = await me('not-a-token-the-server-issued').expect(401);
    expect(res.body).toEqual({ statusCode: 401, message: 'The access token is not active', error: 'Unauthorized' });
    expect(res.headers['www-authenticate']).toContain('Bearer realm="test", error="invalid_token", error_description="The access token is not active"');
  });

  it('refuses a token for another audience (aud)', async () => {
    const res = await me(await opaque(`${OPAQUE_RESOURCE}-other`)).expect(401);
    expect(res.body.message).toBe('The access token has an unexpected aud claim');
  });

  it('never serves a cached answer past the token\'s exp', async () => {
    const long = await boot(adapter, clock, { ...options, cache: { maxAgeSeconds: 3600 } });
    try {
      const token = await opaque();
      await me(token, long).expect(200);
      const before = op.count(INTROSPECT);
      clock.advance(301_000); // the provider's tokens live 300 s
      const res = await me(token, long).expect(401);
      expect(res.body.message).toBe('The access token expired');
      expect(op.count(INTROSPECT)).toBe(before + 1);
    } finally {
      await long.close();
    }
  });

  it('fails closed with 503 and Retry-After while the server is down, and recovers', async () => {
    const token = await opaque();
    op.down = true;
    try {
      const res = await me(token).expect(503);
      expect(res.body.message).toBe('The authorization server is temporarily unavailable');
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      op.down = false;
    }
    await me(token).expect(200);
  });

  it('fails closed when the server cannot be discovered at boot time, without failing the boot', async () => {
    const token = await opaque();
    op.down = true;
    let cold: INestApplication | undefined;
    try {
      cold = await boot(adapter, clock, options);
      await me(token, cold).expect(503);
    } finally {
      op.down = false;
    }
    clock.advance(5_000);
    await me(token, cold).expect(200);
    await cold.close();
  });

  it('reads signed introspection responses (RFC 9701) when asked', async () => {
    const signed = await boot(adapter, clock, { ...options, jwtResponse: true });
    try {
      const token = await opaque();
      const res = await me(token, signed).expect(200);
      expect(res.body).toEqual({ id: 'service', strategy: 'introspection', jkt: null });
      await me('unknown-token', signed).expect(401);
    } finally {
      await signed.close();
    }
  });

  it('takes DPoP-bound opaque tokens (cnf.jkt in the response) with a proof, and refuses them as Bearer', async () => {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const as = await oauth.processDiscoveryResponse(new URL(op.issuer), await oauth.discoveryRequest(new URL(op.issuer), { algorithm: 'oidc', ...insecure }));
    const client: oauth.Client = { client_id: 'service' };
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic('service-secret'), { resource: OPAQUE_RESOURCE, scope: 'items:read' }, { DPoP, ...insecure }),
    );
    expect(tokens.token_type).toBe('dpop');
    const res = await oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${base}/me`), undefined, undefined, { DPoP, ...insecure });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { jkt: string }).jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const asBearer = await me(tokens.access_token).expect(401);
    expect(asBearer.body.message).toBe('The access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof');
  });
});
