import type { INestApplication } from '@nestjs/common';
import * as oauth from 'oauth4webapi';
import { CONFIDENTIAL_SECRET, AUDIENCE, ISSUER, tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { ALICE } from './helpers/users.js';

/**
 * A strict third-party OAuth client (panva's oauth4webapi) talks to the real endpoints over HTTP:
 * its response processing must accept our token, refresh and revocation answers, and its RFC 9068
 * validation must accept our access tokens with keys fetched from our JWKS.
 */
describe.each(ADAPTERS)('interop with oauth4webapi (%s)', (adapter) => {
  let app: INestApplication;
  let as: oauth.AuthorizationServer;
  const insecure = { [oauth.allowInsecureRequests]: true } as const; // loopback http only

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [tokenTestModule()] });
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    as = {
      issuer: ISSUER,
      token_endpoint: `${base}/auth/token`,
      revocation_endpoint: `${base}/auth/revoke`,
      jwks_uri: `${base}/.well-known/jwks.json`,
    };
  });
  afterAll(() => app.close());

  const passwordGrant = (client: oauth.Client, auth: oauth.ClientAuth, scope?: string) =>
    oauth.genericTokenEndpointRequest(as, client, auth, 'password', { username: ALICE.username, password: ALICE.password, ...(scope ? { scope } : {}) }, insecure);

  const resourceRequest = (accessToken: string) =>
    new Request('https://api.test/me', { headers: { Authorization: `Bearer ${accessToken}` } });

  it('accepts the password grant response of a public client, and RFC 9068-validates the access token via our JWKS', async () => {
    const client: oauth.Client = { client_id: 'demo-client' };
    const response = await passwordGrant(client, oauth.None(), 'items:read');
    const result = await oauth.processGenericTokenEndpointResponse(as, client, response);
    expect(result.token_type).toBe('bearer'); // oauth4webapi normalizes the (case-insensitive) type
    expect(result.scope).toBe('items:read');
    expect(result.expires_in).toBe(900);
    expect(typeof result.refresh_token).toBe('string');
    const claims = await oauth.validateJwtAccessToken(as, resourceRequest(result.access_token), AUDIENCE, insecure);
    expect(claims).toEqual(expect.objectContaining({ iss: ISSUER, sub: ALICE.id, client_id: 'demo-client', scope: 'items:read' }));
  });

  it('accepts refresh responses and rotated tokens, for a confidential client with client_secret_basic', async () => {
    const client: oauth.Client = { client_id: 'confidential' };
    const auth = oauth.ClientSecretBasic(CONFIDENTIAL_SECRET);
    const first = await oauth.processGenericTokenEndpointResponse(as, client, await passwordGrant(client, auth));
    const response = await oauth.refreshTokenGrantRequest(as, client, auth, first.refresh_token!, insecure);
    const second = await oauth.processRefreshTokenResponse(as, client, response);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const claims = await oauth.validateJwtAccessToken(as, resourceRequest(second.access_token), AUDIENCE, insecure);
    expect(claims.client_id).toBe('confidential');
  });

  it('accepts client_secret_post too', async () => {
    const client: oauth.Client = { client_id: 'confidential' };
    const result = await oauth.processGenericTokenEndpointResponse(as, client, await passwordGrant(client, oauth.ClientSecretPost(CONFIDENTIAL_SECRET)));
    expect(result.access_token).toEqual(expect.any(String));
  });

  it('accepts revocation responses, and the revoked refresh token is refused afterwards as invalid_grant', async () => {
    const client: oauth.Client = { client_id: 'demo-client' };
    const tokens = await oauth.processGenericTokenEndpointResponse(as, client, await passwordGrant(client, oauth.None()));
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), tokens.access_token, insecure));
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), tokens.refresh_token!, insecure));
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), 'unknown-token', insecure));
    const refused = oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure));
    await expect(refused).rejects.toMatchObject({ code: oauth.RESPONSE_BODY_ERROR, error: 'invalid_grant', status: 400 });
  });

  it('reads our error bodies as RFC 6749 errors (invalid_client with its challenge, invalid_grant)', async () => {
    const unknown: oauth.Client = { client_id: 'unknown-client' };
    // A 401 with a challenge surfaces as the challenge (RFC 6749 §5.2: Basic was tried, so 401 + WWW-Authenticate).
    const refused = oauth.processGenericTokenEndpointResponse(as, unknown, await passwordGrant(unknown, oauth.ClientSecretBasic('x')));
    await expect(refused).rejects.toMatchObject({
      code: oauth.WWW_AUTHENTICATE_CHALLENGE,
      status: 401,
      cause: [{ scheme: 'basic', parameters: { realm: 'test' } }],
    });
    const client: oauth.Client = { client_id: 'demo-client' };
    const wrong = await oauth.genericTokenEndpointRequest(as, client, oauth.None(), 'password', { username: 'alice', password: 'nope' }, insecure);
    await expect(oauth.processGenericTokenEndpointResponse(as, client, wrong)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });
});
