import { Test } from '@nestjs/testing';
import { LogCapture } from '../../test/helpers/log-capture.js';
import { AuthModule } from './auth.module.js';
import type { AuthModuleOptions } from './auth-module.options.js';
import { SystemClock } from '../clock/clock.js';
import { AuthStore } from '../stores/auth-store.js';
import { MemoryStore } from '../stores/memory.store.js';
import { RedisStore } from '../stores/redis.store.js';

describe('AuthStore provider', () => {
  const nodeEnv = process.env.NODE_ENV;
  let logs: LogCapture;
  beforeEach(() => {
    logs = new LogCapture();
  });
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  async function boot(options: AuthModuleOptions): Promise<AuthStore> {
    const moduleRef = await Test.createTestingModule({ imports: [AuthModule.forRoot({ global: false, ...options })] })
      .setLogger(logs)
      .compile();
    const store = moduleRef.get(AuthStore);
    await moduleRef.close();
    return store;
  }

  const perProcessWarnings = () => logs.messages('warn').filter((line) => line.includes('in this process only (MemoryStore)'));

  it('defaults to a bounded MemoryStore', async () => {
    const store = await boot({});
    expect(store).toBeInstanceOf(MemoryStore);
    expect((store as MemoryStore).maxEntries).toBe(100_000);
  });

  it('warns at boot in production that memory state is per process, and says how to share it', async () => {
    process.env.NODE_ENV = 'production';
    await boot({});
    expect(perProcessWarnings()).toEqual([expect.stringMatching(/not shared between instances.*new RedisStore\(\{ url: process\.env\.REDIS_URL \}\)/)]);
  });

  it('warns for a MemoryStore passed in too, but not outside production nor for a RedisStore', async () => {
    process.env.NODE_ENV = 'production';
    await boot({ store: new MemoryStore(new SystemClock(), { maxEntries: 10 }) });
    expect(perProcessWarnings()).toHaveLength(1);
    await boot({ store: new RedisStore({ url: 'redis://127.0.0.1:6379' }) });
    process.env.NODE_ENV = 'development';
    await boot({});
    expect(perProcessWarnings()).toHaveLength(1);
  });
});
