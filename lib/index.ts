// The public API of nest-warden. Everything not exported here is internal.
export { AuthModule } from './module/auth.module.js';
export { AUTH_MODULE_OPTIONS } from './module/auth-module.definition.js';
export type { AuthModuleExtras, AuthModuleOptions, RoleOptions } from './module/auth-module.options.js';
export { AuthOptions } from './settings/core-settings.js';

export { Auth, type AuthDecoratorOptions } from './decorators/auth.decorator.js';
export { CurrentUser } from './decorators/current-user.decorator.js';
export { OptionalAuth } from './decorators/optional-auth.decorator.js';
export { OwnedResource } from './decorators/owned-resource.decorator.js';
export { Owner, type OwnerOptions } from './decorators/owner.decorator.js';
export { Permissions } from './decorators/permissions.decorator.js';
export { Public } from './decorators/public.decorator.js';
export { Roles } from './decorators/roles.decorator.js';
export { Scopes } from './decorators/scopes.decorator.js';
export { AllowFrom } from './decorators/allow-from.decorator.js';

export { AuthGuard } from './guards/auth.guard.js';
export { Authorizer } from './authorization/authorizer.js';
export { RoleHierarchy } from './authorization/role-hierarchy.js';
export type { OwnedResource as OwnedResourceResult, OwnershipResolver } from './authorization/ownership-resolver.js';
export { RoutePolicies, type CompiledRoutePolicy } from './policy/route-policies.js';
export { hasAuthorizationRules, type RouteAccess, type RoutePolicy } from './policy/route-policy.js';

export { AuthStrategy, type MaybePromise, type SecuritySchemeDescription } from './strategies/auth-strategy.js';
export { StrategyRegistry } from './strategies/strategy-registry.js';
export { JwtStrategy } from './strategies/jwt/jwt.strategy.js';
export type { ClaimMappingOptions, JwtAlgorithm, JwtStrategyOptions, RemoteJwksOptions } from './strategies/jwt/jwt.options.js';
export { ApiKeyStrategy } from './strategies/api-key/api-key.strategy.js';
export { ApiKeyValidator, type ApiKeyIdentity } from './strategies/api-key/api-key.validator.js';
export type { ApiKeyLocation, ApiKeyRecord, ApiKeyStrategyOptions } from './strategies/api-key/api-key.options.js';
export { generateApiKey, hashApiKey } from './strategies/api-key/api-key-hash.js';
export { BasicStrategy } from './strategies/basic/basic.strategy.js';
export type { BasicStrategyOptions } from './strategies/basic/basic.options.js';
export { OidcStrategy } from './strategies/oidc/oidc.strategy.js';
export type { OidcClaimPreset, OidcDiscoveryOptions, OidcStrategyOptions } from './strategies/oidc/oidc.options.js';

export { AuthError, type AuthErrorCode, type AuthErrorOptions } from './errors/auth.error.js';
export { AuthConfigurationError } from './errors/configuration.error.js';
export { formatChallenge } from './errors/challenge.js';
export type { AuthRequest } from './request/auth-request.js';
export { readCookie, readHeader, readQuery } from './request/auth-request.js';
export { getPrincipal } from './request/request-state.js';
export { ContextDenials } from './context/context-denials.js';
export type { ContextDenial, ContextDenialCode } from './errors/denial-code.js';
export { GraphQLAuthError, type GraphQLAuthErrorExtensions } from './graphql/graphql-auth.error.js';
export type { SocketHandshake } from './request/handshake-request.js';
export type { WsDenialPayload } from './websockets/ws-denial.js';
export {
  WsConnectionAuth,
  type SocketConnectionError,
  type SocketConnectionMiddleware,
} from './websockets/ws-connection-auth.js';
export type { Principal } from './principal/principal.js';
export { Clock, SystemClock } from './clock/clock.js';

