import type { INestApplication } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import request from 'supertest';
import { AuthStore, MemoryStore, SystemClock } from '../lib/index.js';
import { BURST_LIMIT, LOOKUP_LIMIT, perAddressTestModule, REPORTS_LIMIT, throttlingTestModule } from './fixtures/throttling-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FlakyStore } from './helpers/flaky-store.js';
import { STORE_VARIANTS } from './helpers/store-variants.js';

const TOO_MANY = { statusCode: 429, message: 'Too many requests; try again later', error: 'Too Many Requests' };

/** Budgets live in nest-warden's store: the default MemoryStore, and a real three-master Redis Cluster. */
const cases = ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((variant) => [adapter, variant.name, variant] as const));

describe.each(cases)('per-principal rate limits with @nestjs/throttler (%s, %s)', (adapter, _name, variant) => {
  let app: INestApplication;
  beforeEach(async () => {
    app = await createApp(adapter, { imports: [throttlingTestModule({ trustProxy: ['loopback'] })] }, { override: (b) => variant.override(b) });
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

  it('counts in the store: two instances on one store let exactly the limit of a parallel burst through, in total', async () => {
    const [storeA, storeB] = variant.pair();
    const boot = (store: AuthStore) =>
      createApp(adapter, { imports: [throttlingTestModule()] }, { override: (b) => b.overrideProvider(AuthStore).useValue(store) });
    const [a, b] = await Promise.all([boot(storeA), boot(storeB)]);
    try {
      const burst = await Promise.all(
        Array.from({ length: 3 * BURST_LIMIT }, (_, i) => request((i % 2 ? b : a).getHttpServer()).get('/burst').set('X-API-Key', 'partner-key-a')),
      );
      const allowed = burst.filter((res) => res.status === 200);
      const limited = burst.filter((res) => res.status === 429);
      expect(allowed).toHaveLength(BURST_LIMIT);
      expect(limited).toHaveLength(2 * BURST_LIMIT);
      for (const res of limited) {
        expect(res.body).toEqual(TOO_MANY);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Both instances see the same budget afterwards; another key has its own.
      await request(a.getHttpServer()).get('/burst').set('X-API-Key', 'partner-key-a').expect(429);
      await request(b.getHttpServer()).get('/burst').set('X-API-Key', 'partner-key-a').expect(429);
      await request(b.getHttpServer()).get('/burst').set('X-API-Key', 'partner-key-b').expect(200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe.each(ADAPTERS)('rate-limit storage (%s)', (adapter) => {
  it('uses a storage given to ThrottlerModule instead of the store', async () => {
    const storage = new ThrottlerStorageService();
    const app = await createApp(adapter, { imports: [throttlingTestModule({}, { storage })] });
    try {
      for (let i = 0; i < REPORTS_LIMIT; i++) await request(app.getHttpServer()).get('/reports').set('X-API-Key', 'partner-key-a').expect(200);
      await request(app.getHttpServer()).get('/reports').set('X-API-Key', 'partner-key-a').expect(429);
      expect(storage.storage.size).toBe(1);
    } finally {
      await app.close();
      storage.onApplicationShutdown();
    }
  });

  it("counts throttler's own ThrottlerGuard in the store when given AuthStoreThrottlerStorage: two apps on one store share the budget", async () => {
    const store = new MemoryStore(new SystemClock());
    const [a, b] = await Promise.all([0, 1].map(() => createApp(adapter, { imports: [perAddressTestModule(store)] })));
    try {
      for (let i = 0; i < LOOKUP_LIMIT; i++) await request((i % 2 ? b : a).getHttpServer()).get('/lookup').expect(200);
      await request(a.getHttpServer()).get('/lookup').expect(429);
      await request(b.getHttpServer()).get('/lookup').expect(429);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('fails closed when the store cannot be reached: 503 with Retry-After, never an uncounted 200; counts again once it is back', async () => {
    const store = new FlakyStore(new SystemClock());
    const app = await createApp(adapter, { imports: [throttlingTestModule({ store })] });
    const reports = () => request(app.getHttpServer()).get('/reports').set('X-API-Key', 'partner-key-a');
    try {
      await reports().expect(200);
      store.down = true;
      const refused = await reports();
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body).toEqual({ statusCode: 503, message: 'Rate limiting is temporarily unavailable', error: 'Service Unavailable' });
      store.down = false;
      for (let i = 1; i < REPORTS_LIMIT; i++) await reports().expect(200);
      await reports().expect(429);
    } finally {
      await app.close();
    }
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
