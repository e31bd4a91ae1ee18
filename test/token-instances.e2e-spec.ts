import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { AuthStore, RedisStore, UserRevocation } from '../lib/index.js';
import { tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { REDIS_URL, sharedClusterNodes } from './helpers/redis-server.js';
import { ALICE, BOB } from './helpers/users.js';

/** Two instances of one app behind a balancer: each its own connection, one Redis, one key prefix. */
interface Backend {
  readonly name: string;
  connect(): Promise<{ clients: [Redis | Cluster, Redis | Cluster]; cleanup(prefix: string): Promise<void> }>;
}

const BACKENDS: readonly Backend[] = [
  {
    name: 'Redis (REDIS_URL)',
    async connect() {
      const clients: [Redis, Redis] = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
      return {
        clients,
        async cleanup(prefix) {
          const keys = await clients[0].keys(`${prefix}*`);
          if (keys.length) await clients[0].del(...keys);
          await Promise.all(clients.map((client) => client.quit()));
        },
      };
    },
  },
  {
    // The run's three-master cluster (Jest's globalSetup).
    name: 'three-master Redis Cluster',
    async connect() {
      const clients: [Cluster, Cluster] = [new Cluster(sharedClusterNodes()), new Cluster(sharedClusterNodes())];
      return { clients, cleanup: async () => void (await Promise.all(clients.map((client) => client.quit()))) };
    },
  },
];

const cases = ADAPTERS.flatMap((adapter) => BACKENDS.map((backend) => [adapter, backend.name, backend] as const));

describe.each(cases)('two instances sharing one store (%s, %s)', (adapter, _name, backend) => {
  let a: INestApplication;
  let b: INestApplication;
  let prefix: string;
  let connection: Awaited<ReturnType<Backend['connect']>>;

  beforeAll(async () => {
    prefix = `test:tokens:${randomBytes(6).toString('hex')}:`;
    connection = await backend.connect();
    const boot = (client: Redis | Cluster) =>
      createApp(adapter, { imports: [tokenTestModule()] }, {
        override: (builder) => builder.overrideProvider(AuthStore).useValue(new RedisStore({ client, keyPrefix: prefix })),
      });
    [a, b] = await Promise.all(connection.clients.map(boot));
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await connection.cleanup(prefix);
  });

  const form = (app: INestApplication, body: string) => request(app.getHttpServer()).post('/auth/token').type('form').send(body);
  const signIn = async (app: INestApplication, user = ALICE) =>
    (await form(app, `grant_type=password&username=${user.username}&password=${user.password}`).expect(200)).body;
  const refresh = (app: INestApplication, token: string) => form(app, `grant_type=refresh_token&refresh_token=${token}`);
  const me = (app: INestApplication, token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  it('generated keys: a token from either instance verifies on both; each JWKS lists both; no private key in Redis', async () => {
    const fromA = (await signIn(a)).access_token;
    const fromB = (await signIn(b)).access_token;
    await me(b, fromA).expect(200);
    await me(a, fromB).expect(200);
    const kids = [decodeProtectedHeader(fromA).kid, decodeProtectedHeader(fromB).kid].sort();
    for (const app of [a, b]) {
      const jwks = await request(app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
      expect(jwks.body.keys.map((key: { kid: string }) => key.kid).sort()).toEqual(kids);
    }
    const published = await connection.clients[0].get(`${prefix}tokens:keys`);
    expect(published).toEqual(expect.stringContaining('"kty"'));
    for (const member of ['"d"', '"p"', '"q"', '"dp"', '"dq"', '"qi"']) expect(published).not.toContain(member);
  });

  it('a token revoked on one instance is refused on the other', async () => {
    const tokens = await signIn(a);
    await me(b, tokens.access_token).expect(200);
    await request(a.getHttpServer()).post('/auth/revoke').type('form').send(`token=${tokens.access_token}`).expect(200);
    expect((await me(b, tokens.access_token)).status).toBe(401);
  });

  it('a refresh token rotated on one instance cannot be reused on the other (the family is revoked)', async () => {
    const tokens = await signIn(a);
    const rotated = await refresh(a, tokens.refresh_token).expect(200);
    const reuse = await refresh(b, tokens.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    expect((await refresh(a, rotated.body.refresh_token)).status).toBe(400);
    expect((await me(b, rotated.body.access_token)).status).toBe(401);
  });

  it('10 parallel refreshes across both instances: exactly one succeeds', async () => {
    const tokens = await signIn(b, BOB);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => refresh(i % 2 ? a : b, tokens.refresh_token)));
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    expect(results.filter((res) => res.status === 400 && res.body.error === 'invalid_grant')).toHaveLength(9);
  });

  it('a lockout is counted across both instances', async () => {
    const user = { username: `carol-${adapter}`, password: 'nope' };
    for (let i = 0; i < 5; i++) expect((await form(i % 2 ? a : b, `grant_type=password&username=${user.username}&password=wrong`)).status).toBe(400);
    for (const app of [a, b]) {
      const res = await form(app, `grant_type=password&username=${user.username}&password=wrong`);
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('"log out everywhere" on one instance ends the user\'s tokens on the other', async () => {
    const tokens = await signIn(b);
    await a.get(UserRevocation).revokeUser(ALICE.id, 'logout-everywhere');
    expect((await me(b, tokens.access_token)).status).toBe(401);
    expect((await refresh(b, tokens.refresh_token)).status).toBe(400);
    await me(a, (await signIn(b)).access_token).expect(200);
  });
});
