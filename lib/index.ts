// The public API of nest-warden: what an application uses, and nothing else. Everything not
// exported here (or from nest-warden/testing, /openapi, /throttling) is internal and may change.
// `npm test` compares this surface with the committed report in etc/, so every change shows in review.

// The module and its options.
export { AuthModule } from './module/auth.module.js';
export type { AuthModuleAsyncOptions, AuthModuleExtras, AuthModuleOptions } from './module/auth-module.options.js';
export type { CoreOptions } from './settings/core.options.js';
export type { NetworkOptions, RequireHttpsOption, RequireHttpsOptions, TrustProxyOption } from './network/request-policy.options.js';
export type { RoleOptions } from './authorization/role.options.js';

// Decorators.
export { Auth, type AuthDecoratorOptions } from './decorators/auth.decorator.js';
export { Can, type CanOptions } from './decorators/can.decorator.js';
export { AllowFrom } from './decorators/allow-from.decorator.js';
export { CurrentUser } from './context/current-user.decorator.js';
export { CurrentPrincipal } from './context/current-principal.js';
export { OptionalAuth } from './decorators/optional-auth.decorator.js';
export { OwnedResource } from './context/owned-resource.decorator.js';
export { Owner, type OwnerOptions } from './decorators/owner.decorator.js';
export { Permissions } from './decorators/permissions.decorator.js';
export { Public } from './decorators/public.decorator.js';
export { Roles } from './decorators/roles.decorator.js';
export { Scopes } from './decorators/scopes.decorator.js';

// The guard and authorization.
export { AuthGuard } from './guards/auth.guard.js';
export type { RouteAccess, RoutePolicy } from './policy/route-policy.js';
export { Authorizer, type AuthorizationRequirements } from './authorization/authorizer.js';
export type { Ownership, OwnershipResolver } from './authorization/ownership-resolver.js';
export { AbilityAuthority, type CanRequirement, type ResourceLoader } from './authorization/ability-authority.js';
export type { Principal } from './principal/principal.js';
export type { AuthRequest } from './request/auth-request.js';
export { readCookie, readHeader, readQuery } from './request/auth-request.js';
export type { MaybePromise } from './utils/maybe-promise.js';

// Strategies.
export { AuthStrategy, type SecuritySchemeDescription } from './strategies/auth-strategy.js';
export { JwtStrategy } from './strategies/jwt/jwt.strategy.js';
export type { ClaimMappingOptions, JwtAlgorithm, JwtClaims, JwtStrategyOptions, RemoteJwksOptions } from './strategies/jwt/jwt.options.js';
export { MAX_CLOCK_TOLERANCE_SECONDS } from './strategies/jwt/jwt.options.js';
export type { VerifiedTokenCacheView } from './strategies/jwt/verified-token-cache.js';
export { KeySourceUnavailableError } from './strategies/jwt/jwt-key-source.js';
export { DpopProofVerifier, type DpopProofInput, type VerifiedDpopProof } from './strategies/dpop/dpop-proof-verifier.js';
export { ProtectedResourceMetadata, type ProtectedResourceMetadataDocument } from './resource-metadata/protected-resource-metadata.js';
export { PROTECTED_RESOURCE_PATH } from './settings/protected-resource-settings.js';
export type { ProtectedResourceOptions } from './settings/protected-resource.options.js';
export { IntrospectionStrategy } from './strategies/introspection/introspection.strategy.js';
export type { IntrospectionStrategyOptions } from './strategies/introspection/introspection.options.js';
export { DpopSettings } from './strategies/dpop/dpop-settings.js';
export { DPOP_ALGORITHMS, type DpopAlgorithm, type DpopMode, type DpopNonceOptions, type DpopOptions } from './strategies/dpop/dpop.options.js';
export { OidcStrategy } from './strategies/oidc/oidc.strategy.js';
export type { OidcClaimPreset, OidcDiscoveryOptions, OidcStrategyOptions } from './strategies/oidc/oidc.options.js';
export type { OidcProviderMetadata } from './strategies/oidc/oidc-discovery.js';
export { OidcDiscoveryError } from './strategies/oidc/oidc-discovery.js';
export { ApiKeyStrategy } from './strategies/api-key/api-key.strategy.js';
export { ApiKeyValidator, type ApiKeyIdentity } from './strategies/api-key/api-key.validator.js';
export type { ApiKeyLocation, ApiKeyRecord, ApiKeyStrategyOptions } from './strategies/api-key/api-key.options.js';
export { generateApiKey, hashApiKey } from './strategies/api-key/api-key-hash.js';
export { BasicStrategy } from './strategies/basic/basic.strategy.js';
export type { BasicStrategyOptions } from './strategies/basic/basic.options.js';
export { SessionStrategy } from './sessions/session.strategy.js';

