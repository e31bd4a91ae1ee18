import type { INestApplication } from '@nestjs/common';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import request from 'supertest';
import { RedisStore } from '../lib/index.js';
import { storeTestModule } from './fixtures/store-app.js';
import { throttlingTestModule } from './fixtures/throttling-app.js';
import { tokenTestModule } from './fixtures/token-app.js';
import { LogCapture } from './helpers/log-capture.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { RedisCluster, RedisServer } from './helpers/redis-server.js';
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

/**
 * A three-master Redis Cluster of this suite's own (killing a master of the run's shared one would
 * fail the suites running beside it), without replicas: a killed master leaves its slots unserved,
 * and once the others declare it failed the whole cluster refuses commands (`cluster_state:fail`).
 * One kill serves both adapters: a master's restart costs Redis's 2 s rejoin delay, each time.
 */
describe('Redis Cluster: a master killed, then back', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  const apps: { adapter: string; tokens: INestApplication; throttled: INestApplication }[] = [];

  beforeAll(async () => {
    cluster = await RedisCluster.start({ nodeTimeoutMs: 1000 });
    client = new Cluster(cluster.nodes, { enableAutoPipelining: true });
    client.on('error', () => {}); // the apps' own client: connection errors are expected here
    for (const adapter of ADAPTERS) {
      const store = new RedisStore({ client, keyPrefix: `test:cluster-outage:${adapter}:${randomBytes(6).toString('hex')}:`, commandTimeoutMs: 500 });
      const [tokens, throttled] = await Promise.all([
        createApp(adapter, { imports: [tokenTestModule({ options: { store } })] }),
        createApp(adapter, { imports: [throttlingTestModule({ store })] }),
      ]);
      apps.push({ adapter, tokens, throttled });
    }
  });
  afterAll(async () => {
    await Promise.all(apps.flatMap(({ tokens, throttled }) => [tokens.close(), throttled.close()]));
    client?.disconnect();
    await cluster?.stop();
  });

  function expect503(res: request.Response, body: object): void {
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual(body);
    expect(res.text).not.toMatch(/redis|cluster|ECONNREFUSED|StoreUnavailable|alice-password/i);
  }

  it('on Express and Fastify: a bearer token, a sign-in and a rate-limited API key answer 503 + Retry-After while it is down, public routes still answer; all recover once it is back', async () => {
    const signIn = (app: INestApplication) =>
      request(app.getHttpServer()).post('/auth/token').type('form').send(`grant_type=password&username=alice&password=${ALICE.password}`).timeout(NO_HANG);
    const me = (app: INestApplication, token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).timeout(NO_HANG);
    const reports = (app: INestApplication) => request(app.getHttpServer()).get('/reports').set('X-API-Key', 'partner-key-a').timeout(NO_HANG);
    const tokenOf = new Map<string, string>();
    for (const { adapter, tokens, throttled } of apps) {
      const { access_token: token } = (await signIn(tokens).expect(200)).body as { access_token: string };
      tokenOf.set(adapter, token);
      await me(tokens, token).expect(200);
      await reports(throttled).expect(200);
    }

    const [victim, ...survivors] = cluster.nodes.map((node) => node.port);
    await cluster.kill(victim);
    try {
      await cluster.waitForState('fail', survivors);
      await Promise.all(
        apps.map(async ({ adapter, tokens, throttled }) => {
          const [meDown, signInDown, reportsDown] = await Promise.all([me(tokens, tokenOf.get(adapter)!), signIn(tokens), reports(throttled)]);
          expect503(meDown, { statusCode: 503, message: 'Token revocation cannot be checked right now', error: 'Service Unavailable' });
          expect503(signInDown, { error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable' });
          expect503(reportsDown, { statusCode: 503, message: 'Rate limiting is temporarily unavailable', error: 'Service Unavailable' });
          await request(tokens.getHttpServer()).get('/health').timeout(NO_HANG).expect(200);
        }),
      );
    } finally {
      await cluster.restart(victim); // same port, same node id and slots; resolves at cluster_state:ok
    }

    for (const { adapter, tokens, throttled } of apps) {
      await me(tokens, tokenOf.get(adapter)!).expect(200);
      await signIn(tokens).expect(200);
      await reports(throttled).expect(200);
    }
  });
});
