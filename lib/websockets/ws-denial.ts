import type { AuthError } from '../errors/auth.error.js';
import { type ContextDenial, describeDenial } from '../errors/denial-code.js';

/**
 * What a socket.io client receives for a denied message (the `exception` event) or a refused
 * connection (`connect_error`'s `data`). `status: 'error'` keeps the shape of Nest's own
 * `WsException` payload, so clients that handle Nest's errors keep working.
 */
export interface WsDenialPayload extends ContextDenial {
  readonly status: 'error';
}

export function wsDenialPayload(error: AuthError): WsDenialPayload {
  return Object.freeze({ status: 'error' as const, ...describeDenial(error) });
}

/** `WsException` from `@nestjs/websockets`, loaded only by apps that have gateways. */
export type WsExceptionClass = new (error: string | object) => Error;
