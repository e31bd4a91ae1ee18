import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AuthStore, MemoryStore, RedisStore } from '../../lib/index.js';
import { FakeClock } from '../../lib/testing/index.js';
import { REDIS_URL } from '../../test/helpers/redis-server.js';
import { describeStoreContract, MemoryModule, REDIS, RedisFromClientModule, RedisFromUrlModule, tightMemoryStore } from './stores.example.js';

/** Boots the modules of docs/stores.md, so what the guide claims is what the code does. */
describe('docs/examples/stores', () => {
  const previousUrl = process.env.REDIS_URL;
  const key = `docs-example:${randomBytes(6).toString('hex')}`;
  beforeAll(() => {
    process.env.REDIS_URL = REDIS_URL;
  });
  afterAll(() => {
    if (previousUrl === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = previousUrl;
  });

  it('REDIS_URL set: a RedisStore with its prefix, whose own connection closes with the app', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RedisFromUrlModule] }).compile();
    await moduleRef.init();
    const store = moduleRef.get(AuthStore);
    expect(store).toBeInstanceOf(RedisStore);
    expect((store as RedisStore).keyPrefix).toBe('notes-api:');
    await store.set(key, 'v', 60_000);
    expect(await store.get(key)).toBe('v');
    await store.delete(key);
    await moduleRef.close();
    expect((store as RedisStore).client.status).toBe('end');
  });

  it('your own client: used by the store, left open at shutdown', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RedisFromClientModule] }).compile();
    await moduleRef.init();
    const redis = moduleRef.get<Redis>(REDIS);
    const store = moduleRef.get(AuthStore) as RedisStore;
    expect(store.client).toBe(redis);
    expect(await store.increment(key, 60_000)).toBe(1);
    expect(await redis.get(`nest-warden:${key}`)).toBe('1');
    await store.delete(key);
    await moduleRef.close();
    expect(redis.status).toBe('ready');
    await redis.quit();
  });

  it('a tighter MemoryStore with an extra protected namespace that refuses when full', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [MemoryModule] }).compile();
    expect(moduleRef.get(AuthStore)).toBe(tightMemoryStore);
    expect((tightMemoryStore as MemoryStore).maxEntries).toBe(20_000);
    for (let i = 0; i < 2_000; i++) await tightMemoryStore.set(`audit:hold:${i}`, '1', 60_000);
    await expect(tightMemoryStore.set('audit:hold:one-more', '1', 60_000)).rejects.toThrow(/protected namespace "audit:hold:" is full/);
    await moduleRef.close();
  });
});

describeStoreContract('a MemoryStore, as docs/stores.md runs it', () => {
  const clock = new FakeClock();
  const store = new MemoryStore(clock);
  return { store, peer: store, advance: (ms) => clock.advance(ms) };
});
