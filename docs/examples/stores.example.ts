// The examples of docs/stores.md. Type-checked by `npm run typecheck` and run by
// `stores.example.spec.ts`; in your app, import from 'nest-warden' instead of '../../lib/index.js'.
import { Module } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import {
  AuthModule,
  type AuthModuleOptions,
  AuthStore,
  MemoryStore,
  RedisStore,
  SystemClock,
} from '../../lib/index.js';
import { STORE_CONTRACT, type StoreContractSubject } from '../../lib/testing/index.js';

const jwt: AuthModuleOptions['jwt'] = {
  algorithms: ['HS256'],
  secret: process.env.JWT_SECRET ?? 'dev-only-secret-of-at-least-32-bytes!!',
  issuer: 'https://id.example.com',
  audience: 'api',
};

// 1. Several instances behind a load balancer: every instance points at the same Redis. The store
//    opens its connection on the first command and closes it when the app shuts down.
@Module({
  imports: [
    AuthModule.forRootAsync({
      useFactory: (): AuthModuleOptions => ({
        jwt,
        store: process.env.REDIS_URL ? new RedisStore({ url: process.env.REDIS_URL, keyPrefix: 'notes-api:' }) : undefined,
      }),
    }),
  ],
})
export class RedisFromUrlModule {}

// 2. Your own ioredis client (TLS, Sentinel, custom retry...), shared with the rest of the app. You
//    own it: RedisStore never closes it, so close it yourself on shutdown.
export const REDIS = Symbol('REDIS');

@Module({
  providers: [{ provide: REDIS, useFactory: () => new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') }],
  exports: [REDIS],
})
export class RedisModule {}

@Module({
  imports: [
    AuthModule.forRootAsync({
      imports: [RedisModule],
      inject: [REDIS],
      useFactory: (redis: Redis): AuthModuleOptions => ({ jwt, store: new RedisStore({ client: redis, commandTimeoutMs: 500 }) }),
    }),
  ],
})
export class RedisFromClientModule {}

// 3. Redis Cluster: pass an ioredis Cluster. Every store operation touches one key, so each one
//    stays on one slot.
export function clusterStore(): RedisStore {
  const cluster = new Cluster([{ host: 'redis-1.internal', port: 6379 }], { redisOptions: { password: process.env.REDIS_PASSWORD } });
  return new RedisStore({ client: cluster, keyPrefix: 'notes-api:' });
}

// 4. One process, a tighter bound, and an extra protected namespace (kept apart from the flood; a
//    full one refuses new keys instead of dropping old ones).
export const tightMemoryStore: AuthStore = new MemoryStore(new SystemClock(), {
  maxEntries: 20_000,
  protectedNamespaces: [
    ...MemoryStore.defaultProtectedNamespaces,
    { prefix: 'audit:hold:', maxEntries: 2_000, whenFull: 'refuse' },
  ],
});

@Module({ imports: [AuthModule.forRoot({ jwt, store: tightMemoryStore })] })
export class MemoryModule {}

// 5. Your own store: run the contract every built-in store passes. The cases are plain async
//    functions that throw on failure; here they become Jest tests. `subject()` must give a store
//    with no keys yet (a fresh instance or a fresh key prefix) and, as `peer`, a second handle on
//    the same state (another connection) or the store itself.
export function describeStoreContract(name: string, subject: () => StoreContractSubject): void {
  describe(`AuthStore contract: ${name}`, () => {
    for (const contractCase of STORE_CONTRACT) {
      if (contractCase.needsClock && !subject().advance) continue; // expiry cases need a clock you can move
      it(contractCase.name, () => contractCase.run(subject()));
    }
  });
}