// Errors and denial answers.
export { AuthError, type AuthErrorCode, type AuthErrorOptions, type DpopFailure } from './errors/auth.error.js';
export { AuthConfigurationError } from './errors/configuration.error.js';
export type { ContextDenial, ContextDenialCode } from './errors/denial-code.js';
export { problemDetails, type Denial, type ErrorResponseFormatter, type ErrorResponseOption } from './errors/error-response.js';
export { GraphQLAuthError, type GraphQLAuthErrorExtensions } from './graphql/graphql-auth.error.js';
export type { WsDenialPayload } from './websockets/ws-denial.js';
export type { SocketHandshake } from './request/handshake-request.js';
export { WsConnectionAuth, type SocketConnectionError, type SocketConnectionMiddleware } from './websockets/ws-connection-auth.js';

// State, time, passwords, users.
export { Clock, SystemClock } from './clock/clock.js';
export { AuthStore, type StoreSubscriber, type StoreSubscription, StoreUnavailableError } from './stores/auth-store.js';
export { MemoryStore, type MemoryStoreOptions, type ProtectedNamespace } from './stores/memory.store.js';
export { RedisStore, type RedisStoreClient, type RedisStoreOptions } from './stores/redis.store.js';
export { PasswordHasher, PasswordPolicyError, type PasswordHasherOptions } from './passwords/password-hasher.js';
export { Argon2PasswordHasher } from './passwords/argon2-password-hasher.js';
export type { HashWorkLimits } from './passwords/hash-work-limiter.js';
export { UserDirectory, type UserAccount } from './users/user-directory.js';
export { PasswordLogin, type PasswordLoginAttempt, type PasswordLoginResult } from './login/password-login.js';
export type { LoginThrottleOptions } from './login/login-throttle.options.js';
export { UserRevocation, type RevocationListener, type RevocationReason } from './revocation/user-revocation.js';

// Sessions, second factor, account recovery.
export { SessionService, type IssuedSession, type SessionInfo, type SessionSubject } from './sessions/session.service.js';
export { SessionCookies } from './sessions/session-cookies.js';
export type { SessionEndpoints, SessionOptions } from './sessions/session.options.js';
export { SecondFactor, type SecondFactorProof } from './login/second-factor.js';
export { TotpService, TotpAlreadyEnabledError, TotpNotEnabledError, type TotpEnrollmentStart } from './mfa/totp.service.js';
export { MfaDirectory, type TotpEnrollment } from './mfa/mfa-directory.js';
export type { MfaEndpoints, MfaOptions } from './mfa/mfa.options.js';
export { PasskeyService, type PasskeyAssertion, type PasskeyView } from './passkeys/passkey.service.js';
export { PasskeyDirectory, type PasskeyUse, type StoredPasskey } from './passkeys/passkey-directory.js';
export type { PasskeyEndpoints, PasskeyOptions } from './passkeys/passkey.options.js';
export { PasswordReset } from './account-recovery/password-reset.service.js';
export { EmailVerification } from './account-recovery/email-verification.service.js';
export { RecoveryDirectory, type RecoveryContact } from './account-recovery/recovery-directory.js';
export { AccountMailer, type AccountMail } from './account-recovery/account-mailer.js';
export type { RecoveryEndpoints, RecoveryOptions } from './account-recovery/recovery.options.js';

// The route manifest.
export { describeRoutes } from './manifest/describe-routes.js';
export type { RouteManifestEntry } from './manifest/route-manifest.entry.js';

// Tokens: nest-warden as a small authorization server.
export { TokenService, type IssueTokensOptions, type IssueClientTokenOptions, type RefreshOptions, type TokenSet } from './tokens/issuance/token.service.js';
export type { TokenConfirmation } from './tokens/issuance/access-tokens.js';
export { hashClientSecret } from './tokens/client-secret.js';
export { OAuthError, type OAuthErrorCode, type OAuthErrorOptions } from './tokens/oauth.error.js';
export { TokenGrant, type TokenGrantContext, type TokenGrantParameter } from './tokens/grants/token-grant.js';
export type { FormRequest, TokenRequestParameters } from './tokens/grants/token-request.js';
export { PasswordGrantStep } from './tokens/grants/password-grant-step.js';
export type { TokenClient } from './tokens/token-settings.js';
export { isConfidential } from './tokens/token-settings.js';
export {
  AuthorizationLoginPage,
  DefaultAuthorizationLoginPage,
  escapeHtml,
  type AuthorizationConsentView,
  type AuthorizationErrorView,
  type AuthorizationLoginView,
} from './tokens/endpoint/authorization-login-page.js';
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
  ClientAuthMethod,
} from './tokens/tokens.options.js';

// Security events.
export { AuthEventListener } from './events/auth-event-listener.js';
export { LoggingAuthEventListener } from './events/logging-auth-event.listener.js';
export type * from './events/auth-event.js';