export { AuthStore, StoreUnavailableError } from './stores/auth-store.js';
export {
  DEFAULT_PROTECTED_NAMESPACES,
  MemoryStore,
  type MemoryStoreOptions,
  type ProtectedNamespace,
} from './stores/memory.store.js';
export { RedisStore, type RedisStoreClient, type RedisStoreOptions } from './stores/redis.store.js';
export { PasswordHasher, PasswordPolicyError, type PasswordHasherOptions } from './passwords/password-hasher.js';
export { Argon2PasswordHasher } from './passwords/argon2-password-hasher.js';
export type { HashWorkLimits } from './passwords/hash-work-limiter.js';
export type { VerifiedTokenCacheView } from './strategies/jwt/verified-token-cache.js';
export { UserDirectory, type UserAccount } from './users/user-directory.js';
export { PasswordLogin, type PasswordLoginAttempt } from './login/password-login.js';
export { LoginThrottle } from './login/login-throttle.js';
export type { LoginThrottleOptions } from './login/login-throttle.options.js';

export { UserRevocation, type RevocationListener, type RevocationReason } from './revocation/user-revocation.js';
export { SessionStrategy } from './sessions/session.strategy.js';
export { SessionService, type IssuedSession, type SessionInfo, type SessionSubject } from './sessions/session.service.js';
export { SessionCookies } from './sessions/session-cookies.js';
export type { SessionOptions } from './sessions/session.options.js';
export type { SessionEndpoints } from './sessions/session-endpoints.js';
export { TotpService, TotpAlreadyEnabledError, TotpNotEnabledError, type TotpEnrollmentStart } from './mfa/totp.service.js';
export { MfaDirectory, type TotpEnrollment } from './mfa/mfa-directory.js';
export type { MfaOptions } from './mfa/mfa.options.js';
export type { MfaEndpoints } from './mfa/mfa-endpoints.js';
export { PasswordReset } from './account-recovery/password-reset.service.js';
export { EmailVerification } from './account-recovery/email-verification.service.js';
export { RecoveryDirectory, type RecoveryContact } from './account-recovery/recovery-directory.js';
export { AccountMailer, type AccountMail } from './account-recovery/account-mailer.js';
export type { RecoveryOptions } from './account-recovery/recovery.options.js';
export type { RecoveryEndpoints } from './account-recovery/recovery-endpoints.js';

export { RequestPolicy, type RequestCheck } from './network/request-policy.js';
export type { RequireHttpsOption, RequireHttpsOptions, TrustProxyOption } from './network/request-policy.options.js';
export { RouteManifest } from './manifest/route-manifest.js';
export type { RouteManifestEntry } from './manifest/route-manifest.entry.js';
export { describeRoutes } from './manifest/describe-routes.js';
export { DenialExplainer } from './diagnostics/denial-explainer.js';
export { problemDetails, type Denial, type ErrorResponseFormatter, type ErrorResponseOption } from './errors/error-response.js';

export { TokenService, type IssueTokensOptions, type RefreshOptions, type TokenSet } from './tokens/issuance/token.service.js';
export { SigningKeys } from './tokens/keys/signing-keys.js';
export { AccessTokenDenyList } from './tokens/issuance/access-token-deny-list.js';
export { hashClientSecret } from './tokens/client-secret.js';
export { OAuthError, type OAuthErrorCode } from './tokens/oauth.error.js';
export { PasswordGrantStep } from './tokens/grants/password-grant-step.js';
export { TokenRequestParameters } from './tokens/grants/token-request.js';
export type { TokenClient } from './tokens/token-settings.js';
export type {
  GeneratedSigningOptions,
  PrivateKeySigningOptions,
  SecretSigningOptions,
  TokenClientOptions,
  TokenEndpointPaths,
  TokenGrantType,
  TokenOptions,
  TokenSigningAlgorithm,
  TokenSigningOptions,
} from './tokens/tokens.options.js';
export { AuthEventListener } from './events/auth-event-listener.js';
export { LoggingAuthEventListener } from './events/logging-auth-event.listener.js';
export type * from './events/auth-event.js';
