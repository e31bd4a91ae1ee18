import type { Type } from '@nestjs/common';
import type { RouteHandler } from '../policy/policy-metadata.js';

/**
 * Metadata keys `@nestjs/websockets` writes (its exported `GATEWAY_METADATA` and
 * `MESSAGE_MAPPING_METADATA`), copied so that nest-warden reads gateways without importing the
 * package; `gateway-metadata.spec.ts` checks they still match.
 */
export const GATEWAY_METADATA = 'websockets:is_gateway';
export const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';

interface MetadataReader {
  get<T>(key: string, target: object): T | undefined;
}

export function isGateway(reader: MetadataReader, type: Type): boolean {
  return reader.get<boolean>(GATEWAY_METADATA, type) === true;
}

/** The `@SubscribeMessage()` handlers of a gateway class. */
export function gatewayHandlers(
  reader: MetadataReader,
  type: Type,
  methodNames: readonly string[],
): { handler: RouteHandler; methodName: string }[] {
  const handlers: { handler: RouteHandler; methodName: string }[] = [];
  for (const methodName of methodNames) {
    const handler = (type.prototype as Record<string, unknown>)[methodName];
    if (typeof handler !== 'function') continue;
    if (reader.get<boolean>(MESSAGE_MAPPING_METADATA, handler) === true) {
      handlers.push({ handler: handler as RouteHandler, methodName });
    }
  }
  return handlers;
}
