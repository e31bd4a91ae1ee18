import { type ExecutionContext, Injectable, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import type { AuthError } from '../errors/auth.error.js';
import { GraphQLAuthError } from '../graphql/graphql-auth.error.js';
import { isGateway } from '../websockets/gateway-metadata.js';
import { type WsExceptionClass, wsDenialPayload } from '../websockets/ws-denial.js';
import { requestFromContext } from './context-request.js';
import { socketRequest } from '../request/handshake-request.js';
import { clearPrincipal } from '../request/request-state.js';

/**
 * Turns a denial into what each non-HTTP context expects: a GraphQL error with `extensions.code`,
 * or a `WsException` that Nest's gateway filter emits to the client as an `exception` event.
 *
 * `@nestjs/websockets` is an optional peer: it is imported at boot, and only when the application
 * has a gateway, so apps without WebSockets never load (or need) it.
 */
@Injectable()
export class ContextDenials implements OnModuleInit {
  private wsException: WsExceptionClass | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  async onModuleInit(): Promise<void> {
    const hasGateway = this.discovery
      .getProviders()
      .some(
        (wrapper) =>
          typeof wrapper.metatype === 'function' && isGateway(this.reflector, wrapper.metatype as Type),
      );
    if (hasGateway) this.wsException = (await import('@nestjs/websockets')).WsException;
  }

  /** The error to throw for `error` in a `graphql` or `ws` context; `undefined` for other contexts. */
  exceptionFor(context: ExecutionContext, error: AuthError): Error | undefined {
    switch (context.getType<string>()) {
      case 'graphql':
        return GraphQLAuthError.from(error);
      case 'ws': {
        const payload = wsDenialPayload(error);
        // A socket's credentials are those of its handshake: once they fail, forget its caller.
        if (payload.statusCode === 401) this.forgetCaller(context);
        if (this.wsException) return new this.wsException(payload);
        return Object.assign(new Error(payload.message), { getError: () => payload });
      }
      default:
        return undefined;
    }
  }

  private forgetCaller(context: ExecutionContext): void {
    clearPrincipal(requestFromContext(context));
    clearPrincipal(socketRequest(context.switchToWs().getClient<unknown>()));
  }
}
