import type { INestApplication } from '@nestjs/common';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { RedisStore } from '../lib/index.js';
import { storeTestModule } from './fixtures/store-app.js';
import { LogCapture } from './helpers/log-capture.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { RedisServer } from './helpers/redis-server.js';
import { ALICE } from './helpers/users.js';

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const ALICE_BASIC = basic(ALICE.username, ALICE.password);
/** Guards against a hanging request; far above the store's command timeout (1 s). */
const NO_HANG = { deadline: 5000 };

describe.each(ADAPTERS)('Redis outage: fail closed with 503, recover on return (%s)', (adapter) => {
  let server: RedisServer;
  let client: Redis;
  let store: RedisStore;
  let app: INestApplication;
  let logs: LogCapture;

  beforeAll(async () => {
    server = await RedisServer.start();
    client = new Redis(server.url);
    client.on('error', () => {}); // the app's own client: connection errors are expected here
    store = new RedisStore({ client, keyPrefix: `test:outage:${randomBytes(6).toString('hex')}:`, commandTimeoutMs: 1000 });
    logs = new LogCapture();
    app = await createApp(adapter, { imports: [storeTestModule(store)] }, { beforeInit: (a) => a.useLogger(logs) });
  });

  afterAll(async () => {
    await app.close();
    client.disconnect();
    await server.stop();
  });

  async function serverDown(): Promise<void> {
    await server.kill();
    if (client.status === 'ready') await once(client, 'close');
  }

  async function serverBack(): Promise<void> {
    await server.restart();
    if (client.status !== 'ready') await once(client, 'ready');
  }

  function expect503(res: request.Response, message: string): void {
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual({ statusCode: 503, message, error: 'Service Unavailable' });
    expect(res.text).not.toMatch(/redis|ECONNREFUSED|StoreUnavailable|alice-password/i);
  }

  it('Redis killed: routes that need state answer 503 + Retry-After, others still work; 200 again once Redis is back', async () => {
    const http = () => request(app.getHttpServer());
    await http().get('/basic/whoami').set('Authorization', ALICE_BASIC).expect(200, { username: 'alice' });

    await serverDown();
    logs.entries.length = 0;
    // The lockout cannot be checked, so no password is tried: right and wrong ones both get 503.
    const login = 'Login is temporarily unavailable';
    expect503(await http().get('/basic/whoami').set('Authorization', ALICE_BASIC).timeout(NO_HANG), login);
    expect503(await http().get('/basic/whoami').set('Authorization', basic('alice', 'wrong')).timeout(NO_HANG), login);
    // A strategy that lets StoreUnavailableError escape: the guard turns it into 503 all the same.
    const generic = 'Authentication is temporarily unavailable';
    expect503(await http().get('/session/me').set('X-Session', 's-1').timeout(NO_HANG), generic);
    // Nothing crashed: routes that need no state answer as usual.
    await http().get('/basic/whoami').expect(401);
    await http().get('/health').expect(200, { ok: true });

    const errors = logs.messages('error');
    expect(errors).toEqual([
      expect.stringMatching(/^Denied StoreTestController\.whoami: Login is temporarily unavailable StoreUnavailableError: RedisStore: ttl refused, Redis is not connected/),
      expect.stringMatching(/^Denied StoreTestController\.whoami: Login is temporarily unavailable StoreUnavailableError: RedisStore: ttl refused, Redis is not connected/),
      expect.stringMatching(/^Denied StoreTestController\.session: unavailable StoreUnavailableError: RedisStore: get refused, Redis is not connected/),
    ]);
    expect(logs.text).not.toContain(ALICE.password);
    expect(logs.text).not.toContain('wrong');

    await serverBack();
    await http().get('/basic/whoami').set('Authorization', ALICE_BASIC).expect(200, { username: 'alice' });
    await client.set(`${store.keyPrefix}session:s-1`, 'u-alice', 'PX', 60_000);
    await http().get('/session/me').set('X-Session', 's-1').expect(200, { id: 'u-alice' });
  });

  it('Redis hung (SIGSTOP): 503 after the command timeout instead of a hanging request; 200 once it answers again', async () => {
    const http = () => request(app.getHttpServer());
    await http().get('/basic/whoami').set('Authorization', ALICE_BASIC).expect(200);

    server.pause();
    try {
      expect503(await http().get('/basic/whoami').set('Authorization', ALICE_BASIC).timeout(NO_HANG), 'Login is temporarily unavailable');
      expect(logs.messages('error').at(-1)).toMatch(/got no answer within 1000 ms/);
    } finally {
      server.resume();
    }
    await http().get('/basic/whoami').set('Authorization', ALICE_BASIC).expect(200, { username: 'alice' });
  });
});
