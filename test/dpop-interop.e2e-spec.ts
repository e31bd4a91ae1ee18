import type { INestApplication } from '@nestjs/common';
import * as oauth from 'oauth4webapi';
import { dpopTestModule } from './fixtures/dpop-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { API_RESOURCE, TestOpenIdProvider } from './helpers/oidc-provider.js';
import { freePort } from './helpers/redis-server.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

/**
 * Real parties on loopback: oidc-provider issues DPoP-bound access tokens (RFC 9068 JWTs with
 * `cnf.jkt`) to oauth4webapi, which then calls the API with DPoP proofs, follows its nonce, and
 * reads its RFC 9728 metadata from a bare 401.
 */
describe.each(ADAPTERS)('DPoP interop: oidc-provider and oauth4webapi (%s)', (adapter) => {
  let op: TestOpenIdProvider;
  let app: INestApplication;
  let base: string;
  let as: oauth.AuthorizationServer;
  const client: oauth.Client = { client_id: 'service' };

  beforeAll(async () => {
    op = await TestOpenIdProvider.start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await createApp(adapter, {
      imports: [
        dpopTestModule(
          {
            jwt: undefined,
            oidc: { issuer: op.issuer, audience: API_RESOURCE, authorizedParties: ['service'], dpop: 'required' },
            dpop: { nonce: true },
            protectedResource: { resource: base, resourceDocumentation: `${base}/docs` },
          },
          { resourceMetadataEndpoint: true },
        ),
      ],
    });
    await app.listen(port, '127.0.0.1');
    as = await oauth.processDiscoveryResponse(new URL(op.issuer), await oauth.discoveryRequest(new URL(op.issuer), { algorithm: 'oidc', ...insecure }));
  });
  afterAll(async () => {
    await app.close();
    await op.close();
  });

  it('finds the authorization server from a bare 401 (resource_metadata, RFC 9728)', async () => {
    const keyPair = await oauth.generateKeyPair('ES256');
    let challenge: oauth.WWWAuthenticateChallenge[] | undefined;
    try {
      await oauth.protectedResourceRequest('not-a-token', 'GET', new URL(`${base}/me`), undefined, undefined, { DPoP: oauth.DPoP(client, keyPair), ...insecure });
    } catch (error) {
      if (!(error instanceof oauth.WWWAuthenticateChallengeError)) throw error;
      challenge = error.cause;
    }
    expect(challenge).toEqual([
      {
        scheme: 'dpop',
        parameters: {
          realm: 'test',
          algs: 'ES256 EdDSA Ed25519 PS256 RS256',
          error: 'invalid_token',
          error_description: 'The access token is malformed',
          resource_metadata: `${base}/.well-known/oauth-protected-resource`,
        },
      },
    ]);
    const metadataUrl = new URL(challenge![0].parameters.resource_metadata!);
    expect(metadataUrl.href).toBe(`${base}/.well-known/oauth-protected-resource`);
    const rs = await oauth.processResourceDiscoveryResponse(new URL(base), await oauth.resourceDiscoveryRequest(new URL(base), insecure));
    expect(rs).toEqual({
      resource: base,
      authorization_servers: [op.issuer],
      scopes_supported: ['items:write'],
      bearer_methods_supported: ['header'],
      resource_documentation: `${base}/docs`,
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'],
      dpop_bound_access_tokens_required: true,
    });
    expect(rs.authorization_servers).toContain(as.issuer);
  });

  it('gets a DPoP-bound token from oidc-provider and calls the API with proofs, following the nonce', async () => {
    const keyPair = await oauth.generateKeyPair('ES256');
    const DPoP = oauth.DPoP(client, keyPair);
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic('service-secret'),
      { resource: API_RESOURCE, scope: 'items:read' },
      { DPoP, ...insecure },
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    expect(tokens.token_type).toBe('dpop');

    const call = () => oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${base}/me`), undefined, undefined, { DPoP, ...insecure });
    let nonceError: unknown;
    try {
      await call();
    } catch (error) {
      nonceError = error;
    }
    // The API requires nonces: the first call is told use_dpop_nonce with a DPoP-Nonce, which oauth4webapi keeps.
    expect(oauth.isDPoPNonceError(nonceError)).toBe(true);
    const res = await call();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; strategy: string; jkt: string };
    expect(body).toMatchObject({ id: 'service', strategy: 'oidc' });
    expect(body.jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The next call reuses the nonce: no retry needed.
    expect((await call()).status).toBe(200);
  });

  it('refuses the bound token sent as Bearer, and a proof from another key', async () => {
    const keyPair = await oauth.generateKeyPair('ES256');
    const DPoP = oauth.DPoP(client, keyPair);
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic('service-secret'), { resource: API_RESOURCE, scope: 'items:read' }, { DPoP, ...insecure }),
    );
    const asBearer = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toContain('error_description="The access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof"');

    const thief = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const steal = () => oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${base}/me`), undefined, undefined, { DPoP: thief, ...insecure });
    // The key is compared before the nonce: a thief is refused at once, never handed a nonce.
    const second = await steal().catch((error: unknown) => error);
    expect(oauth.isDPoPNonceError(second)).toBe(false);
    expect(second).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect((second as oauth.WWWAuthenticateChallengeError).cause[0].parameters).toMatchObject({
      error: 'invalid_token',
      error_description: 'The access token is bound to another key',
    });
  });
});
