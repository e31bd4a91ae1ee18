import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { DocumentBuilder } from '@nestjs/swagger';
import type { AuthModuleOptions, AuthStore } from '../lib/index.js';
import { createAuthDocument } from '../lib/openapi/index.js';
import { dpopTestModule } from './fixtures/dpop-app.js';
import { ADAPTERS, type AdapterName, createApp } from './helpers/create-app.js';
import { DpopKey } from './helpers/dpop.js';
import { STORE_VARIANTS } from './helpers/store-variants.js';
import { signTestToken } from './helpers/tokens.js';

const ALGS = 'ES256 EdDSA Ed25519 PS256 RS256';
const ORIGIN = 'https://api.example.test';

interface Api {
  app: INestApplication;
  base: string;
}

async function start(adapter: AdapterName, options: AuthModuleOptions, extras: { resourceMetadataEndpoint?: boolean | string } = {}): Promise<Api> {
  const app = await createApp(adapter, { imports: [dpopTestModule(options, extras)] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}` };
}

/** A request with `Authorization: DPoP <token>` and the proof given. */
function dpopCall(api: Api, path: string, token: string, proof: string | undefined, method = 'GET'): Promise<Response> {
  const headers: Record<string, string> = { authorization: `DPoP ${token}` };
  if (proof !== undefined) headers.dpop = proof;
  return fetch(api.base + path, { method, headers });
}

const boundToken = (key: DpopKey, expiresIn = 300) => signTestToken({ cnf: { jkt: key.jkt } }, { expiresIn });

describe.each(ADAPTERS)('DPoP on the jwt strategy (%s)', (adapter) => {
  let api: Api;
  let key: DpopKey;
  const url = (path: string) => api.base + path;

  beforeAll(async () => {
    api = await start(adapter, { dpop: {}, protectedResource: { resource: 'https://api.example.test' } });
    key = await DpopKey.generate();
  });
  afterAll(() => api.app.close());

  it('accepts a DPoP-bound token with a valid proof, and names the key on the principal', async () => {
    const token = await boundToken(key);
    const res = await dpopCall(api, '/me', token, await key.proof({ htu: url('/me'), accessToken: token }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'user-1', strategy: 'jwt', jkt: key.jkt });
  });

  it('compares htu without query and fragment, with scheme and host normalized (RFC 9449 §4.3)', async () => {
    const token = await boundToken(key);
    const htu = url('/me').replace('http://127.0.0.1', 'HTTP://127.0.0.1') + '?page=2#top';
    const res = await fetch(url('/me?page=3'), { headers: { authorization: `DPoP ${token}`, dpop: await key.proof({ htu, accessToken: token }) } });
    expect(res.status).toBe(200);
  });

  it('still accepts unbound tokens as Bearer (dpop: allowed)', async () => {
    const res = await fetch(url('/me'), { headers: { authorization: `Bearer ${await signTestToken()}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'user-1', strategy: 'jwt', jkt: null });
  });

  it('challenges with Bearer and DPoP algs, each with resource_metadata (RFC 9728 §5.1)', async () => {
    const res = await fetch(url('/me'));
    expect(res.status).toBe(401);
    const metadata = 'resource_metadata="https://api.example.test/.well-known/oauth-protected-resource"';
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="test", ${metadata}, DPoP realm="test", algs="${ALGS}", ${metadata}`);
  });

  const refusals: [string, (token: string) => Promise<[string, string | undefined, string?]>, string, string][] = [
    ['a request without a proof', async () => ['/me', undefined], 'invalid_dpop_proof', 'The request lacks a DPoP proof'],
    ['a proof for another method (htm)', async (t) => ['/me', await key.proof({ htm: 'POST', htu: url('/me'), accessToken: t })], 'invalid_dpop_proof', 'The DPoP proof is for another HTTP method (htm)'],
    ['a proof for another URL (htu)', async (t) => ['/me', await key.proof({ htu: url('/strict'), accessToken: t })], 'invalid_dpop_proof', 'The DPoP proof is for another URL (htu)'],
    ['a proof for another host (htu)', async (t) => ['/me', await key.proof({ htu: 'http://localhost:1/me', accessToken: t })], 'invalid_dpop_proof', 'The DPoP proof is for another URL (htu)'],
    ['a stale proof (iat two minutes ago)', async (t) => ['/me', await key.proof({ htu: url('/me'), accessToken: t, iat: Math.floor(Date.now() / 1000) - 120 })], 'invalid_dpop_proof', 'The DPoP proof is too old or not yet valid (iat)'],
    ['a proof from the future (iat)', async (t) => ['/me', await key.proof({ htu: url('/me'), accessToken: t, iat: Math.floor(Date.now() / 1000) + 60 })], 'invalid_dpop_proof', 'The DPoP proof is too old or not yet valid (iat)'],
    ['a proof for another token (ath)', async (t) => ['/me', await key.proof({ htu: url('/me'), accessToken: t + 'x' })], 'invalid_dpop_proof', 'The DPoP proof is for another access token (ath)'],
    ['a proof without ath', async (t) => ['/me', await key.proof({ htu: url('/me'), accessToken: null }), t], 'invalid_dpop_proof', 'The DPoP proof is for another access token (ath)'],
    ['a proof of typ JWT', async (t) => ['/me', await key.proof({ htu: url('/me'), accessToken: t, typ: 'JWT' })], 'invalid_dpop_proof', 'The DPoP proof has an unexpected typ header'],
    ['a proof carrying its private key', async (t) => ['/me', await key.proof({ htu: url('/me'), accessToken: t, jwk: key.privateJwk })], 'invalid_dpop_proof', 'The DPoP proof key must be a public key'],
    ['a malformed proof', async () => ['/me', 'not-a-jwt'], 'invalid_dpop_proof', 'The DPoP proof is malformed'],
  ];

  it.each(refusals)('refuses %s: 401, DPoP error', async (_name, make, error, description) => {
    const token = await boundToken(key);
    const [path, proof] = await make(token);
    const res = await dpopCall(api, path, token, proof);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ statusCode: 401, message: description });
    const challenge = res.headers.get('www-authenticate')!;
    expect(challenge).toContain(`DPoP realm="test", algs="${ALGS}", error="${error}", error_description="${description}"`);
    expect(challenge).toMatch(/^Bearer realm="test", resource_metadata="[^"]+", DPoP /);
  });

  it('refuses a proof signed with an algorithm outside the allowlist', async () => {
    const es512 = await DpopKey.generate('ES512');
    const token = await boundToken(es512);
    const res = await dpopCall(api, '/me', token, await es512.proof({ htu: url('/me'), accessToken: token }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof", error_description="The DPoP proof uses an algorithm that is not accepted"');
  });

  it('refuses a replayed proof', async () => {
    const token = await boundToken(key);
    const proof = await key.proof({ htu: url('/me'), accessToken: token });
    expect((await dpopCall(api, '/me', token, proof)).status).toBe(200);
    const replay = await dpopCall(api, '/me', token, proof);
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof", error_description="The DPoP proof was used before"');
  });

  it('refuses a proof made with another key than the token is bound to', async () => {
    const other = await DpopKey.generate();
    const token = await boundToken(key);
    const res = await dpopCall(api, '/me', token, await other.proof({ htu: url('/me'), accessToken: token }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('DPoP realm="test", algs="' + ALGS + '", error="invalid_token", error_description="The access token is bound to another key"');
  });

  it('refuses a DPoP-bound token sent as Bearer (RFC 9449 §7.2)', async () => {
    const res = await fetch(url('/me'), { headers: { authorization: `Bearer ${await boundToken(key)}` } });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate')!;
    expect(challenge).toContain('error="invalid_token", error_description="The access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof"');
    expect(challenge).toMatch(/^Bearer realm="test", resource_metadata="[^"]+", DPoP realm="test"/);
  });

  it('refuses an unbound token sent as DPoP', async () => {
    const token = await signTestToken();
    const res = await dpopCall(api, '/me', token, await key.proof({ htu: url('/me'), accessToken: token }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token", error_description="The access token is not DPoP-bound"');
  });

  it('tells an expired token sent as DPoP on the DPoP challenge', async () => {
    const token = await boundToken(key, -60);
    const res = await dpopCall(api, '/me', token, await key.proof({ htu: url('/me'), accessToken: token }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('DPoP realm="test", algs="' + ALGS + '", error="invalid_token", error_description="The access token expired"');
  });

  it("a route with @Auth({ dpop: 'required' }) refuses an unbound Bearer token, with a DPoP challenge", async () => {
    const res = await fetch(url('/strict'), { headers: { authorization: `Bearer ${await signTestToken()}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(
      'DPoP realm="test", algs="' + ALGS + '", error="invalid_token", error_description="This resource requires a DPoP-bound access token"',
    );
    const token = await boundToken(key);
    const ok = await dpopCall(api, '/strict', token, await key.proof({ htu: url('/strict'), accessToken: token }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ id: 'user-1', jkt: key.jkt });
  });

  it('describes DPoP in the OpenAPI document: the scheme, and the routes that require it', () => {
    const document = createAuthDocument(api.app, new DocumentBuilder().setTitle('dpop').setVersion('1').build());
    expect(document.components?.securitySchemes?.jwt).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: `JWT access tokens as Bearer; DPoP-bound tokens (RFC 9449) as Authorization: DPoP <token> with a DPoP proof header signed with one of ${ALGS.replaceAll(' ', ', ')}.`,
    });
    expect(document.paths['/strict'].get).toMatchObject({ 'x-dpop': 'required', security: [{ jwt: [] }] });
    expect(document.paths['/transfer'].get).toMatchObject({
      'x-required-authentication': { acr_values: ['urn:example:mfa', 'urn:example:hardware-key'], max_age: 300 },
    });
    expect(document.paths['/transfer'].get?.responses[403]).toBeUndefined();
  });

  it('checks htm against a POST', async () => {
    const token = await boundToken(key);
    const ok = await dpopCall(api, '/me', token, await key.proof({ htm: 'POST', htu: url('/me'), accessToken: token }), 'POST');
    expect(ok.status).toBe(201);
  });

  it('answers a missing scope on the Bearer challenge, with resource_metadata', async () => {
    const token = await boundToken(key);
    const res = await dpopCall(api, '/items/write', token, await key.proof({ htu: url('/items/write'), accessToken: token }));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="test", error="insufficient_scope", error_description="The access token lacks a required scope", scope="items:write", resource_metadata="https://api.example.test/.well-known/oauth-protected-resource"',
    );
  });
});

