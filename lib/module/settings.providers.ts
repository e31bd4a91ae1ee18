import type { Abstract, FactoryProvider } from '@nestjs/common';
import { RecoverySettings } from '../account-recovery/recovery-settings.js';
import { RoleHierarchy } from '../authorization/role-hierarchy.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { LoginThrottleSettings } from '../login/login-throttle-settings.js';
import { MfaSettings } from '../mfa/mfa-settings.js';
import { PasskeySettings } from '../passkeys/passkey-settings.js';
import { RequestPolicy } from '../network/request-policy.js';
import { PasswordHasherSettings } from '../passwords/password-hasher-settings.js';
import { SessionSettings } from '../sessions/session-settings.js';
import { ProtectedResourceSettings } from '../settings/protected-resource-settings.js';
import { CoreSettings } from '../settings/core-settings.js';
import { ApiKeySettings } from '../strategies/api-key/api-key-settings.js';
import { BasicSettings } from '../strategies/basic/basic-settings.js';
import { IntrospectionSettings } from '../strategies/introspection/introspection-settings.js';
import { DpopSettings } from '../strategies/dpop/dpop-settings.js';
import { JwtSettings } from '../strategies/jwt/jwt-settings.js';
import { OidcSettings } from '../strategies/oidc/oidc-settings.js';
import { TokenSettings } from '../tokens/token-settings.js';
import { AUTH_MODULE_OPTIONS_TOKEN } from './auth-module-options.token.js';
import type { AuthModuleOptions } from './auth-module.options.js';

/** The options object itself must be an object; each feature checks its own section. */
function checked(options: AuthModuleOptions): AuthModuleOptions {
  if (options === null || typeof options !== 'object') {
    throw AuthConfigurationError.create(
      'AuthModule options must be an object.',
      'Pass e.g. AuthModule.forRoot({ jwt: { algorithms: ["HS256"], secret } }).',
    );
  }
  return options;
}

/** A feature's settings, built once from its own section of the module options. */
function fromSection<T>(provide: Abstract<T>, build: (options: AuthModuleOptions) => T): FactoryProvider<T> {
  return { provide, useFactory: (options: AuthModuleOptions) => build(checked(options)), inject: [AUTH_MODULE_OPTIONS_TOKEN] };
}

/**
 * Every feature's settings. This is the one place that reads the module options: each feature
 * injects its own settings object and depends on its own options type only.
 */
export const SETTINGS_PROVIDERS: readonly FactoryProvider[] = [
  fromSection(CoreSettings, (options) => new CoreSettings(options)),
  fromSection(RequestPolicy, (options) => new RequestPolicy({ trustProxy: options.trustProxy, requireHttps: options.requireHttps })),
  fromSection(RoleHierarchy, (options) => RoleHierarchy.compile(options.roles)),
  fromSection(PasswordHasherSettings, (options) => new PasswordHasherSettings(options.passwords)),
  fromSection(LoginThrottleSettings, (options) => new LoginThrottleSettings(options.lockout)),
  fromSection(JwtSettings, (options) => new JwtSettings(options.jwt)),
  fromSection(ProtectedResourceSettings, (options) => new ProtectedResourceSettings(options.protectedResource)),
  fromSection(IntrospectionSettings, (options) => new IntrospectionSettings(options.introspection)),
  fromSection(DpopSettings, (options) => new DpopSettings(options.dpop)),
  fromSection(OidcSettings, (options) => new OidcSettings(options.oidc)),
  fromSection(ApiKeySettings, (options) => new ApiKeySettings(options.apiKeys)),
  fromSection(BasicSettings, (options) => new BasicSettings(options.basic)),
  fromSection(SessionSettings, (options) => new SessionSettings(options.session)),
  {
    provide: MfaSettings,
    useFactory: (options: AuthModuleOptions, core: CoreSettings) => new MfaSettings(checked(options).mfa, core.realm),
    inject: [AUTH_MODULE_OPTIONS_TOKEN, CoreSettings],
  },
  {
    provide: PasskeySettings,
    useFactory: (options: AuthModuleOptions, core: CoreSettings) => new PasskeySettings(checked(options).passkeys, core.realm),
    inject: [AUTH_MODULE_OPTIONS_TOKEN, CoreSettings],
  },
  fromSection(RecoverySettings, (options) => new RecoverySettings(options.recovery)),
  fromSection(TokenSettings, (options) => new TokenSettings(options.tokens)),
];
