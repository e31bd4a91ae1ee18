import { Injectable, type INestApplication } from '@nestjs/common';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { hashClientSecret, type TokenClientOptions } from '../lib/index.js';
import type { TokenConfirmation } from '../lib/tokens/issuance/access-tokens.js';
import type { FormRequest } from '../lib/tokens/grants/token-request.js';
import { TokenEndpoint } from '../lib/tokens/endpoint/token-endpoint.js';
import { AUDIENCE, ISSUER, TOKEN_OPTIONS, tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { ALICE } from './helpers/users.js';

const SERVICE_SECRET = 'service-secret-0123456789abcdef0123456789';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

/**
 * Stands in for DPoP proof verification (built in feat/resource-server, wired at merge into
 * `TokenEndpoint.verifiedProofConfirmation`): it takes the proof's key WITHOUT verifying the proof,
 * which is enough to show what the seam does with a thumbprint. Never do this outside a test.
 */
@Injectable()
class UnverifiedProofTokenEndpoint extends TokenEndpoint {
  protected override async verifiedProofConfirmation(request: FormRequest): Promise<TokenConfirmation | undefined> {
    const proof = request.headers.dpop;
    if (typeof proof !== 'string') return undefined;
    const { jwk } = decodeProtectedHeader(proof);
    return jwk ? { jkt: await calculateJwkThumbprint(jwk as JWK) } : undefined;
  }
}

/**
 * The DPoP seam (RFC 9449 §5): a thumbprint passed in by the token endpoint binds the issued tokens
 * (`cnf.jkt`, `token_type: DPoP`), refresh keeps the binding, another key's proof cannot refresh, and
 * introspection shows the binding. oauth4webapi sends real DPoP proofs.
 */
describe.each(ADAPTERS)('DPoP-bound issuance through the seam (%s)', (adapter) => {
  let app: INestApplication;
  let as: oauth.AuthorizationServer;
  let keyPair: CryptoKeyPair;
  let jkt: string;
  const service: oauth.Client = { client_id: 'service' };
  const serviceAuth = oauth.ClientSecretBasic(SERVICE_SECRET);

  beforeAll(async () => {
    keyPair = await generateKeyPair('ES256');
    jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    const clients: TokenClientOptions[] = [...TOKEN_OPTIONS.clients!, { id: 'service', secretHash: hashClientSecret(SERVICE_SECRET), scopes: ['items:read'] }];
    app = await createApp(adapter, { imports: [tokenTestModule({ tokens: { clients } })] }, {
      override: (builder) => builder.overrideProvider(TokenEndpoint).useClass(UnverifiedProofTokenEndpoint),
    });
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    as = { issuer: ISSUER, token_endpoint: `${base}/auth/token`, introspection_endpoint: `${base}/auth/introspect`, jwks_uri: `${base}/.well-known/jwks.json` };
  });
  afterAll(() => app.close());

  // oauth4webapi's validateJwtAccessToken would want the resource request's DPoP proof (not this seam's business).
  const claimsOf = async (accessToken: string) => {
    const claims = decodeJwt(accessToken);
    expect(claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE });
    return claims;
  };

  it('client credentials with a proof: token_type DPoP and cnf.jkt; introspection shows the binding', async () => {
    const DPoP = oauth.DPoP(service, keyPair);
    const response = await oauth.clientCredentialsGrantRequest(as, service, serviceAuth, { scope: 'items:read' }, { ...insecure, DPoP });
    const result = await oauth.processClientCredentialsResponse(as, service, response);
    expect(result.token_type).toBe('dpop');
    expect((await claimsOf(result.access_token)).cnf).toEqual({ jkt });
    const introspected = await oauth.processIntrospectionResponse(as, service, await oauth.introspectionRequest(as, service, serviceAuth, result.access_token, insecure));
    expect(introspected).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });

  it('without a proof: Bearer, no cnf', async () => {
    const result = await oauth.processClientCredentialsResponse(as, service, await oauth.clientCredentialsGrantRequest(as, service, serviceAuth, {}, insecure));
    expect(result.token_type).toBe('bearer');
    expect((await claimsOf(result.access_token)).cnf).toBeUndefined();
  });

  it('a bound refresh token stays bound: refreshed access tokens carry the same cnf.jkt; another key, or no proof (public client), cannot refresh', async () => {
    const client: oauth.Client = { client_id: 'demo-client' };
    const DPoP = oauth.DPoP(client, keyPair);
    const first = await oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await oauth.genericTokenEndpointRequest(as, client, oauth.None(), 'password', { username: ALICE.username, password: ALICE.password }, { ...insecure, DPoP }),
    );
    expect(first.token_type).toBe('dpop');
    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), first.refresh_token!, { ...insecure, DPoP }));
    expect(refreshed.token_type).toBe('dpop');
    expect((await claimsOf(refreshed.access_token)).cnf).toEqual({ jkt });
    const other = oauth.DPoP(client, await generateKeyPair('ES256'));
    const stolen = oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshed.refresh_token!, { ...insecure, DPoP: other }));
    await expect(stolen).rejects.toMatchObject({ error: 'invalid_grant' });
    const withoutProof = oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshed.refresh_token!, insecure));
    await expect(withoutProof).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