describe('DPoP configuration', () => {
  it("fails the boot when a route requires DPoP and none of its strategies takes it, naming the route and the fix", async () => {
    await expect(createApp('express', { imports: [dpopTestModule({})] })).rejects.toThrow(
      "nest-warden: @Auth({ dpop: 'required' }) on DpopTestController.strict, but none of its strategies (jwt) takes DPoP. Add a dpop section",
    );
  });

  it('refuses a short nonce secret and an unknown mode at boot', async () => {
    await expect(createApp('express', { imports: [dpopTestModule({ dpop: { nonce: { secret: 'short' } } })] })).rejects.toThrow(
      'dpop.nonce.secret is shorter than 32 bytes',
    );
    await expect(createApp('express', { imports: [dpopTestModule({ dpop: { mode: 'sometimes' as 'allowed' } })] })).rejects.toThrow(
      `dpop.mode "sometimes" is not a DPoP mode. Use 'required' or 'allowed'.`,
    );
  });
});

describe.each(ADAPTERS)('protected resource metadata configuration (%s)', (adapter) => {
  it('refuses a plain-http resource on a public host at boot, with the fix', async () => {
    await expect(createApp(adapter, { imports: [dpopTestModule({ dpop: {}, protectedResource: { resource: 'http://api.example.com' } })] })).rejects.toThrow(
      'protectedResource.resource "http://api.example.com" is not an https URL without a fragment. Use e.g. "https://api.example.com" (http only for localhost and 127.0.0.1).',
    );
  });

  it('serves a resource with a path under the well-known path followed by it (RFC 9728 §3.1), and says where when mounted elsewhere', async () => {
    const options = { dpop: {}, protectedResource: { resource: 'https://api.example.com/v2' } };
    await expect(createApp(adapter, { imports: [dpopTestModule(options, { resourceMetadataEndpoint: true })] })).rejects.toThrow(
      'Mount it at /.well-known/oauth-protected-resource/v2 (resourceMetadataEndpoint: "/.well-known/oauth-protected-resource/v2")',
    );
    const api = await start(adapter, options, { resourceMetadataEndpoint: '/.well-known/oauth-protected-resource/v2' });
    try {
      const document = await fetch(`${api.base}/.well-known/oauth-protected-resource/v2`);
      expect(await document.json()).toMatchObject({ resource: 'https://api.example.com/v2', bearer_methods_supported: ['header'] });
      const bare = await fetch(`${api.base}/me`);
      expect(bare.headers.get('www-authenticate')).toContain('resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/v2"');
    } finally {
      await api.app.close();
    }
  });
});

