import type { ExecutionContext, Type } from '@nestjs/common';
import type { RouteHandler } from '../policy/policy-metadata.js';

/**
 * The execution context of a socket.io connection attempt, so the guard can check a handshake
 * exactly as it checks a message: a `ws` context whose client is the socket and whose data is empty.
 */
export class SocketConnectionContext implements ExecutionContext {
  constructor(
    private readonly gateway: Type,
    private readonly handler: RouteHandler,
    private readonly socket: object,
  ) {}

  getType<TContext extends string = 'ws'>(): TContext {
    return 'ws' as TContext;
  }

  getClass<T>(): Type<T> {
    return this.gateway as Type<T>;
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  getHandler(): Function {
    return this.handler;
  }

  getArgs<T extends unknown[] = unknown[]>(): T {
    return [this.socket, undefined, 'connection'] as T;
  }

  getArgByIndex<T>(index: number): T {
    return this.getArgs()[index] as T;
  }

  switchToWs(): ReturnType<ExecutionContext['switchToWs']> {
    return {
      getClient: <T>() => this.socket as T,
      getData: <T>() => undefined as T,
      getPattern: () => 'connection',
    };
  }

  switchToHttp(): ReturnType<ExecutionContext['switchToHttp']> {
    throw new TypeError('nest-warden: a socket connection has no HTTP request.');
  }

  switchToRpc(): ReturnType<ExecutionContext['switchToRpc']> {
    throw new TypeError('nest-warden: a socket connection is not an RPC call.');
  }
}
