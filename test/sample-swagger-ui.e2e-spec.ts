import { mkdirSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import type { Browser, Page, Request } from 'playwright-core';
import { closeBrowser, launchBrowser, newPage } from './helpers/browser.js';
import { ADAPTERS } from './helpers/create-app.js';
import { withEnv } from './helpers/env.js';
import { bootSample } from './helpers/sample.js';

/**
 * Issue 8's must-show, on the sample itself: a person opens /docs in a real browser, signs in as
 * alice through the OAuth2 password-flow dialog and runs "Try it out" on GET /me. The page is
 * served under helmet's Content-Security-Policy (on both adapters), exactly as `npm start` serves it.
 */
describe.each(ADAPTERS)('sample app: Swagger UI signs alice in and calls GET /me (%s)', (adapter) => {
  let app: INestApplication;
  let browser: Browser | undefined;
  let page: Page;
  const tokenRequests: Request[] = [];
  const cspViolations: string[] = [];
  let docsHeaders: Record<string, string> = {};

  // Embedded defaults: memory store and a generated key, even where CI exports REDIS_URL.
  withEnv({ JWT_SECRET: undefined, REDIS_URL: undefined });
  beforeAll(async () => {
    app = await bootSample(adapter);
    await app.listen(0, '127.0.0.1');
    browser = await launchBrowser();
    page = await newPage(browser);
    // Fail with Playwright's message (which element, which state) well before Jest's timeout.
    page.setDefaultTimeout(10_000);
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/auth/token') tokenRequests.push(req);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
    docsHeaders = (await page.goto(`${await app.getUrl()}/docs`))?.headers() ?? {};
    await page.waitForSelector('.opblock');
  });

  afterAll(async () => {
    await closeBrowser(browser);
    await app?.close();
  });

  it('authorizes alice through the OAuth2 password dialog (demo-client prefilled, no secret; no scope ticked: all she may hold)', async () => {
    await page.click('.auth-wrapper button.authorize');
    const oauth2 = page.locator('.modal-ux .auth-container').filter({ hasText: 'OAuth2, password' });
    await oauth2.waitFor();
    await oauth2.locator('#oauth_username').fill('alice');
    await oauth2.locator('#oauth_password').fill('alice-password');
    // The client id is prefilled (initOAuth, for the code flow too), no secret, sent "as Authorization header".
    expect(await oauth2.locator('#client_id_password').inputValue()).toBe('demo-client');
    expect(await oauth2.locator('#client_secret_password').inputValue()).toBe('');
    expect(await oauth2.locator('#password_type').inputValue()).toBe('basic');
    const tokenResponse = page.waitForResponse((res) => new URL(res.url()).pathname === '/auth/token');
    await oauth2.locator('button.authorize').click();
    const response = await tokenResponse;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual(expect.objectContaining({ token_type: 'Bearer', scope: 'items:read items:write' }));
    await oauth2.getByText('Logout').waitFor();
    await page.click('.modal-ux .close-modal');

    expect(tokenRequests).toHaveLength(1);
    const [sent] = tokenRequests;
    expect(sent.method()).toBe('POST');
    expect(await sent.headerValue('authorization')).toBe(`Basic ${Buffer.from('demo-client:').toString('base64')}`);
    expect(await sent.headerValue('content-type')).toContain('application/x-www-form-urlencoded');
    const form = new URLSearchParams(sent.postData() ?? '');
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'password', username: 'alice', password: 'alice-password' });
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
    expect(shownBody).toContain('"username": "alice"');
    expect(JSON.parse(shownBody)).toEqual({ id: 'alice', username: 'alice', roles: ['admin'] });

    mkdirSync('reports', { recursive: true });
    await page.screenshot({ path: `reports/sample-swagger-ui-${adapter}.png`, fullPage: true });
  });

  it("served the page under helmet's default CSP without a Content-Security-Policy violation", () => {
    expect(docsHeaders['content-security-policy']).toContain("script-src 'self'");
    expect(cspViolations).toEqual([]);
  });
});