describe.each(ADAPTERS)('DPoP required by the strategy, with server nonces (%s)', (adapter) => {
  let api: Api;
  let key: DpopKey;
  const url = (path: string) => api.base + path;

  beforeAll(async () => {
    api = await start(adapter, { dpop: { mode: 'required', nonce: { secret: 'a-nonce-secret-of-at-least-32-bytes!!' }, algorithms: ['ES256'] } });
    key = await DpopKey.generate();
  });
  afterAll(() => api.app.close());

  it('challenges with DPoP only, and refuses Bearer tokens', async () => {
    const bare = await fetch(url('/me'));
    expect(bare.headers.get('www-authenticate')).toBe('DPoP realm="test", algs="ES256"');
    const res = await fetch(url('/me'), { headers: { authorization: `Bearer ${await signTestToken()}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'DPoP realm="test", algs="ES256", error="invalid_token", error_description="This resource requires a DPoP-bound access token"',
    );
  });

  it('answers a proof without nonce with use_dpop_nonce and a DPoP-Nonce, then accepts the retry (RFC 9449 §9)', async () => {
    const token = await boundToken(key);
    const first = await dpopCall(api, '/me', token, await key.proof({ htu: url('/me'), accessToken: token }));
    expect(first.status).toBe(401);
    expect(first.headers.get('www-authenticate')).toBe(
      'DPoP realm="test", algs="ES256", error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
    );
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toMatch(/^[a-z0-9]+\.[A-Za-z0-9_-]{43}$/);
    const retry = await dpopCall(api, '/me', token, await key.proof({ htu: url('/me'), accessToken: token, nonce: nonce! }));
    expect(retry.status).toBe(200);
    const forged = await dpopCall(api, '/me', token, await key.proof({ htu: url('/me'), accessToken: token, nonce: nonce!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) }));
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="use_dpop_nonce"');
  });
});

describe.each(ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((variant) => [adapter, variant] as const)))(
  'DPoP replay records in the store (%s, %s)',
  (adapter, variant) => {
    let apis: Api[];
    let stores: AuthStore[];
    let key: DpopKey;

    beforeAll(async () => {
      stores = variant.pair();
      apis = await Promise.all(stores.map((store) => start(adapter, { dpop: { maxProofsPerKey: 3, origin: ORIGIN }, store })));
      key = await DpopKey.generate();
    });
    afterAll(async () => {
      await Promise.all(apis.map((api) => api.app.close()));
      await Promise.all(stores.map((store) => store.close()));
    });

    it('refuses a proof replayed on another instance, and bounds the proofs per key across instances', async () => {
      const token = await boundToken(key);
      // Both instances serve one public origin (dpop.origin), as behind a balancer.
      const htu = `${ORIGIN}/me`;
      const proof = await key.proof({ htu, accessToken: token });
      expect((await dpopCall(apis[0], '/me', token, proof)).status).toBe(200);
      const replayed = await dpopCall(apis[1], '/me', token, proof);
      expect(replayed.status).toBe(401);
      expect(replayed.headers.get('www-authenticate')).toContain('error_description="The DPoP proof was used before"');

      // maxProofsPerKey: 3 per window, counted on both instances (a replay spends nothing); another key is not affected.
      expect((await dpopCall(apis[1], '/me', token, await key.proof({ htu, accessToken: token }))).status).toBe(200);
      expect((await dpopCall(apis[0], '/me', token, await key.proof({ htu, accessToken: token }))).status).toBe(200);
      const over = await dpopCall(apis[1], '/me', token, await key.proof({ htu, accessToken: token }));
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      const other = await DpopKey.generate();
      const otherToken = await boundToken(other);
      expect((await dpopCall(apis[0], '/me', otherToken, await other.proof({ htu, accessToken: otherToken }))).status).toBe(200);
    });
  },
);
