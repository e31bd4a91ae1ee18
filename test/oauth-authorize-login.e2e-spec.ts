import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as oauth from 'oauth4webapi';
import {
  AuthorizationLoginPage,
  type AuthorizationLoginView,
  Clock,
  DefaultAuthorizationLoginPage,
  escapeHtml,
  MfaDirectory,
  SessionService,
  type TokenClientOptions,
  TotpService,
} from '../lib/index.js';
import { FakeClock } from '../lib/testing/index.js';
import { TOKEN_OPTIONS, type TokenAppOptions, tokenTestModule } from './fixtures/token-app.js';
import { authorizationRequest, freePort, hiddenFields, signInAndAuthorize, TestBrowser } from './helpers/authorization-flow.js';
import { CaptureLogger } from './helpers/capture-logger.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { InMemoryMfaDirectory, totpCode } from './helpers/mfa.js';
import { ALICE, BOB } from './helpers/users.js';

const CALLBACK = 'https://spa.test/callback';
const CONSENT_CALLBACK = 'https://partner.test/callback';
const insecure = { [oauth.allowInsecureRequests]: true } as const;
const CLIENTS: TokenClientOptions[] = [
  ...TOKEN_OPTIONS.clients!,
  { id: 'spa', redirectUris: [CALLBACK] },
  { id: 'partner', redirectUris: [CONSENT_CALLBACK], consent: true },
];

/** A login page of the app's own, found by class in the app's module. */
@Injectable()
class BrandedLoginPage extends DefaultAuthorizationLoginPage {
  override renderLogin(view: AuthorizationLoginView): string {
    return super.renderLogin(view).replace('<h1>Sign in</h1>', `<h1>Welcome to Acme, ${escapeHtml(view.clientId)}</h1>`);
  }
}

/**
 * The sign-in step of GET /auth/authorize reuses the module's session login: the second factor
 * when enrolled, the account lockout, consent for a client that asks for it, a login page the
 * app replaces; and the boot checks of the code flow and the (now optional) password grant.
 */
