import type { INestApplication } from '@nestjs/common';
import * as oauth from 'oauth4webapi';
import { authorizationRequest, freePort, signInAndAuthorize, TestBrowser } from './helpers/authorization-flow.js';
import { ADAPTERS } from './helpers/create-app.js';
import { withEnv } from './helpers/env.js';
import { SAMPLE_ALICE, startSample } from './helpers/sample.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const; // loopback http only

/**
 * The sample against design.md's "Contract additions (second plan)": RFC 8414 metadata,
 * demo-service's client credentials (client_secret_basic and client_secret_post, items:read, sub =
 * client_id = demo-service), demo-client's authorization code + PKCE at GET /auth/authorize with
 * Swagger UI's redirect URI (exact), iss in the response, no consent; introspection for
 * authenticated confidential clients only; the password grant still on. oauth4webapi as the client.
 */
describe.each(ADAPTERS)('sample app: OAuth 2.1 contract additions (%s)', (adapter) => {
  let app: INestApplication;
  let as: oauth.AuthorizationServer;
  let base: string;
  const service: oauth.Client = { client_id: 'demo-service' };
  const demoClient: oauth.Client = { client_id: 'demo-client' };

  withEnv({ JWT_SECRET: undefined, REDIS_URL: undefined, PUBLIC_URL: undefined });
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    process.env.PUBLIC_URL = base; // the issuer and Swagger UI's redirect URI follow it (restored by withEnv)
    app = await startSample(adapter, port);
    as = await oauth.processDiscoveryResponse(new URL(base), await oauth.discoveryRequest(new URL(base), { algorithm: 'oauth2', ...insecure }));
  });
  afterAll(() => app.close());

  it('publishes RFC 8414 metadata at /.well-known/oauth-authorization-server', () => {
    expect(as).toMatchObject({
      issuer: base,
      authorization_endpoint: `${base}/auth/authorize`,
      token_endpoint: `${base}/auth/token`,
      introspection_endpoint: `${base}/auth/introspect`,
      revocation_endpoint: `${base}/auth/revoke`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token', 'password']),
      token_endpoint_auth_methods_supported: expect.arrayContaining(['none', 'client_secret_basic', 'client_secret_post']),
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('demo-service: client credentials with client_secret_basic and client_secret_post, for items:read; sub and client_id are demo-service', async () => {
    for (const auth of [oauth.ClientSecretBasic('demo-service-secret'), oauth.ClientSecretPost('demo-service-secret')]) {
      const result = await oauth.processClientCredentialsResponse(as, service, await oauth.clientCredentialsGrantRequest(as, service, auth, {}, insecure));
      expect(result.scope).toBe('items:read');
      const claims = await oauth.validateJwtAccessToken(as, new Request(`${base}/items`, { headers: { Authorization: `Bearer ${result.access_token}` } }), base, insecure);
      expect(claims).toMatchObject({ sub: 'demo-service', client_id: 'demo-service' });
      expect((await fetch(`${base}/items`, { headers: { Authorization: `Bearer ${result.access_token}` } })).status).toBe(200);
    }
    const beyond = oauth.processClientCredentialsResponse(as, service, await oauth.clientCredentialsGrantRequest(as, service, oauth.ClientSecretBasic('demo-service-secret'), { scope: 'items:write' }, insecure));
    await expect(beyond).rejects.toMatchObject({ error: 'invalid_scope' });
  });

  it('demo-client asking client_credentials is unauthorized_client', async () => {
    const refused = oauth.processClientCredentialsResponse(as, demoClient, await oauth.clientCredentialsGrantRequest(as, demoClient, oauth.None(), {}, insecure));
    await expect(refused).rejects.toMatchObject({ error: 'unauthorized_client', status: 400 });
  });

  it('demo-client: authorization code + PKCE with Swagger UI redirect URI, iss in the response, no consent; /me is alice', async () => {
    const redirectUri = `${base}/docs/oauth2-redirect.html`;
    const pkce = await authorizationRequest(as, 'demo-client', redirectUri, { scope: 'items:read' });
    const callback = await signInAndAuthorize(new TestBrowser(base), pkce.url, SAMPLE_ALICE);
    expect(callback.searchParams.get('iss')).toBe(base);
    const params = oauth.validateAuthResponse(as, demoClient, callback, pkce.state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      demoClient,
      await oauth.authorizationCodeGrantRequest(as, demoClient, oauth.None(), params, redirectUri, pkce.verifier, insecure),
    );
    const me = await fetch(`${base}/me`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(await me.json()).toEqual({ id: 'alice', username: 'alice', roles: ['admin'] });
    // Exact matching: the same URI with an extra query is not registered.
    const extra = await authorizationRequest(as, 'demo-client', `${redirectUri}?x=1`);
    const page = await new TestBrowser(base).get(extra.url.toString());
    expect(page.response.status).toBe(400);
    expect(page.response.headers.get('location')).toBeNull();
  });

  it('introspection: demo-service sees its token; demo-client (public) gets 401 invalid_client', async () => {
    const auth = oauth.ClientSecretBasic('demo-service-secret');
    const { access_token } = await oauth.processClientCredentialsResponse(as, service, await oauth.clientCredentialsGrantRequest(as, service, auth, {}, insecure));
    const seen = await oauth.processIntrospectionResponse(as, service, await oauth.introspectionRequest(as, service, auth, access_token, insecure));
    expect(seen).toMatchObject({ active: true, client_id: 'demo-service', sub: 'demo-service', scope: 'items:read' });
    const res = await fetch(as.introspection_endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: access_token, client_id: 'demo-client' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });
});
