import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { PasswordHasher } from '../../lib/index.js';
import { authorizationRequest, freePort, hiddenFields, signInAndAuthorize, TestBrowser } from '../../test/helpers/authorization-flow.js';
import { ADAPTERS, createApp } from '../../test/helpers/create-app.js';
import { AppModule, serviceToken, UsersService } from './oauth.example.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const; // loopback http in the test only

/** Runs the examples of docs/oauth.md, so what the guide claims is what the code does. */
describe.each(ADAPTERS)('docs/examples/oauth (%s)', (adapter) => {
  let app: INestApplication;
  let base: string;
  let as: oauth.AuthorizationServer;
  let partnerKey: CryptoKey;
  const names = ['PUBLIC_URL', 'BILLING_CLIENT_SECRET', 'PARTNER_PUBLIC_JWK'] as const;
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const pair = await generateKeyPair('ES256');
    partnerKey = pair.privateKey;
    process.env.PUBLIC_URL = base;
    process.env.BILLING_CLIENT_SECRET = 'billing-secret-0123456789abcdef0123456789';
    process.env.PARTNER_PUBLIC_JWK = JSON.stringify({ ...(await exportJWK(pair.publicKey)), kid: 'partner-1' });
    app = await createApp(adapter, { imports: [AppModule] });
    const hasher = app.get(PasswordHasher);
    app.get(UsersService).add({ id: '42', username: 'ada', passwordHash: await hasher.hash('correct horse'), scopes: ['items:read', 'items:write'] });
    await app.listen(port, '127.0.0.1');
    as = await oauth.processDiscoveryResponse(new URL(base), await oauth.discoveryRequest(new URL(base), { algorithm: 'oauth2', ...insecure }));
  });
  afterAll(async () => {
    await app.close();
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  const get = (path: string, token: string) => fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });

  it('a service gets a token with client credentials: @Scopes lets it in, @Roles does not', async () => {
    const token = await serviceToken(new URL(base), process.env.BILLING_CLIENT_SECRET!, insecure);
    const items = await get('/items', token);
    expect(await items.json()).toEqual({ items: ['a', 'b'], for: 'service billing' });
    expect((await get('/admin/report', token)).status).toBe(403);
  });

  it('a browser app signs ada in on the branded login page: code + PKCE, then /items as ada', async () => {
    const client = { client_id: 'web-app' };
    const redirectUri = 'https://app.example.com/callback';
    const pkce = await authorizationRequest(as, client.client_id, redirectUri);
    const page = await new TestBrowser(base).get(pkce.url.toString());
    expect(page.body).toContain('<h1>Acme</h1>');
    const callback = await signInAndAuthorize(new TestBrowser(base), pkce.url, { username: 'ada', password: 'correct horse' });
    const params = oauth.validateAuthResponse(as, client, callback, pkce.state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, pkce.verifier, insecure),
    );
    expect(await (await get('/items', tokens.access_token)).json()).toEqual({ items: ['a', 'b'], for: 'user ada' });
  });

  it('the partner: consent page after sign-in, then private_key_jwt at the token endpoint', async () => {
    const client = { client_id: 'partner' };
    const redirectUri = 'https://partner.example.net/oauth/callback';
    const pkce = await authorizationRequest(as, client.client_id, redirectUri, { scope: 'items:read' });
    const browser = new TestBrowser(base);
    const login = await browser.get(pkce.url.toString());
    const signedIn = await browser.post('/auth/authorize', { ...hiddenFields(login.body), username: 'ada', password: 'correct horse' });
    const consent = await browser.get(signedIn.response.headers.get('location')!);
    expect(consent.body).toContain('Allow partner?');
    const approved = await browser.post('/auth/authorize', { ...hiddenFields(consent.body), consent: 'approve' });
    const params = oauth.validateAuthResponse(as, client, new URL(approved.response.headers.get('location')!), pkce.state);
    const auth = oauth.PrivateKeyJwt({ key: partnerKey, kid: 'partner-1' });
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, pkce.verifier, insecure),
    );
    expect(tokens.scope).toBe('items:read');
    const introspected = await oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, auth, tokens.access_token, insecure));
    expect(introspected).toMatchObject({ active: true, client_id: 'partner', sub: '42' });
  });
});
