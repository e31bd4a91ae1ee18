import { jest } from '@jest/globals';

// ioredis is an optional peer dependency: make every way of loading it (ESM import, require) fail here.
jest.unstable_mockModule('ioredis', () => {
  throw new Error("Cannot find package 'ioredis'");
});
jest.mock('ioredis', () => {
  throw new Error("Cannot find package 'ioredis'");
});

describe('ioredis is optional', () => {
  it('the mock is in force: importing ioredis fails here', async () => {
    await expect(import('ioredis')).rejects.toThrow("Cannot find package 'ioredis'");
  });

  it('importing nest-warden does not load ioredis, and a RedisStore given a client needs none', async () => {
    const { RedisStore } = await import('../index.js');
    const client = { status: 'ready', call: async () => 'PONG', quit: async () => 'OK', disconnect: () => undefined };
    expect(new RedisStore({ client }).keyPrefix).toBe('nest-warden:');
  });

  it('RedisStore({ url }) without ioredis fails at construction, saying what to install', async () => {
    const { AuthConfigurationError, RedisStore } = await import('../index.js');
    const build = () => new RedisStore({ url: 'redis://127.0.0.1:6379' });
    expect(build).toThrow(AuthConfigurationError);
    expect(build).toThrow('nest-warden: RedisStore({ url }) needs the ioredis package. Install it (npm install ioredis) or pass a client.');
  });
});
