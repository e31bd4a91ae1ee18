import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { AuthConfigurationError, AuthModule, AuthStore, RedisStore, StoreUnavailableError } from '../lib/index.js';
import { LogCapture } from './helpers/log-capture.js';
import { freePort, REDIS_URL, RedisServer } from './helpers/redis-server.js';

const MINUTE = 60_000;
const prefix = () => `test:redis-store:${randomBytes(6).toString('hex')}:`;

describe('RedisStore configuration', () => {
  it('needs exactly one of client and url', () => {
    expect(() => new RedisStore({})).toThrow(AuthConfigurationError);
    expect(() => new RedisStore({ url: REDIS_URL, client: new Redis({ lazyConnect: true }) })).toThrow(/exactly one of `client` and `url`/);
    expect(() => new RedisStore({ url: '' })).toThrow(/url is empty/);
  });

  it('refuses a commandTimeoutMs that is not a positive number', () => {
    for (const commandTimeoutMs of [0, -5, Number.NaN]) {
      expect(() => new RedisStore({ url: REDIS_URL, commandTimeoutMs })).toThrow(/commandTimeoutMs must be a positive number/);
    }
  });

  it('opens no connection until the first command (nothing happens at construction)', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: prefix() });
    expect(store.client.status).toBe('wait');
    await store.close();
    expect(store.client.status).toBe('end');
  });
});

describe('RedisStore on REDIS_URL', () => {
  const keyPrefix = prefix();
  let raw: Redis;
  beforeAll(() => {
    raw = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await raw.keys(`${keyPrefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
  });

  it('keeps every key under its prefix, each with a TTL', async () => {
    const store = new RedisStore({ client: raw, keyPrefix });
    await store.set('login:lock:acct:a', '1', MINUTE);
    await store.setIfAbsent('marker', 'x', MINUTE);
    await store.increment('login:fail:acct:a', MINUTE);
    await store.compareAndSwap('rt:{family}:current', null, 'token-1', MINUTE);
    await store.compareAndSwap('rt:{family}:current', 'token-1', 'token-2', MINUTE);
    await store.set('gone', 'x', MINUTE);
    await store.delete('gone');

    const keys = (await raw.keys(`${keyPrefix}*`)).sort();
    expect(keys).toEqual(
      ['login:fail:acct:a', 'login:lock:acct:a', 'marker', 'rt:{family}:current'].map((key) => keyPrefix + key),
    );
    for (const key of keys) {
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(MINUTE);
    }
  });

  it('reports a key without expiry (never written by the store) as Infinity, not as absent', async () => {
    await raw.set(`${keyPrefix}foreign`, 'x');
    const store = new RedisStore({ client: raw, keyPrefix });
    expect(await store.ttl('foreign')).toBe(Infinity);
    expect(await store.increment('foreign-counter', MINUTE)).toBe(1);
    await raw.persist(`${keyPrefix}foreign-counter`);
    expect(await store.increment('foreign-counter', MINUTE)).toBe(2);
    expect(await raw.pttl(`${keyPrefix}foreign-counter`)).toBeGreaterThan(0);
  });

  it('works against a Redis that has flushed its script cache (EVALSHA falls back to EVAL)', async () => {
    const store = new RedisStore({ client: raw, keyPrefix });
    expect(await store.increment('after-flush', MINUTE)).toBe(1);
    await raw.script('FLUSH');
    expect(await store.increment('after-flush', MINUTE)).toBe(2);
    expect(await store.compareAndSwap('after-flush', '2', '3', MINUTE)).toBe(true);
  });

  it('closes the connection it opened from a URL when the Nest app shuts down, and only once', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix });
    const moduleRef = await Test.createTestingModule({ imports: [AuthModule.forRoot({ store })] }).compile();
    await moduleRef.init();
    expect(moduleRef.get(AuthStore)).toBe(store);
    await store.set('url-owned', 'v', MINUTE);
    expect(store.client.status).toBe('ready');
    await moduleRef.close();
    expect(store.client.status).toBe('end');
    await store.close();
    await expect(store.get('url-owned')).rejects.toThrow(new StoreUnavailableError('RedisStore: get refused, Redis is not connected (end)'));
  });

  it('leaves a client passed in open when the Nest app shuts down', async () => {
    const store = new RedisStore({ client: raw, keyPrefix });
    const moduleRef = await Test.createTestingModule({ imports: [AuthModule.forRoot({ store })] }).compile();
    await moduleRef.init();
    await moduleRef.close();
    expect(raw.status).toBe('ready');
    expect(await store.get('url-owned')).toBe('v');
  });
});

describe('RedisStore outages (a redis-server of our own)', () => {
  let server: RedisServer;
  let logs: LogCapture;
  beforeEach(async () => {
    server = await RedisServer.start();
    logs = new LogCapture();
    Logger.overrideLogger(logs);
  });
  afterEach(() => server.stop());

  it('nothing listening: StoreUnavailableError at once, no hang, one log line', async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, commandTimeoutMs: 1000 });
    try {
      await expect(store.get('k')).rejects.toThrow(StoreUnavailableError);
      await expect(store.increment('k', MINUTE)).rejects.toThrow(StoreUnavailableError);
      expect(logs.messages('error')).toEqual([expect.stringMatching(/^RedisStore: Redis is unreachable \(.*ECONNREFUSED.*\); requests that need state answer 503/)]);
    } finally {
      await store.close();
    }
  });

  it('killed: every operation fails fast while Redis is down; service resumes on its own when it returns', async () => {
    const store = new RedisStore({ url: server.url, keyPrefix: prefix(), commandTimeoutMs: 1000 });
    const client = store.client as Redis;
    try {
      await store.set('k', 'v', MINUTE);

      await server.kill();
      if (client.status === 'ready') await once(client, 'close');
      const down = [
        store.get('k'),
        store.set('k', 'v', MINUTE),
        store.setIfAbsent('k', 'v', MINUTE),
        store.delete('k'),
        store.increment('c', MINUTE),
        store.compareAndSwap('k', 'v', 'w', MINUTE),
        store.ttl('k'),
      ];
      for (const result of await Promise.allSettled(down)) {
        expect(result).toEqual({ status: 'rejected', reason: expect.any(StoreUnavailableError) });
      }

      await server.restart();
      if (client.status !== 'ready') await once(client, 'ready');
      expect(await store.get('k')).toBeNull(); // no persistence: the restarted server is empty
      expect(await store.increment('c', MINUTE)).toBe(1);
      // One line when it went, one when it came back: no log line per retry or per request.
      expect(logs.messages('error')).toEqual([
        expect.stringMatching(/^RedisStore: Redis is unreachable \(.+\); requests that need state answer 503 until it returns\b/),
      ]);
      expect(logs.messages('log')).toEqual(['RedisStore: Redis is reachable again']);
    } finally {
      await store.close();
    }
  });

  it('hung (SIGSTOP): a command fails after commandTimeoutMs; answers resume with the server', async () => {
    const store = new RedisStore({ url: server.url, keyPrefix: prefix(), commandTimeoutMs: 1000 });
    try {
      await store.set('k', 'v', MINUTE);
      server.pause();
      await expect(store.get('k')).rejects.toThrow(new StoreUnavailableError('RedisStore: get got no answer within 1000 ms'));
      server.resume();
      expect(await store.get('k')).toBe('v');
    } finally {
      server.resume();
      await store.close();
    }
  });
});
