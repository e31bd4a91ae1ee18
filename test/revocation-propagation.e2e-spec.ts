import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import request from 'supertest';
import { AuthStore, Clock, RedisStore, UserRevocation } from '../lib/index.js';
import { FakeClock } from '../lib/testing/index.js';
import { keyOf } from '../lib/tokens/issuance/access-token-deny-list.js';
import { MIRROR_TRUST_MARGIN_MS, REVOCATION_SEQUENCE_KEY, RevocationMirror } from '../lib/tokens/issuance/revocation-mirror.js';
import { tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { REDIS_URL, sharedClusterNodes } from './helpers/redis-server.js';
import { ALICE, BOB } from './helpers/users.js';

/**
 * Issue #20: revocations reach every instance through the store's channel (Redis pub/sub), so the
 * request path asks Redis nothing for recent tokens; a lost message or a dropped channel falls back
 * to asking the store (fail closed stays fail closed).
 */

/** Counts the commands a client sends, so a test can say "the request path asked Redis nothing". */
function counting<T extends Redis | Cluster>(client: T): { client: T; commands: string[] } {
  const commands: string[] = [];
  const call = client.call.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { call: (...args: unknown[]) => Promise<unknown> }).call = (...args: unknown[]) => {
    commands.push(String(args[0]));
    return call(...args);
  };
  return { client, commands };
}

interface Backend {
  readonly name: string;
  client(): Redis | Cluster;
}

const BACKENDS: readonly Backend[] = [
  { name: 'Redis (REDIS_URL)', client: () => new Redis(REDIS_URL) },
  { name: 'three-master Redis Cluster', client: () => new Cluster(sharedClusterNodes()) },
];

const cases = ADAPTERS.flatMap((adapter) => BACKENDS.map((backend) => [adapter, backend.name, backend] as const));

