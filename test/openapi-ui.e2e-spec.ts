import { mkdirSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Browser, Page } from 'playwright-core';
import { createAuthDocument } from '../lib/openapi/index.js';
import { configureOpenApiApp, openApiTestModule } from './fixtures/openapi-app.js';
import { closeBrowser, launchBrowser, newPage } from './helpers/browser.js';
import { type AdapterName, createApp } from './helpers/create-app.js';

/** Swagger UI is served by both adapters (Fastify through `@fastify/static`). */
const UI_ADAPTERS: readonly AdapterName[] = ['express', 'fastify'];

const OPERATION_KEYS = new Set(['get', 'put', 'post', 'delete', 'patch']);

describe.each(UI_ADAPTERS)('Swagger UI in a real browser shows the security nest-warden wrote (%s)', (adapter) => {
  let app: INestApplication;
  let document: OpenAPIObject | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let docsUrl: string;

  beforeAll(async () => {
    app = await createApp(
      adapter,
      { imports: [openApiTestModule()] },
      {
        beforeInit: (nest) => {
          configureOpenApiApp(nest);
          const config = new DocumentBuilder().setTitle('nest-warden fixture').setVersion('1').build();
          // Built lazily, on the first request for the docs (after init), as Nest's docs recommend.
          SwaggerModule.setup('docs', nest, () =>
            (document ??= createAuthDocument(nest, config, {
              oauth2: { tokenUrl: '/auth/token', scopes: { 'items:read': 'Read items', 'items:write': 'Create items' } },
            })),
          );
        },
      },
    );
    await app.listen(0, '127.0.0.1');
    docsUrl = `${await app.getUrl()}/docs`;
    browser = await launchBrowser();
    page = await newPage(browser);
    await page.goto(docsUrl);
    await page.waitForSelector('.opblock');
  });

  afterAll(async () => {
    await closeBrowser(browser);
    await app?.close();
  });

  it('lists every operation, with a lock exactly on those that have a security requirement', async () => {
    const shown = await page.locator('.opblock').evaluateAll((blocks) =>
      blocks.map((block) => ({
        operation: `${block.querySelector('.opblock-summary-method')?.textContent?.toLowerCase()} ${block
          .querySelector('.opblock-summary-path')
          ?.getAttribute('data-path')}`,
        lock: block.querySelector('.authorization__btn') !== null,
      })),
    );
    const expected = Object.entries(document!.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([verb]) => OPERATION_KEYS.has(verb))
        .map(([verb, operation]) => ({
          operation: `${verb} ${path}`,
          lock: ((operation as { security?: unknown[] }).security ?? []).length > 0,
        })),
    );
    const byOperation = (a: { operation: string }, b: { operation: string }) => a.operation.localeCompare(b.operation);
    expect(shown.sort(byOperation)).toEqual(expected.sort(byOperation));
    expect(shown).toContainEqual({ operation: 'get /api/health', lock: false });
    expect(shown).toContainEqual({ operation: 'get /api/me', lock: true });
    expect(shown).toContainEqual({ operation: 'get /api/v2/reports', lock: true });
  });

  it('lists the schemes in the Authorize dialog: bearer, API keys with their names, Basic, OAuth2 password flow', async () => {
    await page.click('.auth-wrapper button.authorize');
    const dialog = page.locator('.modal-ux');
    await dialog.waitFor();
    const schemes = await dialog.locator('.auth-container').evaluateAll((containers) =>
      containers.map((container) => (container as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
    );
    const find = (heading: string) => schemes.find((text) => text.includes(heading)) ?? `no scheme "${heading}" in ${JSON.stringify(schemes)}`;
    expect(find('jwt (http, Bearer)')).toContain('Value:');
    expect(find('header-key (apiKey)')).toContain('Name: X-API-Key In: header');
    expect(find('query-key (apiKey)')).toContain('Name: api_key In: query');
    expect(find('cookie-key (apiKey)')).toContain('Name: warden_key In: cookie');
    expect(find('fixture-basic (http, Basic)')).toContain('Username:');
    const oauth2 = find('oauth2 (OAuth2, password)');
    expect(oauth2).toContain('Token URL: /auth/token');
    expect(oauth2).toContain('items:read');
    expect(oauth2).toContain('Read items');
    mkdirSync('reports', { recursive: true });
    await page.screenshot({ path: `reports/openapi-ui-${adapter}.png`, fullPage: true });
  });

  it('authorizes with an API key in the dialog and runs "Try it out" on a route that demands it (200)', async () => {
    const container = page.locator('.modal-ux .auth-container').filter({ hasText: 'header-key (apiKey)' });
    await container.locator('input').fill('header-key-1');
    await container.locator('button.authorize').click();
    await container.getByText('Logout').waitFor();
    await page.click('.modal-ux .close-modal');

    const operation = page.locator('.opblock').filter({ has: page.locator('[data-path="/api/partners"]') });
    await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    const curl = (await operation.locator('.curl-command').textContent()) ?? '';
    expect(curl).toContain('X-API-Key: header-key-1');
  });
});
