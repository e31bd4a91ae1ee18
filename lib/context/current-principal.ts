import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from '../principal/principal.js';

/** What a handler's scope knows of its caller. */
interface CallerScope {
  readonly principal: Principal | undefined;
  readonly user: unknown;
}

/**
 * The caller of the request being handled, for services that need it (audit fields, row filters)
 * without passing it down by hand: inject `CurrentPrincipal` and read `principal` (or `user()`,
 * what `@CurrentUser()` returns). It is set for each handler call, on HTTP, GraphQL and WebSocket
 * handlers alike, from what the guard established for that call; concurrent requests never see
 * each other's caller (AsyncLocalStorage).
 *
 * Outside a handler call (a constructor, a scheduled job, middleware, guards and interceptors that
 * run before nest-warden's), on `@Public()` routes and for anonymous `@OptionalAuth()` callers,
 * `principal` is `undefined`.
 *
 * @example
 * @Injectable()
 * class NotesService {
 *   constructor(private readonly caller: CurrentPrincipal) {}
 *   create(text: string) { return this.repo.insert({ text, authorId: this.caller.require().id }); }
 * }
 */
@Injectable()
export class CurrentPrincipal {
  private readonly storage = new AsyncLocalStorage<CallerScope>();
  /** Whether any provider or controller injects this (only then does a request pay for the scope). @internal */
  enabled = false;

  /** The authenticated caller of the current handler call, if any. */
  get principal(): Principal | undefined {
    return this.storage.getStore()?.principal;
  }

  /** What `@CurrentUser()` returns for the current call: the principal, or your `resolveUser()` result. */
  user<T = unknown>(): T | undefined {
    return this.storage.getStore()?.user as T | undefined;
  }

  /**
   * The authenticated caller; throws when there is none, since that is a bug in the calling code
   * (a service that needs a caller used from a public route, or outside a handler call).
   */
  require(): Principal {
    const principal = this.principal;
    if (!principal) {
      throw new Error(
        'nest-warden: CurrentPrincipal.require() found no authenticated caller. It is set for handler calls of guarded ' +
          'routes only: not on @Public() routes, not for anonymous @OptionalAuth() callers, not outside a request.',
      );
    }
    return principal;
  }

  /** Runs `handle` with the caller of one handler call. @internal */
  run<T>(principal: Principal | undefined, user: unknown, handle: () => T): T {
    return this.storage.run({ principal, user }, handle);
  }
}
