import type { Type } from '@nestjs/common';
import type { AuthRequest } from './http/auth-request.js';
import type { Principal } from './principal/principal.js';
import type { AuthStrategy } from './strategies/auth-strategy.js';
import type { JwtStrategyOptions } from './strategies/jwt/jwt.options.js';
import type { LoginThrottleOptions } from './login/login-throttle.options.js';
import type { PasswordHasherOptions } from './passwords/password-hasher.js';
import type { AuthStore } from './stores/auth-store.js';
import type { TokenEndpointPaths, TokenOptions } from './tokens/tokens.options.js';

/** Role hierarchy and role → permission grants. */
export interface RoleOptions {
  /** Each role maps to the roles it implies: `{ admin: ['editor'], editor: ['viewer'] }`. */
  readonly hierarchy?: Readonly<Record<string, readonly string[]>>;
  /** Grants each role carries (wildcards allowed): `{ editor: ['posts:*'] }`. */
  readonly permissions?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Values that configure nest-warden. Everything here may come from `forRootAsync`'s factory;
 * what decides which providers exist lives in {@link AuthModuleExtras}.
 */
export interface AuthModuleOptions {
  /**
   * Protect every route that has no nest-warden decorator with the default strategies
   * (secure by default). `false` makes the guard act only on decorated routes. Default `true`.
   */
  readonly global?: boolean;
  /** Strategies tried on routes without `@Auth(...)`. Default: every configured bearer/session strategy. */
  readonly defaultStrategies?: readonly string[];
  /** `realm` in `WWW-Authenticate` challenges. Default `nest-warden`. */
  readonly realm?: string;
  /** JWT bearer strategy; enabled when present. */
  readonly jwt?: JwtStrategyOptions;
  readonly roles?: RoleOptions;
  /** argon2id parameters; OWASP's by default. */
  readonly passwords?: PasswordHasherOptions;
  /** Brute-force defence for every password check. */
  readonly lockout?: LoginThrottleOptions;
  /** nest-warden as a small authorization server: access and refresh tokens, signing keys, clients. */
  readonly tokens?: TokenOptions;
  /** Where state lives. Default: a bounded in-process `MemoryStore`. */
  readonly store?: AuthStore;
  /**
   * Turns the verified principal into the object `@CurrentUser()` returns (e.g. loads your user
   * entity). Runs once per authenticated request; return `null` to reject the caller with 401.
   */
  readonly resolveUser?: (principal: Principal, request: AuthRequest) => unknown;
}

/** Structural settings, fixed when the module is declared (not from the async factory). */
export interface AuthModuleExtras {
  /** Register the module globally (its services injectable anywhere). Default `true`. */
  readonly isGlobal?: boolean;
  /** Your own strategies: `@Injectable()` classes extending `AuthStrategy`, provided in your modules. */
  readonly strategies?: readonly Type<AuthStrategy>[];
  /**
   * Mount the token endpoints (they need `tokens`): `true` for `POST /auth/token`,
   * `POST /auth/revoke` and `GET /.well-known/jwks.json`, or other paths, `false` leaving one out.
   */
  readonly endpoints?: boolean | TokenEndpointPaths;
}
