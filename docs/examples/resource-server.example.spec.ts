// Boots the examples of docs/dpop.md and docs/protected-resource-metadata.md on Express and Fastify.
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { AuthModule } from '../../lib/index.js';
import { ADAPTERS, type AdapterName, createApp } from '../../test/helpers/create-app.js';
import { DpopKey } from '../../test/helpers/dpop.js';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from '../../test/helpers/tokens.js';
import {
  AccountController,
  DpopAppModule,
  DpopTokenBinding,
  PaymentsController,
  ProtectedResourceAppModule,
  TokenBindingController,
} from './resource-server.example.js';

describe.each(ADAPTERS)('docs/dpop.md and docs/protected-resource-metadata.md examples (%s)', (adapter: AdapterName) => {
  let app: INestApplication;
  let base: string;
  let key: DpopKey;

  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [
        AuthModule.forRoot({
          jwt: { algorithms: ['HS256'], secret: TEST_SECRET, issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
          dpop: {},
          protectedResource: { resource: 'https://api.example.com' },
        }),
      ],
      controllers: [PaymentsController, AccountController, TokenBindingController],
      providers: [DpopTokenBinding],
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    key = await DpopKey.generate();
  });
  afterAll(() => app.close());

  const bearer = async (path: string, method = 'GET', claims = {}) =>
    fetch(base + path, { method, headers: { authorization: `Bearer ${await signTestToken(claims)}` } });

  it('payments: Bearer on the strategy mode, DPoP-bound tokens only where the route requires them', async () => {
    expect((await bearer('/payments')).status).toBe(200);
    expect((await bearer('/payments', 'POST')).status).toBe(401);
    const token = await signTestToken({ cnf: { jkt: key.jkt } });
    const res = await fetch(`${base}/payments`, {
      method: 'POST',
      headers: { authorization: `DPoP ${token}`, dpop: await key.proof({ htm: 'POST', htu: `${base}/payments`, accessToken: token }) },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ paidBy: 'user-1' });
  });

  it('the token endpoint binding: a proof gives the jkt to write into cnf', async () => {
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signTestToken()}`, dpop: await key.proof({ htm: 'POST', htu: `${base}/token` }) },
    });
    expect(await res.json()).toEqual({ cnf: { jkt: key.jkt } });
    const bad = await fetch(`${base}/token`, { method: 'POST', headers: { authorization: `Bearer ${await signTestToken()}`, dpop: 'x.y.z' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof is malformed' });
  });

  it('step-up: 401 insufficient_user_authentication, then 201 with a fresh strong sign-in', async () => {
    const weak = await bearer('/account/close', 'POST', { acr: 'urn:example:acr:password', auth_time: Math.floor(Date.now() / 1000) });
    expect(weak.status).toBe(401);
    expect(weak.headers.get('www-authenticate')).toContain('error="insufficient_user_authentication"');
    expect(weak.headers.get('www-authenticate')).toContain('acr_values="urn:example:acr:mfa", max_age="300"');
    const strong = await bearer('/account/close', 'POST', { acr: 'urn:example:acr:mfa', auth_time: Math.floor(Date.now() / 1000) - 10 });
    expect(strong.status).toBe(201);
  });

  it('the DPoP and protected-resource modules boot as written', async () => {
    for (const module of [DpopAppModule, ProtectedResourceAppModule]) {
      const booted = await createApp(adapter, { imports: [module], controllers: [AccountController] });
      try {
        if (module === ProtectedResourceAppModule) {
          const { default: request } = await import('supertest');
          const res = await request(booted.getHttpServer()).get('/.well-known/oauth-protected-resource').expect(200);
          expect(res.body).toEqual({
            resource: 'https://api.example.com',
            authorization_servers: ['https://sso.example.com'],
            scopes_supported: ['account:read'],
            bearer_methods_supported: ['header'],
            resource_name: 'Orders API',
            resource_documentation: 'https://api.example.com/docs',
            dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'],
            dpop_bound_access_tokens_required: false,
          });
        }
      } finally {
        await booted.close();
      }
    }
  });
});
