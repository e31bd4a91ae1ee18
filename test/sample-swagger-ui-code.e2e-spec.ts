import type { INestApplication } from '@nestjs/common';
import type { Browser, Page, Request } from 'playwright-core';
import { freePort } from './helpers/authorization-flow.js';
import { closeBrowser, launchBrowser, newPage } from './helpers/browser.js';
import { ADAPTERS } from './helpers/create-app.js';
import { withEnv } from './helpers/env.js';
import { startSample } from './helpers/sample.js';

/**
 * Issue 22's must-show, on the sample in a real browser: Swagger UI's Authorize dialog signs alice
 * in with the authorization code flow and PKCE (the module's login page filled in the pop-up),
 * Swagger UI's redirect page hands the code back, and "Try it out" on GET /me answers alice. Under
 * helmet's CSP, on both adapters.
 */
describe.each(ADAPTERS)('sample app: Swagger UI signs in with authorization code + PKCE, then GET /me (%s)', (adapter) => {
  let app: INestApplication;
  let browser: Browser | undefined;
  let page: Page;
  let base: string;
  const tokenRequests: Request[] = [];

  withEnv({ JWT_SECRET: undefined, REDIS_URL: undefined, PUBLIC_URL: undefined });
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    process.env.PUBLIC_URL = base; // Swagger UI's redirect URI and the issuer (restored by withEnv)
    app = await startSample(adapter, port);
    browser = await launchBrowser();
    page = await newPage(browser);
    page.setDefaultTimeout(10_000);
    page.context().on('request', (req) => {
      if (new URL(req.url()).pathname === '/auth/token') tokenRequests.push(req);
    });
    await page.goto(`${base}/docs`);
    await page.waitForSelector('.opblock');
  });

  afterAll(async () => {
    await closeBrowser(browser);
    await app?.close();
  });

  it('authorizes alice through the authorizationCode flow: pop-up login page, code with PKCE S256, token', async () => {
    await page.click('.auth-wrapper button.authorize');
    const codeFlow = page.locator('.modal-ux .auth-container').filter({ hasText: 'authorizationCode' });
    await codeFlow.waitFor();
    expect(await codeFlow.locator('#client_id_authorizationCode').inputValue()).toBe('demo-client');
    const popupOpened = page.waitForEvent('popup');
    await codeFlow.locator('button.authorize').click();
    const popup = await popupOpened;
    await popup.waitForLoadState();
    const authorizeUrl = new URL(popup.url());
    expect(authorizeUrl.pathname).toBe('/auth/authorize');
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${base}/docs/oauth2-redirect.html`);
    await popup.locator('input[name="username"]').fill('alice');
    await popup.locator('input[name="password"]').fill('alice-password');
    const tokenResponse = page.waitForResponse((res) => new URL(res.url()).pathname === '/auth/token');
    await popup.locator('button[type="submit"]').click();
    const response = await tokenResponse;
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual(expect.objectContaining({ token_type: 'Bearer', scope: 'items:read items:write' }));
    await codeFlow.getByText('Logout').waitFor();
    await page.click('.modal-ux .close-modal');

    const form = new URLSearchParams(tokenRequests.at(-1)?.postData() ?? '');
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code_verifier')).toMatch(/^[\w.~-]{43,128}$/);
    expect(form.get('redirect_uri')).toBe(`${base}/docs/oauth2-redirect.html`);
  });

  it('runs "Try it out" on GET /me with the token: 200 and alice', async () => {
    const operation = page.locator('.opblock-get').filter({ has: page.locator('[data-path="/me"]') });
    await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    const meRequest = page.waitForRequest((req) => new URL(req.url()).pathname === '/me');
    await operation.locator('button.execute').click();
    expect(await (await meRequest).headerValue('authorization')).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const response = operation.locator('.live-responses-table tbody tr.response').first();
    await response.waitFor();
    expect((await response.locator('.response-col_status').textContent())?.trim()).toBe('200');
    const shownBody = (await response.locator('.response-col_description pre').first().textContent()) ?? '';
    expect(JSON.parse(shownBody)).toEqual({ id: 'alice', username: 'alice', roles: ['admin'] });
  });
});
