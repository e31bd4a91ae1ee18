import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Clock } from '../clock/clock.js';
import type { AuthEvent } from './auth-event.js';
import { AuthEventListener } from './auth-event-listener.js';
import { LoggingAuthEventListener } from './logging-auth-event.listener.js';
import { findAppProvider } from '../di/find-app-provider.js';

/** Omits `at`, which the emitter stamps from the module's clock (a distributive Omit over the union). */
export type AuthEventInput = AuthEvent extends infer E ? (E extends AuthEvent ? Omit<E, 'at'> : never) : never;

/**
 * Hands security events to the app's {@link AuthEventListener} (any provider of that token in the
 * application), or to the logging default. Emitting never throws and never waits.
 */
@Injectable()
export class AuthEvents implements OnModuleInit {
  private readonly logger = new Logger('nest-warden');
  private listener: AuthEventListener = new LoggingAuthEventListener();

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // No listener in the app: keep the logging default.
    this.listener = findAppProvider(this.moduleRef, AuthEventListener) ?? this.listener;
  }

  emit(input: AuthEventInput): void {
    const event = { ...input, at: this.clock.now() } as AuthEvent;
    try {
      const result = this.listener.handle(event);
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(undefined, (error: unknown) => this.failed(event, error));
      }
    } catch (error) {
      this.failed(event, error);
    }
  }

  private failed(event: AuthEvent, error: unknown): void {
    this.logger.error(`AuthEventListener failed on "${event.type}"`, (error as Error | undefined)?.stack);
  }
}
