import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requestFromContext } from './context-request.js';

/**
 * Injects the authenticated caller: the principal, or what `resolveUser` returned.
 * `@CurrentUser('id')` injects one field. `undefined` on public routes and for anonymous callers
 * of `@OptionalAuth()` routes.
 *
 * @example
 * me(@CurrentUser() user: Principal) {}
 */
export const CurrentUser = createParamDecorator((field: string | undefined, context: ExecutionContext) => {
  const user = requestFromContext(context).user as Record<string, unknown> | undefined;
  return field === undefined ? user : user?.[field];
});
