import type { INestApplication } from '@nestjs/common';
import * as oauth from 'oauth4webapi';
import { Clock, hashClientSecret, type TokenClientOptions } from '../lib/index.js';
import { FakeClock } from '../lib/testing/index.js';
import { TOKEN_OPTIONS, tokenTestModule } from './fixtures/token-app.js';
import { authorizationRequest, freePort, hiddenFields, signInAndAuthorize, TestBrowser } from './helpers/authorization-flow.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { STORE_VARIANTS } from './helpers/store-variants.js';
import { ALICE, BOB } from './helpers/users.js';

const WEB_SECRET = 'web-backend-secret-0123456789abcdef0123456789';
const SPA_CALLBACK = 'https://spa.test/callback';
const WEB_CALLBACK = 'https://web.test/oauth/callback';
const insecure = { [oauth.allowInsecureRequests]: true } as const; // loopback http only

/**
 * RFC 6749 §4.1 with PKCE (RFC 7636, S256 only), the sign-in through the module's login page and
 * cookie session, RFC 9207 `iss`, refresh, RFC 7662 introspection and RFC 8414 discovery, with
 * oauth4webapi as the client; every refusal. On both adapters and both stores (codes are
 * single-use through the store: ten parallel redemptions, exactly one wins).
 */
describe.each(ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((store) => [adapter, store.name, store] as const)))(
  'authorization code + PKCE (%s, %s)',
  (adapter, _name, variant) => {
    let app: INestApplication;
    let as: oauth.AuthorizationServer;
    let base: string;
    const clock = new FakeClock(Date.now());
    const spa: oauth.Client = { client_id: 'spa' };
    const web: oauth.Client = { client_id: 'web' };
    const webAuth = oauth.ClientSecretBasic(WEB_SECRET);

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      const clients: TokenClientOptions[] = [
        ...TOKEN_OPTIONS.clients!,
        { id: 'spa', redirectUris: [SPA_CALLBACK, 'http://127.0.0.1/native-callback'] },
        { id: 'other-spa', redirectUris: ['https://other.test/callback'] },
        { id: 'web', secretHash: hashClientSecret(WEB_SECRET), redirectUris: [WEB_CALLBACK] },
        { id: 'reader', redirectUris: ['https://reader.test/cb'], scopes: ['items:read'] },
      ];
      app = await createApp(
        adapter,
        { imports: [tokenTestModule({ tokens: { issuer: base, clients }, options: { session: { secure: false } } })] },
        { override: (builder) => variant.override(builder).overrideProvider(Clock).useValue(clock) },
      );
      await app.listen(port, '127.0.0.1');
      const discovered = await oauth.discoveryRequest(new URL(base), { algorithm: 'oauth2', ...insecure });
      as = await oauth.processDiscoveryResponse(new URL(base), discovered);
    });
    afterAll(() => app.close());

    const browser = () => new TestBrowser(base);
    const alice = { username: ALICE.username, password: ALICE.password };

    /** Authorization request → login page → callback parameters, checked by oauth4webapi (state, iss). */
    async function authorize(client: oauth.Client, redirectUri: string, extra: Record<string, string> = {}, who = alice) {
      const pkce = await authorizationRequest(as, client.client_id, redirectUri, extra);
      const callback = await signInAndAuthorize(browser(), pkce.url, who);
      const params = oauth.validateAuthResponse(as, client, callback, pkce.state);
      return { params, verifier: pkce.verifier, callback };
    }
    const redeem = (client: oauth.Client, auth: oauth.ClientAuth, params: URLSearchParams, redirectUri: string, verifier: string) =>
      oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, insecure);
    const me = (accessToken: string) => fetch(`${base}/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
    const tokenPost = (form: Record<string, string>) =>
      fetch(as.token_endpoint!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });

    it('discovery (RFC 8414): the metadata is generated from the configuration', () => {
      expect(as).toMatchObject({
        issuer: base,
        authorization_endpoint: `${base}/auth/authorize`,
        token_endpoint: `${base}/auth/token`,
        revocation_endpoint: `${base}/auth/revoke`,
        introspection_endpoint: `${base}/auth/introspect`,
        jwks_uri: `${base}/.well-known/jwks.json`,
        response_types_supported: ['code'],
        grant_types_supported: ['password', 'refresh_token', 'authorization_code', 'client_credentials'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
        scopes_supported: ['items:read', 'items:write'],
        token_endpoint_auth_methods_supported: expect.arrayContaining(['none', 'client_secret_basic', 'client_secret_post']),
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    });

    it('a public client: login page, code with state and iss (RFC 9207), tokens, /me, refresh', async () => {
      const { params, verifier } = await authorize(spa, SPA_CALLBACK, { scope: 'items:read' });
      const tokens = await oauth.processAuthorizationCodeResponse(as, spa, await redeem(spa, oauth.None(), params, SPA_CALLBACK, verifier));
      expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'items:read', refresh_token: expect.any(String) });
      const res = await me(tokens.access_token);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: ALICE.id, kind: 'user', clientId: 'spa', scopes: ['items:read'], amr: ['pwd'] });
      const refreshed = await oauth.processRefreshTokenResponse(as, spa, await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), tokens.refresh_token!, insecure));
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect((await me(refreshed.access_token)).status).toBe(200);
    });

    it('a confidential client (client_secret_basic), then introspection of its own access and refresh tokens (RFC 7662)', async () => {
      const { params, verifier } = await authorize(web, WEB_CALLBACK);
      const tokens = await oauth.processAuthorizationCodeResponse(as, web, await redeem(web, webAuth, params, WEB_CALLBACK, verifier));
      expect(tokens.scope).toBe('items:read items:write');
      const introspected = await oauth.processIntrospectionResponse(as, web, await oauth.introspectionRequest(as, web, webAuth, tokens.access_token, insecure));
      expect(introspected).toMatchObject({ active: true, client_id: 'web', sub: ALICE.id, username: 'alice', scope: 'items:read items:write', token_type: 'Bearer' });
      // Another client's token, garbage, and a revoked token are inactive.
      const spaTokens = await (async () => {
        const flow = await authorize(spa, SPA_CALLBACK);
        return oauth.processAuthorizationCodeResponse(as, spa, await redeem(spa, oauth.None(), flow.params, SPA_CALLBACK, flow.verifier));
      })();
      for (const token of [spaTokens.access_token, 'not-a-token']) {
        const inactive = await oauth.processIntrospectionResponse(as, web, await oauth.introspectionRequest(as, web, webAuth, token, insecure));
        expect(inactive).toEqual({ active: false });
      }
      // Its refresh token too, while it is current; a rotated-out one is inactive.
      const refreshIntrospected = await oauth.processIntrospectionResponse(as, web, await oauth.introspectionRequest(as, web, webAuth, tokens.refresh_token!, insecure));
      expect(refreshIntrospected).toMatchObject({ active: true, client_id: 'web', sub: ALICE.id, scope: 'items:read items:write' });
      await oauth.processRefreshTokenResponse(as, web, await oauth.refreshTokenGrantRequest(as, web, webAuth, tokens.refresh_token!, insecure));
      const rotatedOut = await oauth.processIntrospectionResponse(as, web, await oauth.introspectionRequest(as, web, webAuth, tokens.refresh_token!, insecure));
      expect(rotatedOut).toEqual({ active: false });
      await oauth.processRevocationResponse(await oauth.revocationRequest(as, web, webAuth, tokens.access_token, insecure));
      const revoked = await oauth.processIntrospectionResponse(as, web, await oauth.introspectionRequest(as, web, webAuth, tokens.access_token, insecure));
      expect(revoked).toEqual({ active: false });
    });

    it('introspection refuses a public client (401 invalid_client) and wrong client authentication', async () => {
      const asPublic = oauth.processIntrospectionResponse(as, spa, await oauth.introspectionRequest(as, spa, oauth.None(), 'x', insecure));
      await expect(asPublic).rejects.toMatchObject({ status: 401 });
      const res = await fetch(as.introspection_endpoint!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x&client_id=spa' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
      const wrong = oauth.processIntrospectionResponse(as, web, await oauth.introspectionRequest(as, web, oauth.ClientSecretPost('wrong'), 'x', insecure));
      await expect(wrong).rejects.toMatchObject({ status: 401 });
    });

    it('a signed-in user is not asked again: the session cookie carries over to the next authorization', async () => {
      const user = browser();
      const first = await authorizationRequest(as, 'spa', SPA_CALLBACK);
      await signInAndAuthorize(user, first.url, alice);
      const second = await authorizationRequest(as, 'spa', SPA_CALLBACK);
      const step = await user.get(second.url.toString());
      expect(step.response.status).toBe(303);
      expect(new URL(step.response.headers.get('location')!).searchParams.get('code')).toEqual(expect.any(String));
    });

    it('the login page refuses a wrong password (401 page, no code) and a form without its CSRF token (400 page)', async () => {
      const user = browser();
      const { url } = await authorizationRequest(as, 'spa', SPA_CALLBACK);
      const page = await user.get(url.toString());
      expect(page.response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.response.headers.get('x-frame-options')).toBe('DENY');
      const wrong = await user.post('/auth/authorize', { ...hiddenFields(page.body), username: 'bob', password: 'wrong' });
      expect(wrong.response.status).toBe(401);
      expect(wrong.body).toContain('Invalid username or password');
      const { csrf_token: _csrf, ...withoutCsrf } = hiddenFields(wrong.body);
      const forged = await user.post('/auth/authorize', { ...withoutCsrf, username: BOB.username, password: BOB.password });
      expect(forged.response.status).toBe(400);
      expect(forged.response.headers.get('location')).toBeNull();
      const crossSite = await user.post('/auth/authorize', { ...hiddenFields(wrong.body), username: BOB.username, password: BOB.password }, { 'sec-fetch-site': 'cross-site' });
      expect(crossSite.response.status).toBe(400);
    });

    it('two sign-in pages open in one browser: the first one still signs in (the login CSRF token is kept)', async () => {
      const user = browser();
      const first = await authorizationRequest(as, 'spa', SPA_CALLBACK);
      const second = await authorizationRequest(as, 'spa', SPA_CALLBACK);
      const firstPage = await user.get(first.url.toString());
      await user.get(second.url.toString());
      const signedIn = await user.post('/auth/authorize', { ...hiddenFields(firstPage.body), username: ALICE.username, password: ALICE.password });
      expect(signedIn.response.status).toBe(303);
    });

    it('never redirects to an unregistered redirect URI: exact match only (400 page instead)', async () => {
      for (const redirectUri of [`${SPA_CALLBACK}/extra`, `${SPA_CALLBACK}?x=1`, 'https://spa.test/callbac', 'https://evil.test/callback', 'HTTPS://spa.test/callback']) {
        const { url } = await authorizationRequest(as, 'spa', redirectUri);
        const step = await browser().get(url.toString());
        expect(step.response.status).toBe(400);
        expect(step.response.headers.get('location')).toBeNull();
        expect(step.body).toContain('redirect URI is not registered');
      }
    });

    it('an unknown client is a 400 page, never a redirect', async () => {
      const { url } = await authorizationRequest(as, 'nobody', SPA_CALLBACK);
      const step = await browser().get(url.toString());
      expect(step.response.status).toBe(400);
      expect(step.response.headers.get('location')).toBeNull();
    });

    it('refuses plain PKCE, a missing code_challenge, an unknown response_type, a scope beyond the client: redirected errors with state and iss', async () => {
      const cases: [Record<string, string>, string][] = [
        [{ code_challenge_method: 'plain' }, 'invalid_request'],
        [{ code_challenge: '', code_challenge_method: '' }, 'invalid_request'],
        [{ response_type: 'token' }, 'unsupported_response_type'],
        [{ scope: 'items:write' }, 'invalid_scope'],
        [{ scope: 'admin:everything' }, 'invalid_scope'],
      ];
      for (const [extra, error] of cases) {
        const client = extra.scope === 'items:write' ? 'reader' : 'spa';
        const redirectUri = client === 'reader' ? 'https://reader.test/cb' : SPA_CALLBACK;
        const pkce = await authorizationRequest(as, client, redirectUri, extra);
        const step = await browser().get(pkce.url.toString());
        expect(step.response.status).toBe(303);
        const location = new URL(step.response.headers.get('location')!);
        expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
        expect(() => oauth.validateAuthResponse(as, { client_id: client }, location, pkce.state)).toThrow(
          expect.objectContaining({ error, code: oauth.AUTHORIZATION_RESPONSE_ERROR }),
        );
        expect(location.searchParams.get('iss')).toBe(base);
      }
    });

    it('refuses a missing or wrong code_verifier, a code of another client, another redirect URI (invalid_grant)', async () => {
      const { params, verifier } = await authorize(spa, SPA_CALLBACK);
      const code = params.get('code')!;
      const attempts: Record<string, string>[] = [
        { client_id: 'spa', redirect_uri: SPA_CALLBACK },
        { client_id: 'spa', redirect_uri: SPA_CALLBACK, code_verifier: oauth.generateRandomCodeVerifier() },
        { client_id: 'other-spa', redirect_uri: SPA_CALLBACK, code_verifier: verifier },
        { client_id: 'spa', redirect_uri: 'http://127.0.0.1/native-callback', code_verifier: verifier },
      ];
      for (const attempt of attempts) {
        const res = await tokenPost({ grant_type: 'authorization_code', code, ...attempt });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
      }
      // None of them spent the code: the right request still redeems it.
      const tokens = await oauth.processAuthorizationCodeResponse(as, spa, await redeem(spa, oauth.None(), params, SPA_CALLBACK, verifier));
      expect(tokens.access_token).toEqual(expect.any(String));
      // An unknown client at the token endpoint.
      const unknown = await tokenPost({ grant_type: 'authorization_code', code, client_id: 'nobody', redirect_uri: SPA_CALLBACK, code_verifier: verifier });
      expect(unknown.status).toBe(401);
      // A confidential client with the wrong secret.
      const webFlow = await authorize(web, WEB_CALLBACK);
      const wrongSecret = oauth.processAuthorizationCodeResponse(as, web, await redeem(web, oauth.ClientSecretBasic('wrong'), webFlow.params, WEB_CALLBACK, webFlow.verifier));
      await expect(wrongSecret).rejects.toMatchObject({ status: 401 });
    });

    it('a code used twice: refused, and what it issued is revoked (RFC 6749 §4.1.2)', async () => {
      const { params, verifier } = await authorize(spa, SPA_CALLBACK);
      const tokens = await oauth.processAuthorizationCodeResponse(as, spa, await redeem(spa, oauth.None(), params, SPA_CALLBACK, verifier));
      expect((await me(tokens.access_token)).status).toBe(200);
      const again = oauth.processAuthorizationCodeResponse(as, spa, await redeem(spa, oauth.None(), params, SPA_CALLBACK, verifier));
      await expect(again).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
      expect((await me(tokens.access_token)).status).toBe(401);
      const refresh = oauth.processRefreshTokenResponse(as, spa, await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), tokens.refresh_token!, insecure));
      await expect(refresh).rejects.toMatchObject({ error: 'invalid_grant' });
    });

    it('ten parallel redemptions of one code: exactly one wins', async () => {
      const { params, verifier } = await authorize(spa, SPA_CALLBACK);
      const form = { grant_type: 'authorization_code', code: params.get('code')!, client_id: 'spa', redirect_uri: SPA_CALLBACK, code_verifier: verifier };
      const answers = await Promise.all(Array.from({ length: 10 }, () => tokenPost(form)));
      const statuses = answers.map((res) => res.status).sort();
      expect(statuses).toEqual([200, 400, 400, 400, 400, 400, 400, 400, 400, 400]);
    });

    it('an expired code is refused (60 s by default)', async () => {
      const { params, verifier } = await authorize(spa, SPA_CALLBACK);
      clock.advance(61_000);
      const late = oauth.processAuthorizationCodeResponse(as, spa, await redeem(spa, oauth.None(), params, SPA_CALLBACK, verifier));
      await expect(late).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    });
  },
);
