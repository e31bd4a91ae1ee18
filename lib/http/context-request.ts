import type { ExecutionContext } from '@nestjs/common';
import type { AuthRequest } from './auth-request.js';

/**
 * The request behind an execution context. HTTP on Express and Fastify hands over the adapter's
 * own request object, which already satisfies `AuthRequest`.
 */
export function requestFromContext(context: ExecutionContext): AuthRequest {
  const type = context.getType<string>();
  if (type === 'http') return context.switchToHttp().getRequest<AuthRequest>();
  throw new TypeError(
    `nest-warden: the "${type}" execution context is not supported; only HTTP controllers are guarded.`,
  );
}
