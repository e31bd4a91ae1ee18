import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { AuthError, AuthErrorCode } from './auth.error.js';
import { type ErrorResponseOption, PROBLEM_JSON, problemDetails } from './error-response.js';
import { retryAfterFor } from './retry-after.js';

/** An HTTP answer for an `AuthError`: Nest's exception (body) plus the headers RFCs require. */
export interface HttpDenial {
  readonly exception: HttpException;
  readonly headers: readonly (readonly [string, string | readonly string[]])[];
}

const MESSAGES = {
  credentials_missing: 'Authentication required',
  invalid_token: 'Invalid access token',
  invalid_credentials: 'Invalid credentials',
  invalid_request: 'Malformed credentials',
  insufficient_scope: 'Insufficient scope',
  insufficient_user_authentication: 'A more recent or stronger authentication is required',
  forbidden: 'Forbidden',
  not_found: 'Not Found',
  locked: 'Too many failed attempts; try again later',
  rate_limited: 'Too many requests; try again later',
  unavailable: 'Authentication is temporarily unavailable',
} as const;

const STATUS: Readonly<Record<AuthErrorCode, readonly [number, string]>> = {
  credentials_missing: [HttpStatus.UNAUTHORIZED, 'Unauthorized'],
  invalid_token: [HttpStatus.UNAUTHORIZED, 'Unauthorized'],
  invalid_credentials: [HttpStatus.UNAUTHORIZED, 'Unauthorized'],
  invalid_request: [HttpStatus.BAD_REQUEST, 'Bad Request'],
  insufficient_scope: [HttpStatus.FORBIDDEN, 'Forbidden'],
  insufficient_user_authentication: [HttpStatus.UNAUTHORIZED, 'Unauthorized'],
  forbidden: [HttpStatus.FORBIDDEN, 'Forbidden'],
  not_found: [HttpStatus.NOT_FOUND, 'Not Found'],
  locked: [HttpStatus.TOO_MANY_REQUESTS, 'Too Many Requests'],
  rate_limited: [HttpStatus.TOO_MANY_REQUESTS, 'Too Many Requests'],
  unavailable: [HttpStatus.SERVICE_UNAVAILABLE, 'Service Unavailable'],
};

/**
 * The single place where authentication and authorization failures become HTTP. Messages are ours
 * (never a library's); `challenges` are the `WWW-Authenticate` values for 401/403. `format`
 * (`AuthModule.forRoot({ errorResponse })`) shapes the body; the headers stay the same.
 */
export function toHttpDenial(
  error: AuthError,
  challenges: readonly string[],
  format: ErrorResponseOption = 'nest',
): HttpDenial {
  const message = error.description ?? MESSAGES[error.code];
  const headers: [string, string | readonly string[]][] = [];
  if (challenges.length) headers.push(['WWW-Authenticate', challenges.length === 1 ? challenges[0] : challenges]);
  const retryAfter = retryAfterFor(error);
  if (retryAfter !== undefined) headers.push(['Retry-After', String(retryAfter)]);
  if (error.dpop?.nonce !== undefined) headers.push(['DPoP-Nonce', error.dpop.nonce]);
  let body: object | undefined;
  if (format !== 'nest') {
    const [status, title] = STATUS[error.code];
    const denial = { status, code: error.code, title, message, scopes: error.scopes, retryAfterSeconds: retryAfter };
    body = format === 'problem+json' ? problemDetails(denial) : format(denial);
    // Both adapters keep a `+json` Content-Type for object bodies; a formatter's body is plain JSON.
    if (format === 'problem+json') headers.push(['Content-Type', PROBLEM_JSON]);
  }
  switch (error.code) {
    case 'credentials_missing':
    case 'invalid_token':
    case 'invalid_credentials':
    case 'insufficient_user_authentication':
      return { exception: new UnauthorizedException(body ?? message), headers };
    case 'invalid_request':
      return { exception: new BadRequestException(body ?? message), headers };
    case 'insufficient_scope':
    case 'forbidden':
      return { exception: new ForbiddenException(body ?? message), headers };
    case 'not_found':
      return { exception: new NotFoundException(body ?? message), headers };
    case 'locked':
    case 'rate_limited':
      return {
        exception: new HttpException(
          body ?? { statusCode: HttpStatus.TOO_MANY_REQUESTS, message, error: 'Too Many Requests' },
          HttpStatus.TOO_MANY_REQUESTS,
        ),
        headers,
      };
    case 'unavailable':
      return { exception: new ServiceUnavailableException(body ?? message), headers };
  }
}
