import { IntrinsicException } from '@nestjs/common';
import type { AuthError } from '../errors/auth.error.js';
import { type ContextDenialCode, describeDenial } from '../errors/denial-code.js';

/** `extensions` of a GraphQL error raised by the guard. */
export interface GraphQLAuthErrorExtensions {
  /** `UNAUTHENTICATED`, `FORBIDDEN`, `BAD_REQUEST`, `NOT_FOUND`, `TOO_MANY_REQUESTS`, `SERVICE_UNAVAILABLE`. */
  readonly code: ContextDenialCode;
  /** The scopes the field requires, when a token lacks one. */
  readonly scopes?: readonly string[];
  /** Seconds after which the client may retry. */
  readonly retryAfter?: number;
}

/**
 * What the guard throws in a GraphQL resolver. It is GraphQL-shaped without importing `graphql`:
 * graphql-js copies an original error's `extensions` onto the `GraphQLError` it builds, so every
 * server (Apollo, Mercurius, Yoga) answers `{ message, path, extensions: { code } }`.
 *
 * It is deliberately not an `HttpException`: `@nestjs/apollo` rewrites those itself (401/403 only;
 * 404/429/503 would become `INTERNAL_SERVER_ERROR`, and not at all with
 * `autoTransformHttpErrors: false`). It extends `IntrinsicException`, so Nest does not log it as a crash.
 */
export class GraphQLAuthError extends IntrinsicException {
  override readonly name = 'GraphQLAuthError';

  constructor(
    message: string,
    readonly extensions: GraphQLAuthErrorExtensions,
  ) {
    super(message);
  }

  static from(error: AuthError): GraphQLAuthError {
    const { code, message, scopes, retryAfter } = describeDenial(error);
    const extensions: { -readonly [K in keyof GraphQLAuthErrorExtensions]: GraphQLAuthErrorExtensions[K] } = {
      code,
    };
    if (scopes) extensions.scopes = scopes;
    if (retryAfter !== undefined) extensions.retryAfter = retryAfter;
    return new GraphQLAuthError(message, Object.freeze(extensions));
  }
}
