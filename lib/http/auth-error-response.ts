import { Logger } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { AuthError } from '../errors/auth.error.js';
import { toHttpDenial } from '../errors/http-error.mapper.js';
import { StoreUnavailableError } from '../stores/auth-store.js';

/**
 * For the module's own controllers: an `AuthError` becomes the same HTTP answer the guard would
 * give (status, message, `Retry-After`); an unreachable store becomes 503. Anything else is a bug
 * and is rethrown untouched.
 */
export function throwAsHttp(error: unknown, adapterHost: HttpAdapterHost, response: unknown): never {
  const authError =
    error instanceof StoreUnavailableError
      ? new AuthError('unavailable', { cause: error, retryAfterSeconds: 5 })
      : AuthError.isAuthError(error)
        ? error
        : undefined;
  if (!authError) throw error;
  if (authError.code === 'unavailable') {
    Logger.error(`Refused a request: ${authError.message}`, (authError.cause as Error | undefined)?.stack, 'nest-warden');
  }
  const denial = toHttpDenial(authError, []);
  for (const [name, value] of denial.headers) adapterHost.httpAdapter.setHeader(response, name, value as string);
  throw denial.exception;
}
