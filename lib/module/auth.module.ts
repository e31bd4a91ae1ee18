import { type DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule, ModulesContainer } from '@nestjs/core';
import { EmailVerification } from '../account-recovery/email-verification.service.js';
import { OneTimeTokens } from '../account-recovery/one-time-tokens.js';
import { PasswordReset } from '../account-recovery/password-reset.service.js';
import { RecoveryContext } from '../account-recovery/recovery-context.js';
import { Authorizer } from '../authorization/authorizer.js';
import { RoleHierarchy } from '../authorization/role-hierarchy.js';
import { Clock, SystemClock } from '../clock/clock.js';
import { CallerScopeInterceptor, callerScopeInterceptorIfInjected } from '../context/caller-scope.interceptor.js';
import { ContextDenials } from '../context/context-denials.js';
import { CurrentPrincipal } from '../context/current-principal.js';
import { ContextHandlers } from '../context/context-handlers.js';
import { DenialExplainer } from '../diagnostics/denial-explainer.js';
import { UnknownRoles } from '../diagnostics/unknown-roles.js';
import { AuthGuard } from '../guards/auth.guard.js';
import { HttpDenials } from '../http/http-denials.js';
import { LoginThrottle } from '../login/login-throttle.js';
import { PasswordLogin } from '../login/password-login.js';
import { SecondFactor } from '../login/second-factor.js';
import { RouteManifest } from '../manifest/route-manifest.js';
import { SecondFactorThrottle } from '../mfa/second-factor-throttle.js';
import { TotpService } from '../mfa/totp.service.js';
import { Argon2PasswordHasher } from '../passwords/argon2-password-hasher.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasskeyService } from '../passkeys/passkey.service.js';
import { RoutePolicies } from '../policy/route-policies.js';
import { UserRevocation } from '../revocation/user-revocation.js';
import { SessionCookies } from '../sessions/session-cookies.js';
import { SessionService } from '../sessions/session.service.js';
import { ProtectedResourceMetadata } from '../resource-metadata/protected-resource-metadata.js';
import { DpopProofVerifier } from '../strategies/dpop/dpop-proof-verifier.js';
import { LocalTokenIssuer } from '../strategies/jwt/local-token-issuer.js';
import { AuthStore } from '../stores/auth-store.js';
import { StrategyRegistry } from '../strategies/strategy-registry.js';
import { WS_CONNECTION_GUARD, WsConnectionAuth } from '../websockets/ws-connection-auth.js';
import { ConfigurableAuthModule } from './auth-module.definition.js';
import type { AuthModuleAsyncOptions, AuthModuleExtras, AuthModuleOptions } from './auth-module.options.js';
import { AUTH_STORE_PROVIDER } from './auth-store.provider.js';
import { BUILT_IN_STRATEGIES } from './built-in-strategies.js';
import { SETTINGS_PROVIDERS } from './settings.providers.js';
import { TOKEN_EXPORTS, TOKEN_PROVIDERS } from './token-providers.js';

/**
 * Authentication and authorization for the whole application.
 *
 * @example
 * AuthModule.forRoot({ jwt: { algorithms: ['HS256'], secret: process.env.JWT_SECRET!, issuer, audience } })
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    ...SETTINGS_PROVIDERS,
    { provide: Clock, useClass: SystemClock },
    AUTH_STORE_PROVIDER,
    { provide: PasswordHasher, useClass: Argon2PasswordHasher },
    LoginThrottle,
    PasswordLogin,
    StrategyRegistry,
    RoutePolicies,
    RouteManifest,
    DpopProofVerifier,
    ProtectedResourceMetadata,
    DenialExplainer,
    Authorizer,
    UnknownRoles,
    { provide: WS_CONNECTION_GUARD, useExisting: AuthGuard },
    ContextDenials,
    CurrentPrincipal,
    CallerScopeInterceptor,
    // Only when the app injects CurrentPrincipal: a global interceptor costs every route (see the factory).
    { provide: APP_INTERCEPTOR, useFactory: callerScopeInterceptorIfInjected, inject: [CallerScopeInterceptor, CurrentPrincipal, ModulesContainer] },
    HttpDenials,
    ContextHandlers,
    WsConnectionAuth,
    ...BUILT_IN_STRATEGIES,
    UserRevocation,
    SessionService,
    SessionCookies,
    SecondFactorThrottle,
    TotpService,
    { provide: SecondFactor, useExisting: TotpService },
    PasskeyService,
    OneTimeTokens,
    RecoveryContext,
    PasswordReset,
    EmailVerification,
    ...TOKEN_PROVIDERS,
  ],
  exports: [
    // Settings and collaborators, for subclasses of the built-in strategies and the guard provided in your modules.
    ...SETTINGS_PROVIDERS.map((provider) => provider.provide),
    LocalTokenIssuer,
    DpopProofVerifier,
    ProtectedResourceMetadata,
    Clock,
    AuthStore,
    PasswordHasher,
    PasswordLogin,
    LoginThrottle,
    StrategyRegistry,
    RoutePolicies,
    RoleHierarchy,
    Authorizer,
    AuthGuard,
    ContextDenials,
    CurrentPrincipal,
    WsConnectionAuth,
    ...BUILT_IN_STRATEGIES,
    UserRevocation,
    SessionService,
    SessionCookies,
    TotpService,
    PasskeyService,
    PasswordReset,
    EmailVerification,
    RouteManifest,
    DenialExplainer,
    ...TOKEN_EXPORTS,
  ],
})
export class AuthModule {
  /** The module with options known when it is declared. */
  static forRoot(options: AuthModuleOptions & AuthModuleExtras): DynamicModule {
    // The builder makes the dynamic part (options provider, strategy and grant lists, endpoint controllers).
    return { ...ConfigurableAuthModule.forRoot(options), module: AuthModule };
  }

  /** The module with options from a factory (e.g. `ConfigService`); structural extras stay static. */
  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    return { ...ConfigurableAuthModule.forRootAsync(options), module: AuthModule };
  }
}
