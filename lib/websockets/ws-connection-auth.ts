import { type ExecutionContext, Inject, Injectable, Logger, type Type } from '@nestjs/common';
import type { RouteHandler } from '../policy/policy-metadata.js';
import { SocketConnectionContext } from './socket-connection.context.js';
import { type SocketHandshake, socketRequest } from '../request/handshake-request.js';
import type { WsDenialPayload } from './ws-denial.js';

/** A socket.io middleware (`server.use(...)`, `namespace.use(...)`), typed without importing socket.io. */
export type SocketConnectionMiddleware = (
  socket: { readonly handshake: SocketHandshake },
  next: (error?: Error) => void,
) => void;

/** The error socket.io hands to the client's `connect_error` listener: `message`, plus `data`. */
export interface SocketConnectionError extends Error {
  readonly data: WsDenialPayload | { readonly status: 'error'; readonly message: string };
}

/**
 * DI token of the guard that checks connections: the module binds it to the global `AuthGuard`
 * (or the app's subclass of it), so this file needs no import of the guard.
 */
export const WS_CONNECTION_GUARD = Symbol('nest-warden:ws-connection-guard');

/** What the connection check needs of the guard (`AuthGuard.canActivate`). */
export interface ConnectionGuard {
  canActivate(context: ExecutionContext): boolean | Promise<boolean>;
}

/** Stands in for `handleConnection` on gateways that do not define one (stable, so its policy is cached). */
function handleConnection(): void {}

/**
 * Checks a socket's handshake when it connects, so a client without valid credentials is refused
 * (`connect_error`) instead of connecting and failing message by message. It applies the policy
 * of the gateway's `handleConnection` method: the gateway's class decorators, or decorators written
 * on `handleConnection` itself. Every message is still checked by the global guard (tokens expire).
 *
 * @example
 * afterInit(server: Server) {
 *   server.use(this.connectionAuth.middleware(ChatGateway));
 * }
 */
@Injectable()
export class WsConnectionAuth {
  private readonly logger = new Logger('nest-warden');

  /** Created by Nest (inject it); not part of the public API. @internal */
  constructor(@Inject(WS_CONNECTION_GUARD) private readonly guard: ConnectionGuard) {}

  middleware(gateway: Type): SocketConnectionMiddleware {
    const own = (gateway.prototype as { handleConnection?: unknown }).handleConnection;
    const handler: RouteHandler = typeof own === 'function' ? own : handleConnection;
    return (socket, next) => {
      const refuse = (error: unknown) => next(this.refusal(gateway, error));
      let verdict: boolean | Promise<boolean>;
      try {
        verdict = this.guard.canActivate(new SocketConnectionContext(gateway, handler, socket));
      } catch (error) {
        refuse(error);
        return;
      }
      if (typeof verdict === 'boolean') {
        if (verdict) next();
        else refuse(undefined);
        return;
      }
      verdict.then((allowed) => (allowed ? next() : refuse(undefined)), refuse);
    };
  }

  /**
   * The caller the connection check verified for this socket (messages keep theirs to themselves), as `@CurrentUser()` would give it; for `handleConnection`, which no
   * guard runs for. `undefined` for anonymous sockets.
   */
  userOf(socket: { readonly handshake: SocketHandshake }): unknown {
    return socketRequest(socket).user;
  }

  /** The guard's denial becomes socket.io's `connect_error`; anything else is logged and refused generically. */
  private refusal(gateway: Type, error: unknown): SocketConnectionError {
    const payload = (error as { getError?: () => unknown } | undefined)?.getError?.();
    if (
      typeof payload === 'object' &&
      payload !== null &&
      (payload as { status?: unknown }).status === 'error'
    ) {
      const denial = payload as WsDenialPayload;
      return Object.assign(new Error(denial.message), { data: denial });
    }
    if (error !== undefined)
      this.logger.error(`Connection check of ${gateway.name} failed`, (error as Error)?.stack);
    const message = error === undefined ? 'Forbidden' : 'Internal server error';
    return Object.assign(new Error(message), { data: { status: 'error' as const, message } });
  }
}
