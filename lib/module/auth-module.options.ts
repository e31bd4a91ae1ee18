import type { Type } from '@nestjs/common';
import type { AuthRequest } from '../request/auth-request.js';
import type { Principal } from '../principal/principal.js';
import type { AuthStrategy } from '../strategies/auth-strategy.js';
import type { JwtStrategyOptions } from '../strategies/jwt/jwt.options.js';
import type { ApiKeyStrategyOptions } from '../strategies/api-key/api-key.options.js';
import type { BasicStrategyOptions } from '../strategies/basic/basic.options.js';
import type { OidcStrategyOptions } from '../strategies/oidc/oidc.options.js';
import type { LoginThrottleOptions } from '../login/login-throttle.options.js';
import type { PasswordHasherOptions } from '../passwords/password-hasher.js';
import type { AuthStore } from '../stores/auth-store.js';
import type { RecoveryEndpoints } from '../account-recovery/recovery-endpoints.js';
import type { RecoveryOptions } from '../account-recovery/recovery.options.js';
import type { MfaEndpoints } from '../mfa/mfa-endpoints.js';
import type { MfaOptions } from '../mfa/mfa.options.js';
import type { SessionEndpoints } from '../sessions/session-endpoints.js';
import type { SessionOptions } from '../sessions/session.options.js';
import type { ErrorResponseOption } from '../errors/error-response.js';
import type { RequireHttpsOption, TrustProxyOption } from '../network/request-policy.options.js';
import type { TokenEndpointPaths, TokenOptions } from '../tokens/tokens.options.js';

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
  /**
   * API-key strategies; enabled when present. The first is `ApiKeyStrategy` (named `api-key` unless
   * it says otherwise); each further entry is a strategy of its own under its required `name`.
   */
  readonly apiKeys?: ApiKeyStrategyOptions | readonly ApiKeyStrategyOptions[];
  /** HTTP Basic (`basic`, RFC 7617) checked through `PasswordLogin`; `basic: {}` enables it. */
  readonly basic?: BasicStrategyOptions;
  /** OpenID Connect bearer tokens (`oidc`) verified against the provider's discovered JWKS; enabled when present. */
  readonly oidc?: OidcStrategyOptions;
  readonly roles?: RoleOptions;
  /** argon2id parameters; OWASP's by default. */
  readonly passwords?: PasswordHasherOptions;
  /** Brute-force defence for every password check. */
  readonly lockout?: LoginThrottleOptions;
  /** Cookie sessions; the `session` strategy is enabled when present. */
  readonly session?: SessionOptions;
  /** TOTP second factor; needs an `MfaDirectory` provider. */
  readonly mfa?: MfaOptions;
  /** Password reset and email verification; needs `RecoveryDirectory` and `AccountMailer` providers. */
  readonly recovery?: RecoveryOptions;
  /** nest-warden as a small authorization server: access and refresh tokens, signing keys, clients. */
  readonly tokens?: TokenOptions;
  /** Where state lives. Default: a bounded in-process `MemoryStore`. */
  readonly store?: AuthStore;
  /**
   * Turns the verified principal into the object `@CurrentUser()` returns (e.g. loads your user
   * entity). Runs once per authenticated request; return `null` to reject the caller with 401.
   */
  readonly resolveUser?: (principal: Principal, request: AuthRequest) => unknown;
  /**
   * Which proxies may report the client's address (`X-Forwarded-For`) and scheme (`X-Forwarded-Proto`)
   * to `@AllowFrom()`, `requireHttps` and per-address rate limits: a hop count or the proxies' CIDR
   * ranges. Never trusted by default.
   */
  readonly trustProxy?: TrustProxyOption;
  /** Refuse plain-HTTP requests on every route with 403 (production). Default `false`. */
  readonly requireHttps?: RequireHttpsOption;
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

/** Structural settings, fixed when the module is declared (not from the async factory). */
export interface AuthModuleExtras {
  /** Register the module globally (its services injectable anywhere). Default `true`. */
  readonly isGlobal?: boolean;
  /** Your own strategies: `@Injectable()` classes extending `AuthStrategy`, provided in your modules. */
  readonly strategies?: readonly Type<AuthStrategy>[];
  /** Mount the session endpoints (`true`: default paths; an object: paths, `false` leaves one out). Needs `session`. */
  readonly sessionEndpoints?: boolean | Partial<SessionEndpoints>;
  /** Mount the TOTP enrollment endpoints. Needs `mfa`. */
  readonly mfaEndpoints?: boolean | Partial<MfaEndpoints>;
  /** Mount the password-reset and email-verification endpoints. Needs `recovery`. */
  readonly recoveryEndpoints?: boolean | Partial<RecoveryEndpoints>;
  /**
   * Mount the token endpoints (they need `tokens`): `true` for `POST /auth/token`,
   * `POST /auth/revoke` and `GET /.well-known/jwks.json`, or other paths, `false` leaving one out.
   */
  readonly tokenEndpoints?: boolean | TokenEndpointPaths;
}