/** Polls until `probe` holds (a revocation travels asynchronously); fails after `limitMs`. */
async function eventually(probe: () => Promise<boolean>, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms`);
    await delay(10);
  }
}

describe.each(cases)('revocations propagated to every instance (%s, %s)', (adapter, _name, backend) => {
  let a: INestApplication;
  let b: INestApplication;
  let prefix: string;
  let clients: ReturnType<typeof counting>[];
  const clock = new FakeClock();

  beforeAll(async () => {
    prefix = `test:mirror:${randomBytes(6).toString('hex')}:`;
    clients = [counting(backend.client()), counting(backend.client())];
    const boot = ({ client }: { client: Redis | Cluster }) =>
      createApp(adapter, { imports: [tokenTestModule()] }, {
        override: (builder) =>
          builder
            .overrideProvider(AuthStore)
            .useValue(new RedisStore({ client, keyPrefix: prefix }))
            .overrideProvider(Clock)
            .useValue(clock),
      });
    [a, b] = await Promise.all(clients.map(boot));
    await eventually(async () => a.get(RevocationMirror).live && b.get(RevocationMirror).live);
    // Tokens issued from now on are past the trust margin of both mirrors.
    clock.advance(MIRROR_TRUST_MARGIN_MS + 1000);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    const cleaner = new Redis(REDIS_URL);
    if (backend.name.startsWith('Redis (')) {
      const keys = await cleaner.keys(`${prefix}*`);
      if (keys.length) await cleaner.del(...keys);
    }
    await cleaner.quit();
    await Promise.all(clients.map(({ client }) => client.quit()));
  });

  const form = (app: INestApplication, body: string) => request(app.getHttpServer()).post('/auth/token').type('form').send(body);
  const signIn = async (app: INestApplication, user = ALICE) =>
    (await form(app, `grant_type=password&username=${user.username}&password=${user.password}`).expect(200)).body as {
      access_token: string;
      refresh_token: string;
    };
  const me = (app: INestApplication, token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
  const refused = (app: INestApplication, token: string) => async () => (await me(app, token)).status === 401;
  /** Adds the token to its user's deny-list record straight in the store: a revocation no instance hears about. */
  const revokeSilently = async (app: INestApplication, token: string) => {
    const { jti, sub } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { jti: string; sub: string };
    const store = app.get(AuthStore);
    const raw = await store.get(keyOf(sub));
    const record: { jti: Record<string, number> } = raw ? (JSON.parse(raw) as { jti: Record<string, number> }) : { jti: {}, sid: {}, of: {} } as { jti: Record<string, number> };
    record.jti[jti] = clock.now() + 3_600_000;
    await store.set(keyOf(sub), JSON.stringify(record), 60_000);
  };

  it('a recent token is checked against the local mirror: 50 requests ask Redis nothing', async () => {
    const { access_token } = await signIn(a);
    await me(b, access_token).expect(200);
    const before = clients[1].commands.length;
    for (let i = 0; i < 50; i++) await me(b, access_token).expect(200);
    // The mirror's own background check (one GET every 250 ms) may run meanwhile; nothing else.
    expect(clients[1].commands.slice(before).filter((command) => command !== 'GET')).toEqual([]);
    expect(clients[1].commands.slice(before).length).toBeLessThan(50);
  });

  it('a token revoked (RFC 7009) on one instance is refused on the other, without asking Redis per request', async () => {
    const { access_token } = await signIn(a);
    await me(b, access_token).expect(200);
    await request(a.getHttpServer()).post('/auth/revoke').type('form').send(`token=${access_token}`).expect(200);
    await eventually(refused(b, access_token));
    expect((await me(a, access_token)).status).toBe(401);
  });

  it('refresh-token reuse on one instance ends the grant on the other', async () => {
    const tokens = await signIn(a, BOB);
    const rotated = (await form(a, `grant_type=refresh_token&refresh_token=${tokens.refresh_token}`).expect(200)).body as { access_token: string };
    await me(b, rotated.access_token).expect(200);
    await form(b, `grant_type=refresh_token&refresh_token=${tokens.refresh_token}`).expect(400);
    await eventually(refused(a, rotated.access_token));
    await eventually(refused(b, rotated.access_token));
  });

  it('"log out everywhere" on one instance reaches the other; a later sign-in works on both', async () => {
    const { access_token } = await signIn(b);
    await me(a, access_token).expect(200);
    await a.get(UserRevocation).revokeUser(ALICE.id, 'logout-everywhere');
    await eventually(refused(b, access_token));
    clock.advance(6000); // a sign-in clearly after the revocation
    const later = await signIn(b);
    await me(a, later.access_token).expect(200);
    await me(b, later.access_token).expect(200);
  });

  it('a revocation whose message is lost (counted, written, never published) is refused once the gap is seen', async () => {
    const { access_token } = await signIn(a, BOB);
    await me(b, access_token).expect(200);
    // What a crash between the write and PUBLISH leaves: the sequence moved, the entry is in the store.
    await b.get(AuthStore).increment(REVOCATION_SEQUENCE_KEY, 60_000);
    await revokeSilently(b, access_token);
    await eventually(refused(b, access_token));
    await eventually(refused(a, access_token));
    // Then the mirrors go live again (a new probe), for tokens issued after that.
    await eventually(async () => a.get(RevocationMirror).live && b.get(RevocationMirror).live);
  });

  it('while the channel is down, every request asks the store (a revocation made meanwhile is refused at once)', async () => {
    clock.advance(MIRROR_TRUST_MARGIN_MS + 1000);
    const { access_token } = await signIn(a);
    await me(b, access_token).expect(200);
    const mirror = b.get(RevocationMirror);
    mirror.interrupted(); // what the subscriber connection's `close` event does
    expect(mirror.live).toBe(false);
    // A revocation that b cannot hear about: written straight to the store.
    await revokeSilently(b, access_token);
    expect((await me(b, access_token)).status).toBe(401);
    await eventually(async () => mirror.live);
  });
});
