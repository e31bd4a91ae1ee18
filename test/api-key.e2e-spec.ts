import { Controller, Get, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ApiKeyValidator, Auth, AuthModule, type AuthModuleOptions, Clock, CurrentUser, hashApiKey } from '../lib/index.js';
import { StrategyRegistry } from '../lib/strategies/strategy-registry.js';
import {
  API_KEY_OPTIONS,
  apiKeyTestModule,
  BROWSER_KEY,
  BrowserKeys,
  EXPIRING_AT,
  EXPIRING_KEY,
  NEXT_REPORTS_KEY,
  PARTNER_KEY,
  PartnerDirectory,
  PartnerKeys,
  REPORTS_KEY,
} from './fixtures/api-key-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { LogCapture } from './helpers/log-capture.js';
import { signTestToken } from './helpers/tokens.js';

const HEADER_CHALLENGE = 'ApiKey realm="test", in="header", name="X-API-Key"';
const HEADER_CHALLENGE_ERROR = 'ApiKey realm="test", in="header", name="X-API-Key", error="invalid_key"';
const INVALID = { statusCode: 401, message: 'Invalid API key', error: 'Unauthorized' };

describe.each(ADAPTERS)('API keys (%s)', (adapter) => {
  let app: INestApplication;
  let clock: FakeClock;
  const http = () => request(app.getHttpServer());

  let logs: LogCapture;

  beforeAll(async () => {
    clock = new FakeClock();
    logs = new LogCapture();
    app = await createApp(
      adapter,
      { imports: [apiKeyTestModule()] },
      { override: (b) => b.overrideProvider(Clock).useValue(clock), beforeInit: (a) => a.useLogger(logs) },
    );
  });
  afterAll(() => app.close());

  describe('in a header', () => {
    it('maps a configured key to its own principal', async () => {
      const res = await http().get('/reports').set('X-API-Key', REPORTS_KEY).expect(200);
      expect(res.body).toEqual({
        id: 'reporting',
        username: 'Reporting job',
        roles: ['reporter'],
        scopes: ['reports:read'],
        permissions: ['reports:*'],
        strategy: 'api-key',
      });
    });

    it('reads the header case-insensitively and accepts the rotated key (hex hash) for the same principal', async () => {
      await http().get('/reports').set('x-api-key', REPORTS_KEY).expect(200);
      const res = await http().get('/reports').set('X-Api-Key', NEXT_REPORTS_KEY).expect(200);
      expect(res.body).toMatchObject({ id: 'reporting', scopes: [] });
    });

    it('answers 401 with an ApiKey challenge when no key is sent', async () => {
      const res = await http().get('/reports').expect(401);
      expect(res.headers['www-authenticate']).toBe(HEADER_CHALLENGE);
      expect(res.body).toEqual({ statusCode: 401, message: 'Authentication required', error: 'Unauthorized' });
    });

    it.each([
      ['an unknown key', 'nw_test_reports_3q2+7w9Xr1b6pL0sVtY8kZ4mN5cJ2hGg'],
      ['a prefix of a real key', REPORTS_KEY.slice(0, 20)],
      ['the key with a trailing character', `${REPORTS_KEY}x`],
      ['the stored hash instead of the key', hashApiKey(REPORTS_KEY)],
      ['an empty value', ''],
      ['a key with a space inside', 'nw_test reports'],
      ['a 257-character key', 'k'.repeat(257)],
      ['a 4 KB key', 'k'.repeat(4096)],
    ])('answers 401 invalid_key for %s, echoing nothing', async (_label, key) => {
      const res = await http().get('/reports').set('X-API-Key', key).expect(401);
      expect(res.body).toEqual(INVALID);
      expect(res.headers['www-authenticate']).toBe(HEADER_CHALLENGE_ERROR);
      if (key) expect(JSON.stringify(res.headers) + res.text).not.toContain(key);
    });

    it('never echoes a real key in a denial (403)', async () => {
      const res = await http().get('/reports/admin').set('X-API-Key', REPORTS_KEY).expect(403);
      expect(res.body).toEqual({ statusCode: 403, message: 'Insufficient role', error: 'Forbidden' });
      expect(JSON.stringify(res.headers) + res.text).not.toContain(REPORTS_KEY);
    });

    it('checks the scopes a key carries', async () => {
      await http().get('/reports/scoped').set('X-API-Key', REPORTS_KEY).expect(200);
      const res = await http().get('/reports/scoped').set('X-API-Key', NEXT_REPORTS_KEY).expect(403);
      expect(res.body.message).toBe('Insufficient scope');
    });

    it('refuses a key after its expiry (by the injected clock)', async () => {
      await http().get('/reports').set('X-API-Key', EXPIRING_KEY).expect(200);
      clock.set(EXPIRING_AT.getTime());
      try {
        const res = await http().get('/reports').set('X-API-Key', EXPIRING_KEY).expect(401);
        expect(res.body).toEqual({ statusCode: 401, message: 'The API key expired', error: 'Unauthorized' });
        expect(res.headers['www-authenticate']).toBe(HEADER_CHALLENGE_ERROR);
        await http().get('/reports').set('X-API-Key', REPORTS_KEY).expect(200);
      } finally {
        clock.set(Date.UTC(2026, 0, 1));
      }
    });
  });

  describe('in a query parameter, through an injectable validator', () => {
    it('authenticates through the app service the validator injects', async () => {
      const partners = app.get(PartnerDirectory);
      const before = partners.lookups.length;
      const res = await http().get('/partner/orders').query({ api_key: PARTNER_KEY }).expect(200);
      expect(res.body).toMatchObject({ id: 'partner-acme', username: 'ACME Corp', scopes: ['orders:read'], strategy: 'partner-key' });
      // The validator sees the key; the app stores and looks up only its hash.
      expect(partners.lookups.slice(before)).toEqual([hashApiKey(PARTNER_KEY)]);
    });

    it('answers 401 with the query challenge for a missing or unknown key', async () => {
      const missing = await http().get('/partner/orders').expect(401);
      expect(missing.headers['www-authenticate']).toBe('ApiKey realm="test", in="query", name="api_key"');
      const wrong = await http().get('/partner/orders').query({ api_key: 'partner-wrong' }).expect(401);
      expect(wrong.body).toEqual(INVALID);
      expect(wrong.headers['www-authenticate']).toBe('ApiKey realm="test", in="query", name="api_key", error="invalid_key"');
    });

    it('refuses a repeated parameter (?api_key=a&api_key=b) as invalid, never as absent', async () => {
      const res = await http().get(`/partner/orders?api_key=${PARTNER_KEY}&api_key=${PARTNER_KEY}`).expect(401);
      expect(res.body).toEqual(INVALID);
    });

    it('answers 503 and logs the cause, never 500, when the validator fails (database down)', async () => {
      const partners = app.get(PartnerDirectory);
      partners.failing = true;
      try {
        const res = await http().get('/partner/orders').query({ api_key: PARTNER_KEY }).expect(503);
        expect(res.body).toEqual({ statusCode: 503, message: 'API keys cannot be checked right now', error: 'Service Unavailable' });
        expect(res.headers['retry-after']).toBe('5'); // the one policy for a 503 that names no delay
        const log = logs.messages('error').join('\n');
        expect(log).toContain('Denied ApiKeyTestController.partner: API keys cannot be checked right now');
        expect(log).toContain('ECONNREFUSED');
        expect(logs.text).not.toContain(PARTNER_KEY);
      } finally {
        partners.failing = false;
      }
    });

    it('does not read the key from a header or another parameter', async () => {
      await http().get('/partner/orders').set('api_key', PARTNER_KEY).expect(401);
      await http().get('/partner/orders').query({ API_KEY: PARTNER_KEY }).expect(401);
    });
  });

  describe('in a cookie, through the default ApiKeyValidator provider', () => {
    it('authenticates with the cookie', async () => {
      const res = await http().get('/widget').set('Cookie', `theme=dark; widget_key=${BROWSER_KEY}`).expect(200);
      expect(res.body).toMatchObject({ id: 'browser-widget', roles: ['widget'], strategy: 'widget-key' });
    });

    it('answers 401 for a missing or wrong cookie', async () => {
      const missing = await http().get('/widget').set('Cookie', 'theme=dark').expect(401);
      expect(missing.headers['www-authenticate']).toBe('ApiKey realm="test", in="cookie", name="widget_key"');
      const wrong = await http().get('/widget').set('Cookie', 'widget_key=nope').expect(401);
      expect(wrong.headers['www-authenticate']).toBe('ApiKey realm="test", in="cookie", name="widget_key", error="invalid_key"');
    });
  });

  describe("a route with @Auth('jwt', 'api-key')", () => {
    it('accepts either credential', async () => {
      const token = await signTestToken({ sub: 'user-7' }, { now: clock.now() });
      const byToken = await http().get('/mixed').set('Authorization', `Bearer ${token}`).expect(200);
      expect(byToken.body).toMatchObject({ id: 'user-7', strategy: 'jwt' });
      const byKey = await http().get('/mixed').set('X-API-Key', REPORTS_KEY).expect(200);
      expect(byKey.body).toMatchObject({ id: 'reporting', strategy: 'api-key' });
    });

    it('sends one challenge per strategy when nothing is sent (RFC 9110 §11.6.1)', async () => {
      const res = await http().get('/mixed').expect(401);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="test", ${HEADER_CHALLENGE}`);
    });

    it('never falls through: an invalid bearer token with a valid API key is 401', async () => {
      const res = await http().get('/mixed').set('Authorization', 'Bearer not.a.jwt').set('X-API-Key', REPORTS_KEY).expect(401);
      expect(res.body).toEqual({ statusCode: 401, message: 'The access token is invalid', error: 'Unauthorized' });
      expect(res.headers['www-authenticate']).toBe(
        `Bearer realm="test", error="invalid_token", error_description="The access token is invalid", ${HEADER_CHALLENGE}`,
      );
    });

    it('an invalid API key without a token is 401 with the error on the ApiKey challenge only', async () => {
      const res = await http().get('/mixed').set('X-API-Key', 'wrong-key-value').expect(401);
      expect(res.body).toEqual(INVALID);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="test", ${HEADER_CHALLENGE_ERROR}`);
    });
  });

  it('has logged no key', () => {
    for (const key of [REPORTS_KEY, NEXT_REPORTS_KEY, EXPIRING_KEY, PARTNER_KEY, BROWSER_KEY]) expect(logs.text).not.toContain(key);
  });

  it('describes each strategy as an OpenAPI apiKey scheme', () => {
    const registry = app.get(StrategyRegistry);
    expect(registry.get('api-key')!.securityScheme()).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Service keys' });
    expect(registry.get('partner-key')!.securityScheme()).toMatchObject({ type: 'apiKey', in: 'query', name: 'api_key' });
    expect(registry.get('widget-key')!.securityScheme()).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'widget_key' });
    expect(registry.get('api-key')!.carriesScopes).toBe(false);
  });
});

