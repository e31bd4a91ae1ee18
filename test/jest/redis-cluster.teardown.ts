// Jest's globalTeardown: stops the Redis Cluster that test/helpers/redis-server.ts started as
// globalSetup (the same process keeps it on globalThis). Jest runs it after failed tests too.
// Self-contained: Node loads this file natively, outside Jest's module resolution.
const SHARED_CLUSTER = Symbol.for('nest-warden:test:redis-cluster');

export default async function globalTeardown(): Promise<void> {
  const shared = globalThis as Record<symbol, { stop(): Promise<void> } | undefined>;
  await shared[SHARED_CLUSTER]?.stop();
  shared[SHARED_CLUSTER] = undefined;
}
