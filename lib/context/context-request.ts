import type { ExecutionContext } from '@nestjs/common';
import { graphqlRequest } from '../graphql/graphql-request.js';
import type { AuthRequest } from '../request/auth-request.js';
import { socketRequest } from '../request/handshake-request.js';
import { SocketConnectionContext } from '../websockets/socket-connection.context.js';

/**
 * The request behind an execution context. HTTP on Express and Fastify hands over the adapter's
 * own request object, which already satisfies `AuthRequest`. A GraphQL resolver call gets a view
 * over its HTTP request (`graphql/graphql-request.ts`); a gateway message a view over its socket's
 * handshake (`handshake-request.ts`). Neither imports `@nestjs/graphql` or `@nestjs/websockets`.
 */
export function requestFromContext(context: ExecutionContext): AuthRequest {
  const type = context.getType<string>();
  if (type === 'http') return context.switchToHttp().getRequest<AuthRequest>();
  if (type === 'graphql') return graphqlRequest(context.getArgs());
  if (type === 'ws') {
    const ws = context.switchToWs();
    // The connection check acts for the socket; a message for itself alone (see socketRequest).
    if (context instanceof SocketConnectionContext) return socketRequest(ws.getClient<unknown>());
    return socketRequest(ws.getClient<unknown>(), ws.getData<unknown>(), context.getHandler());
  }
  throw new TypeError(
    `nest-warden: the "${type}" execution context is not supported; HTTP controllers, GraphQL resolvers ` +
      'and WebSocket gateways are.',
  );
}
