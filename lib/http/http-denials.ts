import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AuthError } from '../errors/auth.error.js';
import type { ErrorResponseOption } from '../errors/error-response.js';
import { toHttpDenial } from '../errors/http-error.mapper.js';
import { CoreSettings } from '../settings/core-settings.js';
import { failClosed } from '../stores/fail-closed.js';

const UNAUTHORIZED_CODES: ReadonlySet<string> = new Set(['credentials_missing', 'invalid_token', 'invalid_credentials']);

/** Writes one header on the response being answered. */
export type SetHeader = (name: string, value: string) => void;

/**
 * Every HTTP denial ends here (the guard, the module's own controllers, the principal throttler):
 * the body in the configured `errorResponse` format, `WWW-Authenticate` and `Retry-After` on the
 * response, then Nest's exception thrown. `setHeader` is absent outside HTTP.
 */
export function throwHttpDenial(
  error: AuthError,
  format: ErrorResponseOption,
  setHeader: SetHeader | undefined,
  challenges: readonly string[] = [],
): never {
  const denial = toHttpDenial(error, challenges, format);
  if (setHeader) for (const [name, value] of denial.headers) setHeader(name, value as string);
  throw denial.exception;
}

/**
 * For the module's own controllers (sessions, MFA, account recovery): an `AuthError` becomes the
 * same HTTP answer the guard would give, in the same body format; an unreachable store becomes 503.
 * Anything else is a bug and is rethrown untouched.
 */
@Injectable()
export class HttpDenials {
  private readonly logger = new Logger('nest-warden');

  constructor(
    private readonly options: CoreSettings,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** `challenges` are sent with 401 answers only (RFC 9110 §15.5.2: every 401 carries one). */
  rethrow(error: unknown, response: unknown, challenges: readonly string[] = []): never {
    const authError = failClosed(error);
    if (!AuthError.isAuthError(authError)) throw authError;
    if (authError.code === 'unavailable') {
      this.logger.error(`Refused a request: ${authError.message}`, (authError.cause as Error | undefined)?.stack);
    }
    return this.deny(authError, response, challenges);
  }

  /** Denies with `error` (e.g. a cross-site login attempt). */
  deny(error: AuthError, response: unknown, challenges: readonly string[] = []): never {
    const adapter = this.adapterHost.httpAdapter;
    const unauthorized = UNAUTHORIZED_CODES.has(error.code);
    throwHttpDenial(
      error,
      this.options.errorResponse,
      (name, value) => adapter.setHeader(response, name, value),
      unauthorized ? challenges : [],
    );
  }

  get realm(): string {
    return this.options.realm;
  }
}
