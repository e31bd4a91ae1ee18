import type { INestApplication } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import ts from 'typescript';
import { closeBrowser, launchBrowser, newPage } from '../../test/helpers/browser.js';
import { ADAPTERS, createApp } from '../../test/helpers/create-app.js';
import { addVirtualAuthenticator, freePort } from '../../test/helpers/passkeys.js';
import { hashForTest } from '../../test/helpers/users.js';

// The example reads its origin when it is imported: a free port first, then the import.
const port = await freePort();
process.env.PASSKEY_ORIGIN = `http://localhost:${port}`;
const { AppModule, PasskeyRepository, UsersService } = await import('./passkeys.example.js');

/** The guide's browser code, compiled as the reader's bundler would, loaded into the page as a module. */
const BROWSER_MODULE = ts.transpileModule(readFileSync(new URL('./passkeys.browser.example.ts', import.meta.url), 'utf8'), {
  compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
}).outputText;

type Result = { csrfToken: string; amr: string[] };

describe.each(ADAPTERS)('docs/examples/passkeys (%s)', (adapter) => {
  let app: INestApplication;
  let browser: Browser;
  let page: Page;
  const origin = process.env.PASSKEY_ORIGIN!;

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [AppModule] });
    await app.listen(port);
    app.get(UsersService).rows.set('u-1', { id: 'u-1', username: 'ada', passwordHash: await hashForTest('ada-password'), roles: ['user'] });
    browser = await launchBrowser();
    page = await newPage(browser);
    await page.goto(`${origin}/`);
    await addVirtualAuthenticator(page);
  });
  afterAll(async () => {
    await closeBrowser(browser);
    await app?.close();
  });

  /** Calls one export of the browser example in the page. */
  function inPage<T>(name: string, ...args: unknown[]): Promise<T> {
    return page.evaluate(
      async ({ source, name, args }) => {
        const module = await import(`data:text/javascript;base64,${btoa(source)}`);
        return module[name](...args);
      },
      { source: BROWSER_MODULE, name, args },
    );
  }

  /** `POST /auth/session/tokens` from the page, with the session cookie and its CSRF token. */
  function tokensFor(csrfToken: string): Promise<{ access_token: string }> {
    return page.evaluate(async (csrf) => {
      const res = await fetch('/auth/session/tokens', { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
      return (await res.json()) as { access_token: string };
    }, csrfToken);
  }

  it('registers, steps up, signs in without a username, and the session obtains tokens carrying amr', async () => {
    const login = await page.evaluate(async () => {
      const res = await fetch('/auth/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'ada', password: 'ada-password' }) });
      return (await res.json()) as { csrfToken: string };
    });
    // A password session's tokens carry amr pwd: no second factor.
    const pwdTokens = await tokensFor(login.csrfToken);
    expect(decodeJwt(pwdTokens.access_token).amr).toEqual(['pwd']);
    expect((await request(app.getHttpServer()).get('/billing').set('Authorization', `Bearer ${pwdTokens.access_token}`)).status).toBe(403);

    const passkey = await inPage<{ id: string; name: string }>('registerPasskey', login.csrfToken, 'Laptop');
    expect(passkey.name).toBe('Laptop');
    expect(app.get(PasskeyRepository).rows.get(passkey.id)).toMatchObject({ userId: 'u-1', name: 'Laptop' });

    const stepped = await inPage<Result>('stepUpWithPasskey', login.csrfToken);
    expect(stepped.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);

    await page.context().clearCookies();
    const signedIn = await inPage<Result>('signInWithPasskey');
    expect(signedIn.amr).toEqual(['hwk', 'user', 'mfa']);
    const tokens = await tokensFor(signedIn.csrfToken);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'u-1', amr: ['hwk', 'user', 'mfa'] });
    const billing = await request(app.getHttpServer()).get('/billing').set('Authorization', `Bearer ${tokens.access_token}`);
    expect(billing.status).toBe(200);
    expect(billing.body).toEqual({ billing: 'open', id: 'u-1' });

    expect((await inPage<Result>('signInWithPasskey', 'ada')).amr).toEqual(['hwk', 'user', 'mfa']);
  });
});
