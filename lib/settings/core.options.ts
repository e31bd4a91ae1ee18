import type { ErrorResponseOption } from '../errors/error-response.js';
import type { Principal } from '../principal/principal.js';
import type { AuthRequest } from '../request/auth-request.js';

/** Options of the guard itself: what is protected, how denials read, what `@CurrentUser()` returns. */
export interface CoreOptions {
  /**
   * Protect every route that has no nest-warden decorator with the default strategies
   * (secure by default). `false` makes the guard act only on decorated routes. Default `true`.
   */
  readonly global?: boolean;
  /** Strategies tried on routes without `@Auth(...)`. Default: every configured bearer/session strategy. */
  readonly defaultStrategies?: readonly string[];
  /** `realm` in `WWW-Authenticate` challenges. Default `nest-warden`. */
  readonly realm?: string;
  /**
   * Turns the verified principal into the object `@CurrentUser()` returns (e.g. loads your user
   * entity). Runs once per authenticated request; return `null` to reject the caller with 401.
   */
  readonly resolveUser?: (principal: Principal, request: AuthRequest) => unknown;
  /**
   * Refuse to start when a route's security metadata contradicts itself (e.g. `@Public()` with
   * `@Roles()`), naming the route and the fix. Default `false`: such routes are logged as warnings.
   */
  readonly strict?: boolean;
  /**
   * Log why each 401/403 was given (debug level), e.g. "needs role admin, principal bob has [user]".
   * Never in a response, never a credential. Default: on unless `NODE_ENV` is `production`.
   */
  readonly explainDenials?: boolean;
  /** Body of 400/401/403/404/429/503 answers: `'nest'` (default), `'problem+json'` (RFC 9457) or your function. */
  readonly errorResponse?: ErrorResponseOption;
}
