import type { INestApplication } from '@nestjs/common';
import type { Browser, Page } from 'playwright-core';
import { closeBrowser, launchBrowser, newPage } from './helpers/browser.js';
import { ADAPTERS } from './helpers/create-app.js';
import { withEnv } from './helpers/env.js';
import { bootSample } from './helpers/sample.js';

/**
 * design.md, OpenAPI: "Swagger UI's Authorize button works against /auth/token" — in the sample, in a
 * real browser, under helmet's Content-Security-Policy: the OAuth2 password flow signs alice in as the
 * public client (Swagger UI sends `Authorization: Basic Og==`), then "Try it out" on GET /me answers 200.
 */
describe.each(ADAPTERS)('sample Swagger UI: Authorize with the OAuth2 password flow (%s)', (adapter) => {
  let app: INestApplication;
  let browser: Browser | undefined;
  let page: Page;
  const tokenRequests: { status: number; authorization: string | undefined; body: string | null }[] = [];

  withEnv({ JWT_SECRET: undefined, REDIS_URL: undefined });
  beforeAll(async () => {
    app = await bootSample(adapter);
    await app.listen(0, '127.0.0.1');
    browser = await launchBrowser();
    page = await newPage(browser);
    page.setDefaultTimeout(10_000);
    page.on('response', (response) => {
      if (new URL(response.url()).pathname !== '/auth/token') return;
      const sent = response.request();
      tokenRequests.push({
        status: response.status(),
        authorization: sent.headers().authorization,
        body: sent.postData(),
      });
    });
    await page.goto(`${await app.getUrl()}/docs`);
    await page.waitForSelector('.opblock');
  });
  afterAll(async () => {
    await closeBrowser(browser);
    await app?.close();
  });

  it('signs alice in through the Authorize dialog, then "Try it out" on GET /me answers 200 with her', async () => {
    await page.click('.auth-wrapper button.authorize');
    const oauth2 = page.locator('.modal-ux .auth-container').filter({ hasText: 'OAuth2, password' });
    await oauth2.locator('#oauth_username').fill('alice');
    await oauth2.locator('#oauth_password').fill('alice-password');
    await oauth2.locator('button.authorize').click();
    await oauth2.getByText('Logout').waitFor();
    await page.click('.modal-ux .close-modal');
    expect(tokenRequests).toEqual([
      {
        status: 200,
        authorization: 'Basic Og==',
        body: expect.stringContaining('grant_type=password&username=alice'),
      },
    ]);

    const me = page.locator('.opblock').filter({ has: page.locator('[data-path="/me"]') });
    await me.locator('.opblock-summary').click();
    await me.locator('.try-out__btn').click();
    await me.locator('button.execute').click();
    const status = me.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    const body =
      (await me.locator('.live-responses-table .response-col_description pre').first().textContent()) ?? '';
    expect(JSON.parse(body)).toEqual({ id: 'alice', username: 'alice', roles: ['admin'] });
  });
});
