import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { LOOKUP_LIMIT, REPORTS_LIMIT, throttlingTestModule } from './fixtures/throttling-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';

const TOO_MANY = { statusCode: 429, message: 'Too many requests; try again later', error: 'Too Many Requests' };

describe.each(ADAPTERS)('per-principal rate limits with @nestjs/throttler (%s)', (adapter) => {
  let app: INestApplication;
  beforeEach(async () => {
    app = await createApp(adapter, { imports: [throttlingTestModule({ trustProxy: ['loopback'] })] });
  });
  afterEach(() => app.close());

  const reports = (key: string, from?: string) => {
    const req = request(app.getHttpServer()).get('/reports').set('X-API-Key', key);
    return from ? req.set('X-Forwarded-For', from) : req;
  };

  it('gives two API keys independent budgets and answers 429 with Retry-After past one', async () => {
    for (let i = 1; i <= REPORTS_LIMIT; i++) {
      const res = await reports('partner-key-a');
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe(String(REPORTS_LIMIT));
      expect(res.headers['x-ratelimit-remaining']).toBe(String(REPORTS_LIMIT - i));
    }
    const limited = await reports('partner-key-a');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(TOO_MANY);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);

    // key-b has its own budget, from the same address
    for (let i = 0; i < REPORTS_LIMIT; i++) await reports('partner-key-b').expect(200, { key: 'key-b' });
    await reports('partner-key-b').expect(429);
  });

  it('keeps counting a key that changes address', async () => {
    for (let i = 0; i < REPORTS_LIMIT; i++) await reports('partner-key-a', `203.0.113.${i + 1}`).expect(200);
    await reports('partner-key-a', '198.51.100.77').expect(429);
  });

  it('authenticates first: rejected and anonymous callers get 401 and spend no budget', async () => {
    for (let i = 0; i < REPORTS_LIMIT + 2; i++) {
      await request(app.getHttpServer()).get('/reports').expect(401);
      await reports('stolen-guess').expect(401);
    }
    for (let i = 0; i < REPORTS_LIMIT; i++) await reports('partner-key-a').expect(200);
  });

  it('counts anonymous callers per client address (through trustProxy), IPv6 per /64', async () => {
    const lookup = (from: string) => request(app.getHttpServer()).get('/lookup').set('X-Forwarded-For', from);
    for (let i = 0; i < LOOKUP_LIMIT; i++) await lookup('203.0.113.1').expect(200);
    await lookup('203.0.113.1').expect(429);
    await lookup('203.0.113.2').expect(200);

    await lookup('2001:db8:1:1::1').expect(200);
    await lookup('2001:db8:1:1::ffff').expect(200);
    await lookup('2001:db8:1:1:abcd::9').expect(429); // same /64
    await lookup('2001:db8:1:2::1').expect(200); // next /64
  });

  it('leaves @SkipThrottle() routes alone', async () => {
    for (let i = 0; i < 5; i++) await request(app.getHttpServer()).get('/health').expect(200);
  });
});

describe.each(ADAPTERS)('rate-limit answers in problem+json (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [throttlingTestModule({ errorResponse: 'problem+json' })] });
  });
  afterAll(() => app.close());

  it('shapes the 429 and keeps Retry-After', async () => {
    for (let i = 0; i < REPORTS_LIMIT; i++) await request(app.getHttpServer()).get('/reports').set('X-API-Key', 'partner-key-a').expect(200);
    const res = await request(app.getHttpServer()).get('/reports').set('X-API-Key', 'partner-key-a');
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(JSON.parse(res.text)).toEqual({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Too many requests; try again later',
      code: 'rate_limited',
      retryAfter,
    });
  });
});

describe.each(ADAPTERS)('PrincipalThrottlerGuard with @UseGuards() (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [throttlingTestModule({}, { viaUseGuards: true })] });
  });
  afterAll(() => app.close());

  it('runs after the global AuthGuard, so budgets are per key', async () => {
    const reports = (key: string) => request(app.getHttpServer()).get('/guarded/reports').set('X-API-Key', key);
    for (let i = 0; i < REPORTS_LIMIT; i++) await reports('partner-key-a').expect(200);
    await reports('partner-key-a').expect(429);
    await reports('partner-key-b').expect(200, { key: 'key-b' });
  });
});

describe('PrincipalThrottlerGuard registration order', () => {
  it('refuses to boot when it would run before AuthGuard, and says how to fix it', async () => {
    await expect(createApp('express', { imports: [throttlingTestModule({}, { guardInRootModule: true })] })).rejects.toThrow(
      /PrincipalThrottlerGuard is a global guard that runs before AuthGuard[\s\S]*import PrincipalThrottlerModule after AuthModule/,
    );
  });
});
