/**
 * Stable codes for every way authentication or authorization can fail. Domain code throws
 * `AuthError`; only `errors/http-error.mapper.ts` knows how each code becomes an HTTP answer.
 */
export type AuthErrorCode =
  /** No credentials for any strategy the route accepts (401, challenge without `error`). */
  | 'credentials_missing'
  /** A bearer token was sent but is not acceptable (401 `invalid_token`). */
  | 'invalid_token'
  /** Non-token credentials (API key, Basic, session) were sent but are wrong (401). */
  | 'invalid_credentials'
  /** The request is malformed in a way the client must fix (400 `invalid_request`). */
  | 'invalid_request'
  /** Authenticated, but a required OAuth2 scope is missing (403 `insufficient_scope`). */
  | 'insufficient_scope'
  /**
   * Authenticated, but not recently or strongly enough for this route (RFC 9470): the token's
   * `acr` or `auth_time` falls short (401 `insufficient_user_authentication`, with `acr_values`
   * and `max_age` in the challenge).
   */
  | 'insufficient_user_authentication'
  /** Authenticated, but roles, permissions, ownership or another rule deny access (403). */
  | 'forbidden'
  /** The resource an ownership check needs does not exist (404). */
  | 'not_found'
  /** Too many failed attempts: the account or client is locked for a while (429). */
  | 'locked'
  /** Too many requests: a rate limit (e.g. `@Throttle` per principal) is exhausted for a while (429). */
  | 'rate_limited'
  /** State or keys needed to decide cannot be reached right now: fail closed (503). */
  | 'unavailable';

export interface AuthErrorOptions {
  /** Safe, short text for the client (`error_description`, `message`). Never a library message. */
  readonly description?: string;
  /** The underlying error, for logs only. */
  readonly cause?: unknown;
  /** Strategy that raised the error; decides which challenge gets the `error` attribute. */
  readonly strategy?: string;
  /** Scopes the route requires, for `insufficient_scope`. */
  readonly scopes?: readonly string[];
  /** For `insufficient_user_authentication`: the authentication context classes the route accepts (RFC 9470 `acr_values`). */
  readonly acrValues?: readonly string[];
  /** For `insufficient_user_authentication`: the longest time since authentication the route accepts, in seconds (`max_age`). */
  readonly maxAge?: number;
  /** Seconds after which the client may retry, for `locked`, `rate_limited` and `unavailable`. */
  readonly retryAfterSeconds?: number;
  /**
   * For the developer, never for the client: what was wrong and the fix ("typ was JWT, expected
   * at+jwt: set jwt.typ"), logged by the development-mode denial explanations. A function is
   * called only when an explanation is written, so refusals cost nothing extra in production.
   */
  readonly hint?: string | (() => string | undefined);
  /**
   * The failure came through DPoP (RFC 9449): the `DPoP` challenge carries the error, which is
   * `invalid_dpop_proof`, `use_dpop_nonce` (RFC 9449 §7.1, §9) or `invalid_token`; `nonce` is sent
   * as the `DPoP-Nonce` header.
   */
  readonly dpop?: DpopFailure;
}

/** How a DPoP failure is told to the client (RFC 9449 §7.1, §9). */
export interface DpopFailure {
  readonly error: 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token';
  /** A fresh server nonce, for the `DPoP-Nonce` header. */
  readonly nonce?: string;
}

/** An authentication or authorization failure, independent of HTTP. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly description: string | undefined;
  readonly strategy: string | undefined;
  readonly scopes: readonly string[] | undefined;
  readonly acrValues: readonly string[] | undefined;
  readonly maxAge: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** Set when the failure came through DPoP: the `DPoP` challenge's error and a fresh nonce. */
  readonly dpop: DpopFailure | undefined;
  readonly #hint: AuthErrorOptions['hint'];

  constructor(
    readonly code: AuthErrorCode,
    options: AuthErrorOptions = {},
  ) {
    super(options.description ?? code, { cause: options.cause });
    this.description = options.description;
    this.strategy = options.strategy;
    this.scopes = options.scopes;
    this.acrValues = options.acrValues;
    this.maxAge = options.maxAge;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.dpop = options.dpop;
    this.#hint = options.hint;
  }

  /** The developer's explanation and fix ({@link AuthErrorOptions.hint}); never sent to a client. */
  get hint(): string | undefined {
    return typeof this.#hint === 'function' ? this.#hint() : this.#hint;
  }

  static isAuthError(value: unknown): value is AuthError {
    return value instanceof AuthError;
  }
}
