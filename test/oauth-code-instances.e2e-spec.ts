import type { INestApplication } from '@nestjs/common';
import * as oauth from 'oauth4webapi';
import type { TokenClientOptions } from '../lib/index.js';
import { ISSUER, TOKEN_OPTIONS, tokenTestModule } from './fixtures/token-app.js';
import { authorizationRequest, signInAndAuthorize, TestBrowser } from './helpers/authorization-flow.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { STORE_VARIANTS } from './helpers/store-variants.js';
import { ALICE } from './helpers/users.js';

const CALLBACK = 'https://spa.test/callback';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

/**
 * Two instances behind one balancer (one issuer, one store): a code issued by one is redeemed on
 * the other, a replay on either is refused and revokes on both, and ten parallel redemptions spread
 * over both instances have exactly one winner.
 */
describe.each(ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((store) => [adapter, store.name, store] as const)))(
  'authorization codes across two instances (%s, %s)',
  (adapter, _name, variant) => {
    const apps: INestApplication[] = [];
    const bases: string[] = [];
    const spa: oauth.Client = { client_id: 'spa' };

    beforeAll(async () => {
      const clients: TokenClientOptions[] = [...TOKEN_OPTIONS.clients!, { id: 'spa', redirectUris: [CALLBACK] }];
      for (const store of variant.pair()) {
        const app = await createApp(adapter, { imports: [tokenTestModule({ tokens: { clients }, options: { store, session: { secure: false } } })] });
        await app.listen(0, '127.0.0.1');
        apps.push(app);
        bases.push((await app.getUrl()).replace('[::1]', '127.0.0.1'));
      }
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
    });

    const server = (index: number): oauth.AuthorizationServer => ({
      issuer: ISSUER,
      authorization_endpoint: `${bases[index]}/auth/authorize`,
      token_endpoint: `${bases[index]}/auth/token`,
    });
    const me = (index: number, token: string) => fetch(`${bases[index]}/me`, { headers: { Authorization: `Bearer ${token}` } });

    async function codeFrom(index: number) {
      const pkce = await authorizationRequest(server(index), 'spa', CALLBACK);
      const callback = await signInAndAuthorize(new TestBrowser(bases[index]), pkce.url, { username: ALICE.username, password: ALICE.password });
      return { params: oauth.validateAuthResponse(server(index), spa, callback, pkce.state), verifier: pkce.verifier };
    }

    it('a code from one instance is redeemed on the other; a replay on the first is refused and revokes on both', async () => {
      const { params, verifier } = await codeFrom(0);
      const tokens = await oauth.processAuthorizationCodeResponse(
        server(1),
        spa,
        await oauth.authorizationCodeGrantRequest(server(1), spa, oauth.None(), params, CALLBACK, verifier, insecure),
      );
      expect((await me(0, tokens.access_token)).status).toBe(200);
      const replay = oauth.processAuthorizationCodeResponse(
        server(0),
        spa,
        await oauth.authorizationCodeGrantRequest(server(0), spa, oauth.None(), params, CALLBACK, verifier, insecure),
      );
      await expect(replay).rejects.toMatchObject({ error: 'invalid_grant' });
      expect((await me(1, tokens.access_token)).status).toBe(401);
      expect((await me(0, tokens.access_token)).status).toBe(401);
    });

    it('ten parallel redemptions over both instances: exactly one wins', async () => {
      const { params, verifier } = await codeFrom(1);
      const form = new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code')!, client_id: 'spa', redirect_uri: CALLBACK, code_verifier: verifier });
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          fetch(`${bases[i % 2]}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }),
        ),
      );
      expect(answers.map((res) => res.status).sort()).toEqual([200, 400, 400, 400, 400, 400, 400, 400, 400, 400]);
    });
  },
);
