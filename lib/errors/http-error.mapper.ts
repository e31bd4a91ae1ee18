import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { AuthError } from './auth.error.js';

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
  forbidden: 'Forbidden',
  not_found: 'Not Found',
  locked: 'Too many failed attempts; try again later',
  unavailable: 'Authentication is temporarily unavailable',
} as const;

/**
 * The single place where authentication and authorization failures become HTTP. Messages are ours
 * (never a library's); `challenges` are the `WWW-Authenticate` values for 401/403.
 */
export function toHttpDenial(error: AuthError, challenges: readonly string[]): HttpDenial {
  const message = error.description ?? MESSAGES[error.code];
  const headers: [string, string | readonly string[]][] = [];
  if (challenges.length) headers.push(['WWW-Authenticate', challenges.length === 1 ? challenges[0] : challenges]);
  if (error.retryAfterSeconds !== undefined) {
    headers.push(['Retry-After', String(Math.max(1, Math.ceil(error.retryAfterSeconds)))]);
  }
  switch (error.code) {
    case 'credentials_missing':
    case 'invalid_token':
    case 'invalid_credentials':
      return { exception: new UnauthorizedException(message), headers };
    case 'invalid_request':
      return { exception: new BadRequestException(message), headers };
    case 'insufficient_scope':
    case 'forbidden':
      return { exception: new ForbiddenException(message), headers };
    case 'not_found':
      return { exception: new NotFoundException(message), headers };
    case 'locked':
      return {
        exception: new HttpException(
          { statusCode: HttpStatus.TOO_MANY_REQUESTS, message, error: 'Too Many Requests' },
          HttpStatus.TOO_MANY_REQUESTS,
        ),
        headers,
      };
    case 'unavailable':
      return { exception: new ServiceUnavailableException(message), headers };
  }
}