describe.each(ADAPTERS)('authorization endpoint sign-in (%s)', (adapter) => {
  const clock = new FakeClock(Date.now());
  let app: INestApplication;
  let base: string;
  let as: oauth.AuthorizationServer;

  async function start(options: TokenAppOptions = {}): Promise<void> {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await createApp(
      adapter,
      {
        imports: [
          tokenTestModule({
            ...options,
            tokens: { issuer: base, clients: CLIENTS, ...options.tokens },
            options: { session: { secure: false }, ...options.options },
          }),
        ],
      },
      { override: (builder) => builder.overrideProvider(Clock).useValue(clock) },
    );
    await app.listen(port, '127.0.0.1');
    as = { issuer: base, authorization_endpoint: `${base}/auth/authorize`, token_endpoint: `${base}/auth/token` };
  }
  afterEach(() => app?.close());

  it('an enrolled user needs the second factor: the right password alone gets the wrong-password answer (issue 18 item 7); with the code, the tokens say amr pwd + otp', async () => {
    await start({ options: { mfa: { issuer: 'Authorize MFA' } }, providers: [InMemoryMfaDirectory, { provide: MfaDirectory, useExisting: InMemoryMfaDirectory }] });
    const totp = app.get(TotpService);
    const { secret } = await totp.beginEnrollment(ALICE.id, ALICE.username);
    await totp.confirmEnrollment(ALICE.id, await totpCode(secret, clock.now()));
    clock.advance(60_000);
    const pkce = await authorizationRequest(as, 'spa', CALLBACK);
    const browser = new TestBrowser(base);
    const page = await browser.get(pkce.url.toString());
    expect(page.body).toContain('name="otp"');
    const withoutCode = await browser.post('/auth/authorize', { ...hiddenFields(page.body), username: ALICE.username, password: ALICE.password });
    expect(withoutCode.response.status).toBe(401);
    // Nothing tells an attacker that the password was right before the second factor passed.
    const wrongPassword = await browser.post('/auth/authorize', { ...hiddenFields(withoutCode.body), username: ALICE.username, password: 'not-the-password' });
    expect(wrongPassword.response.status).toBe(401);
    const alert = (body: string) => /<p role="alert"[^>]*>([^<]*)<\/p>/.exec(body)?.[1];
    expect(alert(withoutCode.body)).toBe('Invalid username or password, or code.');
    expect(alert(wrongPassword.body)).toBe(alert(withoutCode.body));
    const callback = await signInAndAuthorize(new TestBrowser(base), pkce.url, {
      username: ALICE.username,
      password: ALICE.password,
      otp: await totpCode(secret, clock.now()),
    });
    const spa = { client_id: 'spa' };
    const params = oauth.validateAuthResponse(as, spa, callback, pkce.state);
    const tokens = await oauth.processAuthorizationCodeResponse(as, spa, await oauth.authorizationCodeGrantRequest(as, spa, oauth.None(), params, CALLBACK, pkce.verifier, insecure));
    const me = await fetch(`${base}/me`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect((await me.json()).amr).toEqual(['pwd', 'otp']);

    // A password-only session (e.g. from POST /auth/session) does not skip the enrolled second factor here.
    const sessions = app.get(SessionService);
    const passwordOnly = await sessions.create({ id: ALICE.id, username: ALICE.username }, { amr: ['pwd'] });
    const withSession = new TestBrowser(base);
    withSession.jar.set(sessions.settings.cookieName, passwordOnly.id);
    const again = await withSession.get((await authorizationRequest(as, 'spa', CALLBACK)).url.toString());
    expect(again.response.status).toBe(200);
    expect(again.body).toContain('Sign in again with the code from your authenticator app.');
  });

  it('locks the account after failed attempts: 429 page with Retry-After, the right password too', async () => {
    await start({ options: { lockout: { accountThreshold: 3 } } });
    const pkce = await authorizationRequest(as, 'spa', CALLBACK);
    const browser = new TestBrowser(base);
    let page = await browser.get(pkce.url.toString());
    for (let attempt = 0; attempt < 3; attempt++) {
      page = await browser.post('/auth/authorize', { ...hiddenFields(page.body), username: BOB.username, password: 'wrong' });
      expect(page.response.status).toBe(401);
    }
    const locked = await browser.post('/auth/authorize', { ...hiddenFields(page.body), username: BOB.username, password: BOB.password });
    expect(locked.response.status).toBe(429);
    expect(Number(locked.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body).toContain('Too many failed attempts');
  });

  it('asks for consent when the client is configured so: deny redirects access_denied, approve gives a code', async () => {
    await start();
    const browser = new TestBrowser(base);
    const pkce = await authorizationRequest(as, 'partner', CONSENT_CALLBACK, { scope: 'items:read' });
    const login = await browser.get(pkce.url.toString());
    const signedIn = await browser.post('/auth/authorize', { ...hiddenFields(login.body), username: ALICE.username, password: ALICE.password });
    const consentPage = await browser.get(signedIn.response.headers.get('location')!);
    expect(consentPage.response.status).toBe(200);
    expect(consentPage.body).toContain('Allow partner?');
    const denied = await browser.post('/auth/authorize', { ...hiddenFields(consentPage.body), consent: 'deny' });
    expect(denied.response.status).toBe(303);
    expect(() => oauth.validateAuthResponse(as, { client_id: 'partner' }, new URL(denied.response.headers.get('location')!), pkce.state)).toThrow(
      expect.objectContaining({ error: 'access_denied' }),
    );
    const again = await browser.get(pkce.url.toString());
    const approved = await browser.post('/auth/authorize', { ...hiddenFields(again.body), consent: 'approve' });
    const params = oauth.validateAuthResponse(as, { client_id: 'partner' }, new URL(approved.response.headers.get('location')!), pkce.state);
    expect(params.get('code')).toEqual(expect.any(String));
  });

  it("renders the app's own login page when the app provides one", async () => {
    await start({ providers: [{ provide: AuthorizationLoginPage, useClass: BrandedLoginPage }] });
    const pkce = await authorizationRequest(as, 'spa', CALLBACK);
    const page = await new TestBrowser(base).get(pkce.url.toString());
    expect(page.body).toContain('<h1>Welcome to Acme, spa</h1>');
    const callback = await signInAndAuthorize(new TestBrowser(base), pkce.url, { username: ALICE.username, password: ALICE.password });
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('the password grant is off unless tokens.passwordGrant: unsupported_grant_type, and left out of the metadata', async () => {
    await start({ tokens: { passwordGrant: false, clients: CLIENTS.filter((client) => client.id !== 'no-refresh') } });
    const res = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: ALICE.username, password: ALICE.password }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const metadata = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    expect(metadata.grant_types_supported).toEqual(['refresh_token', 'authorization_code', 'client_credentials']);
  });
});

describe('boot checks of the code flow and the password grant', () => {
  const build = async (options: TokenAppOptions, logs?: CaptureLogger) => {
    const moduleRef = await Test.createTestingModule({ imports: [tokenTestModule(options)] }).compile();
    const app = moduleRef.createNestApplication({ logger: logs ?? false });
    try {
      await app.init();
    } finally {
      await app.close();
    }
  };

  it('a client with redirect URIs needs cookie sessions (the sign-in step)', async () => {
    await expect(build({ tokens: { clients: CLIENTS } })).rejects.toThrow(/has redirectUris.*session option is missing.*session: \{\}/s);
  });

  it('a client listing the password grant while it is off fails the boot, naming RFC 9700', async () => {
    await expect(build({ tokens: { passwordGrant: false, clients: [{ id: 'demo-client' }, { id: 'legacy', grantTypes: ['password'] }] } })).rejects.toThrow(
      /"legacy" lists the password grant, which is off \(RFC 9700.*tokens.passwordGrant: true/s,
    );
  });

  it.each([
    ['a redirect URI with a fragment', { id: 'x', redirectUris: ['https://app.test/cb#frag'] }, /redirect URI "https:\/\/app.test\/cb#frag", which is not an absolute URI/],
    ['a relative redirect URI', { id: 'x', redirectUris: ['/callback'] }, /not an absolute URI without a fragment/],
    ['a private key in jwks', { id: 'x', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'secret' }] } }, /jwks that is not a set of public keys.*never a private or symmetric key/s],
    ['an empty jwks', { id: 'x', jwks: { keys: [] } }, /jwks that is not a set of public keys/],
  ] as const)('a client with %s fails the boot with the fix', async (_name, client, message) => {
    await expect(build({ tokens: { clients: [{ id: 'demo-client' }, client as TokenClientOptions] } })).rejects.toThrow(message);
  });

  it('with the password grant on, the boot warns and names RFC 9700', async () => {
    const logs = new CaptureLogger();
    await build({}, logs);
    expect(logs.at('warn', 'RFC 9700')).toEqual([expect.stringContaining('tokens.passwordGrant is on')]);
  });
});
