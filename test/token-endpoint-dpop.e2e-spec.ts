import type { INestApplication } from '@nestjs/common';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { randomUUID } from 'node:crypto';
import { hashClientSecret, type TokenClientOptions } from '../lib/index.js';
import { AUDIENCE, ISSUER, TOKEN_OPTIONS, tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { ALICE } from './helpers/users.js';

const SERVICE_SECRET = 'service-secret-0123456789abcdef0123456789';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

/**
 * RFC 9449 §5 at the token endpoint: a request with a `DPoP` proof (checked by `DpopProofVerifier`,
 * as on resource requests) gets tokens bound to the proof's key (`cnf.jkt`, `token_type: DPoP`);
 * refresh keeps the binding, another key's proof cannot refresh, introspection shows the binding,
 * the bound token works with `Authorization: DPoP` and not as Bearer; bad proofs are 400
 * `invalid_dpop_proof`; server nonces round-trip. oauth4webapi makes the proofs.
 */
describe.each(ADAPTERS)('DPoP-bound issuance at the token endpoint (%s)', (adapter) => {
  let app: INestApplication;
  let as: oauth.AuthorizationServer;
  let keyPair: CryptoKeyPair;
  let jkt: string;
  let base: string;
  const service: oauth.Client = { client_id: 'service' };
  const serviceAuth = oauth.ClientSecretBasic(SERVICE_SECRET);

  beforeAll(async () => {
    keyPair = await generateKeyPair('ES256');
    jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    const clients: TokenClientOptions[] = [...TOKEN_OPTIONS.clients!, { id: 'service', secretHash: hashClientSecret(SERVICE_SECRET), scopes: ['items:read'] }];
    app = await createApp(adapter, { imports: [tokenTestModule({ tokens: { clients }, options: { dpop: { mode: 'allowed' } } })] });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
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

  it('the bound token works with Authorization: DPoP and a proof of its key, and is refused as Bearer', async () => {
    const DPoP = oauth.DPoP(service, keyPair);
    const tokens = await oauth.processClientCredentialsResponse(as, service, await oauth.clientCredentialsGrantRequest(as, service, serviceAuth, { scope: 'items:read' }, { ...insecure, DPoP }));
    const items = await oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${base}/items`), undefined, undefined, { ...insecure, DPoP });
    expect(items.status).toBe(200);
    const asBearer = await fetch(`${base}/items`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(asBearer.status).toBe(401);
  });

  /** A proof of our own making, to break one thing at a time. */
  const proof = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT({ jti: randomUUID(), htm: 'POST', htu: as.token_endpoint, iat: Math.floor(Date.now() / 1000), ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(keyPair.publicKey), ...header })
      .sign(keyPair.privateKey);
  const tokenRequest = (dpop: string) =>
    fetch(as.token_endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`service:${SERVICE_SECRET}`).toString('base64')}`, dpop },
      body: 'grant_type=client_credentials&scope=items:read',
    });

  it.each([
    ['another method (htm)', { htm: 'GET' }],
    ['another URL (htu)', { htu: 'https://elsewhere.test/auth/token' }],
    ['a stale iat', { iat: Math.floor(Date.now() / 1000) - 3600 }],
  ])('refuses a proof with %s: 400 invalid_dpop_proof, no token', async (_case, claims) => {
    const response = await tokenRequest(await proof(claims));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_dpop_proof' });
  });

  it('refuses a replayed proof (its jti is recorded) and a malformed one', async () => {
    const once = await proof({});
    expect((await tokenRequest(once)).status).toBe(200);
    const replayed = await tokenRequest(once);
    expect(replayed.status).toBe(400);
    expect(await replayed.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    const malformed = await tokenRequest('not-a-proof');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'invalid_dpop_proof' });
  });

  it('the metadata lists the algorithms a proof may use (RFC 9449 §5.1)', async () => {
    const metadata = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    expect(metadata.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'EdDSA']));
  });
});

describe.each(ADAPTERS)('DPoP server nonces at the token endpoint (%s)', (adapter) => {
  let app: INestApplication;
  let as: oauth.AuthorizationServer;
  const service: oauth.Client = { client_id: 'service' };

  beforeAll(async () => {
    const clients: TokenClientOptions[] = [...TOKEN_OPTIONS.clients!, { id: 'service', secretHash: hashClientSecret(SERVICE_SECRET), scopes: ['items:read'] }];
    app = await createApp(adapter, { imports: [tokenTestModule({ tokens: { clients }, options: { dpop: { mode: 'allowed', nonce: true } } })] });
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    as = { issuer: ISSUER, token_endpoint: `${base}/auth/token` };
  });
  afterAll(() => app.close());

  it('a proof without the nonce gets use_dpop_nonce and a DPoP-Nonce; oauth4webapi retries with it and gets a bound token (RFC 9449 §8)', async () => {
    const keyPair = await generateKeyPair('ES256');
    const DPoP = oauth.DPoP(service, keyPair);
    const request = () => oauth.clientCredentialsGrantRequest(as, service, oauth.ClientSecretBasic(SERVICE_SECRET), { scope: 'items:read' }, { ...insecure, DPoP });
    const first = await request();
    expect(first.status).toBe(400);
    expect(first.headers.get('dpop-nonce')).toEqual(expect.any(String));
    const refusal = await oauth.processClientCredentialsResponse(as, service, first).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(oauth.isDPoPNonceError(refusal)).toBe(true);
    const retried = await oauth.processClientCredentialsResponse(as, service, await request());
    expect(retried.token_type).toBe('dpop');
    expect(decodeJwt(retried.access_token).cnf).toEqual({ jkt: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)) });
  });
});
