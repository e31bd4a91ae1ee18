import { type FactoryProvider, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { AUTH_MODULE_OPTIONS_TOKEN } from './auth-module-options.token.js';
import type { AuthModuleOptions } from './auth-module.options.js';
import { AuthStore } from '../stores/auth-store.js';
import { MemoryStore } from '../stores/memory.store.js';

/**
 * `AuthStore`: the configured `store`, else a bounded `MemoryStore`. In production a memory store
 * is worth a warning at boot: its state is per process, so lockouts, sessions and revocations are
 * neither shared between instances nor kept across restarts.
 */
export const AUTH_STORE_PROVIDER: FactoryProvider<AuthStore> = {
  provide: AuthStore,
  useFactory: (options: AuthModuleOptions, clock: Clock): AuthStore => {
    const store = options?.store ?? new MemoryStore(clock);
    if (store instanceof MemoryStore && process.env.NODE_ENV === 'production') {
      new Logger('nest-warden').warn(
        'AuthModule keeps its state (lockouts, sessions, refresh tokens, revocations) in this process only (MemoryStore): ' +
          'it is lost on restart and not shared between instances. Behind a load balancer, use ' +
          'AuthModule.forRootAsync({ useFactory: () => ({ store: new RedisStore({ url: process.env.REDIS_URL }) }) }).',
      );
    }
    return store;
  },
  inject: [AUTH_MODULE_OPTIONS_TOKEN, Clock],
};
