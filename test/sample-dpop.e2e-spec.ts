import type { INestApplication } from '@nestjs/common';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { parseWwwAuthenticate } from '../lib/testing/index.js';
import { ADAPTERS } from './helpers/create-app.js';
import { DpopKey } from './helpers/dpop.js';
import { withEnv } from './helpers/env.js';
import { freePort } from './helpers/redis-server.js';
import { SAMPLE_ALICE, startSample } from './helpers/sample.js';

const SECRET = 'a-sample-secret-of-at-least-thirty-two-bytes!';

/**
 * design.md, "Contract additions (second plan)": the sample takes DPoP-bound tokens on every bearer
 * route, serves RFC 9728 metadata whose `resource` is PUBLIC_URL (here its default,
 * `http://localhost:PORT`), and names it in `resource_metadata` on every Bearer and DPoP challenge.
 */
describe.each(ADAPTERS)('sample app: DPoP and protected resource metadata (%s)', (adapter) => {
  let app: INestApplication;
  let base: string;
  let resource: string;
  let key: DpopKey;
  let bound: string;

  withEnv({ JWT_SECRET: SECRET, REDIS_URL: undefined, PUBLIC_URL: undefined });

  beforeAll(async () => {
    const port = await freePort();
    app = await startSample(adapter, port);
    base = `http://127.0.0.1:${port}`;
    resource = `http://localhost:${port}`;
    key = await DpopKey.generate();
    // The token endpoint binds the tokens of a request that carries a proof (RFC 9449 §5).
    const response = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await key.proof({ htm: 'POST', htu: `${base}/auth/token` }) },
      body: `grant_type=password&client_id=demo-client&username=${SAMPLE_ALICE.username}&password=${encodeURIComponent(SAMPLE_ALICE.password)}`,
    });
    const issued = (await response.json()) as { access_token: string; token_type: string };
    expect(issued.token_type).toBe('DPoP');
    bound = issued.access_token;
    expect(decodeJwt(bound).cnf).toEqual({ jkt: key.jkt });
  });
  afterAll(() => app.close());

  it('serves the RFC 9728 document with PUBLIC_URL as its resource, read by oauth4webapi', async () => {
    const metadata = await oauth.processResourceDiscoveryResponse(
      new URL(resource),
      await fetch(`${base}/.well-known/oauth-protected-resource`),
    );
    expect(metadata).toEqual({
      resource,
      authorization_servers: [resource],
      scopes_supported: ['items:read', 'items:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'nest-warden sample',
      resource_documentation: `${resource}/docs`,
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'],
      dpop_bound_access_tokens_required: false,
    });
  });

  it('names the document in resource_metadata on the Bearer and DPoP challenges of a bare 401', async () => {
    const res = await fetch(`${base}/me`);
    expect(res.status).toBe(401);
    const metadata = `${resource}/.well-known/oauth-protected-resource`;
    expect(parseWwwAuthenticate(res.headers.get('www-authenticate')!)).toEqual([
      { scheme: 'Bearer', params: { realm: 'nest-warden-sample', resource_metadata: metadata } },
      { scheme: 'DPoP', params: { realm: 'nest-warden-sample', algs: 'ES256 EdDSA Ed25519 PS256 RS256', resource_metadata: metadata } },
      { scheme: 'Cookie', params: { realm: 'nest-warden-sample', 'cookie-name': 'nw_session' } },
    ]);
  });

  it.each(['/me', '/items', '/admin/users'])('takes a DPoP-bound token with a proof on GET %s', async (path) => {
    const res = await fetch(base + path, {
      headers: { authorization: `DPoP ${bound}`, dpop: await key.proof({ htu: base + path, accessToken: bound }) },
    });
    expect(res.status).toBe(200);
  });

  it('refuses the bound token as Bearer, and a replayed proof', async () => {
    const asBearer = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${bound}` } });
    expect(asBearer.status).toBe(401);
    const proof = await key.proof({ htu: `${base}/me`, accessToken: bound });
    const call = () => fetch(`${base}/me`, { headers: { authorization: `DPoP ${bound}`, dpop: proof } });
    expect((await call()).status).toBe(200);
    const replay = await call();
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof", error_description="The DPoP proof was used before"');
  });
});