describe.each(ADAPTERS)('API key configuration errors fail the boot (%s)', (adapter) => {
  const boot = (apiKeys: AuthModuleOptions['apiKeys'], providers: unknown[] = []) =>
    createApp(adapter, { imports: [AuthModule.forRoot({ ...API_KEY_OPTIONS, apiKeys })], providers: providers as never[] });

  it.each([
    ['a plain key instead of a hash', [{ keys: [{ id: 'x', hash: 'my-secret-key' }] }], /keys\[0\] \(x\) has no valid hash. Store hashApiKey\(key\)/],
    ['a key without id', [{ keys: [{ id: '', hash: hashApiKey('k') }] }], /keys\[0\] has no id/],
    ['the same key twice', [{ keys: [{ id: 'a', hash: hashApiKey('k') }, { id: 'b', hash: hashApiKey('k') }] }], /repeats a hash/],
    ['two locations', [{ header: 'X-Key', query: 'key', keys: [] }], /names several locations \(header, query\)/],
    ['the Authorization header', [{ header: 'Authorization', keys: [] }], /reads the Authorization header/],
    ['an invalid header name', [{ header: 'X API Key', keys: [] }], /is not a valid name/],
    ['keys and a validator', [{ keys: [], validator: PartnerKeys }], /has both `keys` and `validator`/],
    ['no keys and no validator provider', [{ header: 'X-Key' }], /has no keys and ApiKeyValidator is not a provider/],
    ['a second entry without a name', [{ keys: [] }, { query: 'k', keys: [] }], /every apiKeys entry after the first needs a `name`/],
    ['two entries with one name', [{ keys: [] }, { name: 'api-key', query: 'k', keys: [] }], /two strategies are named "api-key"/],
  ])('%s', async (_label, apiKeys, message) => {
    await expect(boot(apiKeys as AuthModuleOptions['apiKeys'], [PartnerDirectory, PartnerKeys])).rejects.toThrow(message);
  });

  it('accepts a single options object and an app-provided default validator', async () => {
    @Controller()
    class OneKeyController {
      @Auth('api-key')
      @Get('reports')
      reports(@CurrentUser('id') id: string) {
        return { id };
      }
    }
    const app = await createApp(adapter, {
      imports: [AuthModule.forRoot({ apiKeys: { cookie: 'widget_key' }, global: false })],
      controllers: [OneKeyController],
      providers: [{ provide: ApiKeyValidator, useClass: BrowserKeys }],
    });
    try {
      expect(app.get(StrategyRegistry).get('api-key')!.securityScheme()).toMatchObject({ in: 'cookie', name: 'widget_key' });
      expect(app.get(ApiKeyValidator)).toBeDefined();
      const res = await request(app.getHttpServer()).get('/reports').set('Cookie', `widget_key=${BROWSER_KEY}`).expect(200);
      expect(res.body).toEqual({ id: 'browser-widget' });
    } finally {
      await app.close();
    }
  });
});
