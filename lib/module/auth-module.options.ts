import type { ConfigurableModuleAsyncOptions, ModuleMetadata, Type } from '@nestjs/common';
import type { RecoveryEndpoints, RecoveryOptions } from '../account-recovery/recovery.options.js';
import type { RoleOptions } from '../authorization/role.options.js';
import type { AuthGuard } from '../guards/auth.guard.js';
import type { LoginThrottleOptions } from '../login/login-throttle.options.js';
import type { MfaEndpoints, MfaOptions } from '../mfa/mfa.options.js';
import type { NetworkOptions } from '../network/request-policy.options.js';
import type { PasskeyEndpoints, PasskeyOptions } from '../passkeys/passkey.options.js';
import type { PasswordHasherOptions } from '../passwords/password-hasher.js';
import type { SessionEndpoints, SessionOptions } from '../sessions/session.options.js';
import type { ProtectedResourceOptions } from '../settings/protected-resource.options.js';
import type { CoreOptions } from '../settings/core.options.js';
import type { AuthStore } from '../stores/auth-store.js';
import type { ApiKeyStrategyOptions } from '../strategies/api-key/api-key.options.js';
import type { AuthStrategy } from '../strategies/auth-strategy.js';
import type { BasicStrategyOptions } from '../strategies/basic/basic.options.js';
import type { IntrospectionStrategyOptions } from '../strategies/introspection/introspection.options.js';
import type { DpopOptions } from '../strategies/dpop/dpop.options.js';
import type { JwtStrategyOptions } from '../strategies/jwt/jwt.options.js';
import type { OidcStrategyOptions } from '../strategies/oidc/oidc.options.js';
import type { TokenGrant } from '../tokens/grants/token-grant.js';
import type { TokenEndpointPaths, TokenOptions } from '../tokens/tokens.options.js';

/**
 * Values that configure nest-warden: the guard's own options, then one section per feature, each
 * validated at boot by that feature. Everything here may come from `forRootAsync`'s factory; what
 * decides which providers and routes exist lives in {@link AuthModuleExtras}.
 */
export interface AuthModuleOptions extends CoreOptions, NetworkOptions {
  /** JWT bearer strategy; enabled when present. */
  readonly jwt?: JwtStrategyOptions;
  /**
   * API-key strategies; enabled when present. The first is `ApiKeyStrategy` (named `api-key` unless
   * it says otherwise); each further entry is a strategy of its own under its required `name`.
   */
  readonly apiKeys?: ApiKeyStrategyOptions | readonly ApiKeyStrategyOptions[];
  /** HTTP Basic (`basic`, RFC 7617) checked through `PasswordLogin`; `basic: {}` enables it. */
  readonly basic?: BasicStrategyOptions;
  /**
   * Opaque access tokens checked at the authorization server (`introspection`, RFC 7662); enabled
   * when present.
   */
  readonly introspection?: IntrospectionStrategyOptions;
  /**
   * DPoP (RFC 9449) for the bearer strategies: with this section they take `Authorization: DPoP`
   * (`mode`, default `'allowed'`); also the proof checks (`DpopProofVerifier`) a token endpoint uses.
   */
  readonly dpop?: DpopOptions;
  /**
   * RFC 9728 protected resource metadata: `resource_metadata` on every `Bearer` and `DPoP`
   * challenge, and the document at `/.well-known/oauth-protected-resource` (`resourceMetadataEndpoint`).
   */
  readonly protectedResource?: ProtectedResourceOptions;
  /** OpenID Connect bearer tokens (`oidc`) verified against the provider's discovered JWKS; enabled when present. */
  readonly oidc?: OidcStrategyOptions;
  /** Role hierarchy and the permissions each role grants. */
  readonly roles?: RoleOptions;
  /** argon2id parameters; OWASP's by default. */
  readonly passwords?: PasswordHasherOptions;
  /** Brute-force defence for every password check. */
  readonly lockout?: LoginThrottleOptions;
  /** Cookie sessions; the `session` strategy is enabled when present. */
  readonly session?: SessionOptions;
  /** TOTP second factor; needs an `MfaDirectory` provider. */
  readonly mfa?: MfaOptions;
  /** Passkeys (WebAuthn) for sign-in and as a second factor; needs a `PasskeyDirectory` provider. */
  readonly passkeys?: PasskeyOptions;
  /** Password reset and email verification; needs `RecoveryDirectory` and `AccountMailer` providers. */
  readonly recovery?: RecoveryOptions;
  /** nest-warden as a small authorization server: access and refresh tokens, signing keys, clients. */
  readonly tokens?: TokenOptions;
  /** Where state lives. Default: a bounded in-process `MemoryStore`. */
  readonly store?: AuthStore;
}

/** Structural settings, fixed when the module is declared (not from the async factory). */
export interface AuthModuleExtras {
  /** Register the module globally (its services injectable anywhere). Default `true`. */
  readonly isGlobal?: boolean;
  /** Your own strategies: `@Injectable()` classes extending `AuthStrategy`, provided in your modules. */
  readonly strategies?: readonly Type<AuthStrategy>[];
  /** Your own token-endpoint grants: `@Injectable()` classes extending `TokenGrant`, provided in your modules. */
  readonly grants?: readonly Type<TokenGrant>[];
  /**
   * The global guard: `AuthGuard` (default) or your subclass of it, which then runs in its place
   * (as `APP_GUARD`, and for `app.get(AuthGuard)`). It is created inside AuthModule: services of
   * yours that it injects come from global modules or from the modules in `imports`.
   */
  readonly guard?: Type<AuthGuard>;
  /** Modules whose exported providers the module's own providers may inject (your `guard`'s collaborators). */
  readonly imports?: ModuleMetadata['imports'];
  /** Mount the session endpoints (`true`: default paths; an object: paths, `false` leaves one out). Needs `session`. */
  readonly sessionEndpoints?: boolean | Partial<SessionEndpoints>;
  /** Mount the TOTP enrollment endpoints. Needs `mfa`. */
  readonly mfaEndpoints?: boolean | Partial<MfaEndpoints>;
  /** Mount the passkey endpoints (registration, sign-in, step-up, list/rename/delete). Needs `passkeys` (and `session` for sign-in and step-up). */
  readonly passkeyEndpoints?: boolean | Partial<PasskeyEndpoints>;
  /** Mount the password-reset and email-verification endpoints. Needs `recovery`. */
  readonly recoveryEndpoints?: boolean | Partial<RecoveryEndpoints>;
  /**
   * Mount the token endpoints (they need `tokens`): `true` for `POST /auth/token`,
   * `POST /auth/revoke` and `GET /.well-known/jwks.json`, or other paths, `false` leaving one out.
   */
  readonly tokenEndpoints?: boolean | TokenEndpointPaths;
  /**
   * Serve the RFC 9728 protected resource metadata (it needs `protectedResource`): `true` at
   * `/.well-known/oauth-protected-resource`, or the path `protectedResource.metadataUrl` names.
   */
  readonly resourceMetadataEndpoint?: boolean | string;
}

/**
 * `AuthModule.forRootAsync()`: the options from `useFactory` (or `useClass`/`useExisting`), with the
 * structural extras beside it, e.g. `{ imports: [ConfigModule], inject: [ConfigService], useFactory, tokenEndpoints: true }`.
 */
export type AuthModuleAsyncOptions = ConfigurableModuleAsyncOptions<AuthModuleOptions, 'create'> & AuthModuleExtras;
