import type { INestApplication } from '@nestjs/common';
import type { Browser, Page } from 'playwright-core';
import { closeBrowser, launchBrowser, newPage } from './helpers/browser.js';
import { ADAPTERS } from './helpers/create-app.js';
import { addVirtualAuthenticator, credentialsOf, freePort } from './helpers/passkeys.js';
import { startSample } from './helpers/sample.js';

/**
 * The sample's passkey page in headless Chromium with a virtual platform authenticator (DevTools
 * protocol `WebAuthn.addVirtualAuthenticator`: CTAP2, internal, resident keys, user verification):
 * a password sign-in, a passkey registered, a sign-in with it alone, and the route that needs a
 * second factor accepting that session.
 */
describe.each(ADAPTERS)('sample app: passkeys in a real browser (%s)', (adapter) => {
  let app: INestApplication;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    app = await startSample(adapter, port);
    base = `http://localhost:${port}`;
    browser = await launchBrowser();
    page = await newPage(browser);
  });
  afterAll(async () => {
    await closeBrowser(browser);
    await app?.close();
  });

  async function click(button: string, expected: string): Promise<string> {
    await page.click(button);
    await page.waitForFunction((text) => document.getElementById('status')!.textContent!.startsWith(text), expected, { timeout: 10_000 });
    return (await page.textContent('#status'))!;
  }

  it('registers a passkey on the page, signs in with it alone, and the second-factor route accepts that session', async () => {
    await page.goto(`${base}/passkeys`);
    const authenticator = await addVirtualAuthenticator(page);

    await click('#password-signin', 'Signed in with a password.');
    // A password alone is one factor.
    expect(await click('#security', 'Refused')).toBe('Refused: 403: A second authentication factor is required');

    const registered = await click('#register', 'Passkey registered.');
    expect(JSON.parse(registered.slice(registered.indexOf('\n')))).toMatchObject({ name: 'Sample page', transports: ['internal'] });
    const [credential] = await credentialsOf(authenticator);
    expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    // Signed out: a fresh page without cookies, the same authenticator.
    await page.context().clearCookies();
    await page.reload();
    expect(await click('#security', 'Refused')).toMatch(/^Refused: 401: /);

    const signedIn = await click('#passkey-signin', 'Signed in with a passkey.');
    expect(JSON.parse(signedIn.slice(signedIn.indexOf('\n'))).amr).toEqual(['hwk', 'user', 'mfa']);
    expect(await page.textContent('#who')).toBe('Signed in (passkey), amr: hwk, user, mfa');
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => c.name)).toEqual(['nw_session']);

    const security = await click('#security', 'Second factor accepted.');
    expect(JSON.parse(security.slice(security.indexOf('\n')))).toEqual({ id: 'alice', username: 'alice', amr: ['hwk', 'user', 'mfa'] });
  });
});
