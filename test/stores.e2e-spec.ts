import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { MemoryStore, RedisStore } from '../lib/index.js';
import { STORE_CONTRACT, type StoreContractSubject } from '../lib/stores/store-contract.js';
import { FakeClock } from './helpers/fake-clock.js';
import { REDIS_URL, RedisServer } from './helpers/redis-server.js';

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
  (() => {
    let server: RedisServer;
    return redisKind('RedisStore (one-node Redis Cluster)', async () => {
      server = await RedisServer.start({ cluster: true });
      const nodes = [{ host: '127.0.0.1', port: server.port }];
      const a = new Cluster(nodes);
      const b = new Cluster(nodes);
      return {
        a,
        b,
        async cleanup() {
          await Promise.all([a.quit(), b.quit()]);
          await server.stop();
        },
      };
    });
  })(),
];

describe.each(KINDS)('AuthStore contract: $name', (kind) => {
  beforeAll(() => kind.setup());
  afterAll(() => kind.teardown());

  for (const contractCase of STORE_CONTRACT) {
    if (contractCase.needsClock && !kind.hasClock) continue;
    it(contractCase.name, () => contractCase.run(kind.subject()));
  }
});
