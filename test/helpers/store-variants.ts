import type { TestingModuleBuilder } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { AuthStore, MemoryStore, RedisStore, SystemClock } from '../../lib/index.js';
import { sharedClusterNodes } from './redis-server.js';

/**
 * A store an e2e suite runs against: `describe.each(cases)` over adapters × `STORE_VARIANTS`, so one
 * suite checks a feature on the default `MemoryStore` and on a real three-master Redis Cluster.
 */
export interface StoreVariant {
  readonly name: string;
  /**
   * Entries expire by the app's injected `Clock` (MemoryStore), so a test may move time past a TTL.
   * Redis keeps its own time: cases that need it are defined for clock-driven variants only.
   */
  readonly clockDriven: boolean;
  /** Gives the app being built a fresh, empty store of its own, closed with the app. */
  override(builder: TestingModuleBuilder): TestingModuleBuilder;
  /** A fresh store for an app that takes `store` as an option (`undefined`: the module's default). */
  create(): AuthStore | undefined;
  /**
   * Two handles on one fresh state, as two instances behind a balancer have: two connections on
   * one key prefix (Redis), or one store shared by two apps of this process (memory).
   */
  pair(): [AuthStore, AuthStore];
}

/** A `RedisStore` on an ioredis `Cluster` of its own, which it closes with the app (a client passed in stays open otherwise). */
class ClusterStore extends RedisStore {
  constructor(keyPrefix: string) {
    super({ client: new Cluster(sharedClusterNodes(), { enableAutoPipelining: true }), keyPrefix });
  }

  override async close(): Promise<void> {
    await super.close();
    const client = this.client as Cluster;
    if (client.status === 'end') return;
    await client.quit().catch(() => client.disconnect());
  }
}

const runPrefix = `test:variants:${randomBytes(6).toString('hex')}:`;
let stores = 0;

export const MEMORY_STORE: StoreVariant = {
  name: 'MemoryStore',
  clockDriven: true,
  override: (builder) => builder,
  create: () => undefined,
  pair() {
    const store = new MemoryStore(new SystemClock());
    return [store, store];
  },
};

/** The run's three-master Redis Cluster (test/helpers/redis-server.ts, Jest's globalSetup); a key prefix per store. */
export const REDIS_CLUSTER_STORE: StoreVariant = {
  name: 'Redis Cluster',
  clockDriven: false,
  override(builder) {
    return builder.overrideProvider(AuthStore).useValue(this.create());
  },
  create: () => new ClusterStore(`${runPrefix}${stores++}:`),
  pair() {
    const keyPrefix = `${runPrefix}${stores++}:`;
    return [new ClusterStore(keyPrefix), new ClusterStore(keyPrefix)];
  },
};

export const STORE_VARIANTS: readonly StoreVariant[] = [MEMORY_STORE, REDIS_CLUSTER_STORE];

/**
 * `it` for a case that moves the store's clock past a TTL: defined for clock-driven stores only
 * (Redis keeps its own time), as `STORE_CONTRACT` does with its `needsClock` cases.
 */
export function itWithStoreClock(variant: StoreVariant, name: string, fn: () => Promise<void>): void {
  if (variant.clockDriven) it(name, fn);
}
