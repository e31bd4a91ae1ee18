import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { MemoryStore, RedisStore } from '../lib/index.js';
import { REDIS_STORE_SCRIPTS } from '../lib/stores/redis.store.js';
import { FakeClock, STORE_CONTRACT, type StoreContractSubject } from '../lib/testing/index.js';
import { AuthStoreThrottlerStorage } from '../lib/throttling/index.js';
import { REDIS_URL, sharedClusterNodes } from './helpers/redis-server.js';

/** One backend the contract runs against: set up once, a fresh subject (own state) per case. */
interface StoreKind {
  readonly name: string;
  readonly hasClock: boolean;
  setup(): Promise<void>;
  subject(): StoreContractSubject;
  teardown(): Promise<void>;
}

/** Two connections to one Redis, a fresh key prefix per case, every key of the run removed after. */
function redisKind(name: string, connect: () => Promise<{ a: Redis | Cluster; b: Redis | Cluster; cleanup(): Promise<void> }>): StoreKind {
  let clients: Awaited<ReturnType<typeof connect>>;
  let n = 0;
  return {
    name,
    hasClock: false,
    async setup() {
      clients = await connect();
    },
    subject() {
      const keyPrefix = `${runPrefix}${n++}:`;
      return {
        store: new RedisStore({ client: clients.a, keyPrefix }),
        peer: new RedisStore({ client: clients.b, keyPrefix }),
      };
    },
    async teardown() {
      await clients.cleanup();
    },
  };
}

const runPrefix = `test:stores:${randomBytes(6).toString('hex')}:`;

const KINDS: readonly StoreKind[] = [
  {
    name: 'MemoryStore',
    hasClock: true,
    async setup() {},
    subject() {
      const clock = new FakeClock();
      const store = new MemoryStore(clock);
      return { store, peer: store, advance: (ms) => clock.advance(ms) };
    },
    async teardown() {},
  },
  redisKind('RedisStore (REDIS_URL)', async () => {
    const a = new Redis(REDIS_URL);
    const b = new Redis(REDIS_URL);
    return {
      a,
      b,
      async cleanup() {
        const keys = await a.keys(`${runPrefix}*`);
        if (keys.length) await a.del(...keys);
        await Promise.all([a.quit(), b.quit()]);
      },
    };
  }),
  // The run's three-master cluster (Jest's globalSetup): keys spread over three nodes, as in production.
  redisKind('RedisStore (three-master Redis Cluster)', async () => {
    const a = new Cluster(sharedClusterNodes());
    const b = new Cluster(sharedClusterNodes());
    return {
      a,
      b,
      async cleanup() {
        await Promise.all([a.quit(), b.quit()]);
      },
    };
  }),
];

describe.each(KINDS)('AuthStore contract: $name', (kind) => {
  beforeAll(() => kind.setup());
  afterAll(() => kind.teardown());

  for (const contractCase of STORE_CONTRACT) {
    if (contractCase.needsClock && !kind.hasClock) continue;
    it(contractCase.name, () => contractCase.run(kind.subject()));
  }
});

describe('Redis Cluster safety: one key per atomic operation', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = new Cluster(sharedClusterNodes());
    await cluster.call('PING');
  });
  afterAll(() => cluster.quit());

  it('the test cluster has three masters and refuses keys on different slots, so the contract passing on it means something', async () => {
    expect(cluster.nodes('master')).toHaveLength(3);
    await expect(cluster.call('EVAL', 'return 1', 2, 'a', 'b')).rejects.toThrow(/CROSSSLOT/);
    await expect(cluster.call('EVAL', "#!lua\nreturn redis.call('GET', 'b')", 1, 'a')).rejects.toThrow(/non local key|do not hash to the same slot/);
  });

  it("every script touches only the key it declares (Redis 7's strict script mode, which refuses any other)", async () => {
    const strict = (lua: string, ...args: (string | number)[]) => cluster.call('EVAL', `#!lua\n${lua}`, 1, `${runPrefix}strict`, ...args);
    await expect(strict(REDIS_STORE_SCRIPTS.increment, 60_000)).resolves.toBe(1);
    await expect(strict(REDIS_STORE_SCRIPTS.compareAndSwap, '0', '1', '0', '2', 60_000)).resolves.toBe(1);
    await expect(strict(REDIS_STORE_SCRIPTS.compareAndSwap, '0', '2', '1', '', 60_000)).resolves.toBe(1);
  });

  it('RedisStore refuses a key prefix with braces (a hash tag would pin every key to one slot)', () => {
    expect(() => new RedisStore({ client: cluster, keyPrefix: '{app}:' })).toThrow(/keyPrefix "\{app\}:" contains a brace.*hash tag/);
  });

  it('a rate-limit budget keeps its counter and block marker on one slot (one hash tag), whatever its key', async () => {
    const keyPrefix = `${runPrefix}throttle:`;
    const storage = new AuthStoreThrottlerStorage(new RedisStore({ client: cluster, keyPrefix }));
    for (const key of ['principal:alice', 'principal:bob', 'address:203.0.113.9']) {
      for (let i = 0; i < 3; i++) await storage.increment(key, 60_000, 1, 60_000, 'default');
    }
    const keys = (await Promise.all(cluster.nodes('master').map((node) => node.keys(`${keyPrefix}*`)))).flat();
    expect(keys).toHaveLength(6);
    const slots = new Map<string, Set<number>>();
    for (const key of keys) {
      const budget = key.slice(0, key.indexOf('}') + 1);
      const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
      slots.set(budget, (slots.get(budget) ?? new Set()).add(slot));
    }
    expect([...slots.values()].map((set) => set.size)).toEqual([1, 1, 1]);
  });
});
