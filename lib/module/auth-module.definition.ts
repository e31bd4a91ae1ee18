import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { recoveryControllers } from '../account-recovery/recovery-endpoints.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { AuthGuard } from '../guards/auth.guard.js';
import { mfaControllers } from '../mfa/mfa-endpoints.js';
import { passkeyControllers } from '../passkeys/passkey-endpoints.js';
import { sessionControllers } from '../sessions/session-endpoints.js';
import { AUTH_STRATEGIES } from '../strategies/strategy-tokens.js';
import { protectedResourceControllers } from '../resource-metadata/protected-resource.controller.js';
import { createTokenControllers, resolveTokenPaths } from '../tokens/endpoint/token.controllers.js';
import { MountedTokenPaths } from '../tokens/endpoint/mounted-token-paths.js';
import { TOKEN_GRANTS } from '../tokens/grants/token-grants.js';
import { BUILT_IN_GRANTS } from './built-in-grants.js';
import { BUILT_IN_STRATEGIES } from './built-in-strategies.js';
import type { AuthModuleExtras, AuthModuleOptions } from './auth-module.options.js';
import { AUTH_MODULE_OPTIONS_TOKEN } from './auth-module-options.token.js';

/** The global guard: `AuthGuard`, or the app's subclass in its place (`forRoot({ guard })`). */
function guardProviders(guard: AuthModuleExtras['guard']): Provider[] {
  if (guard !== undefined && (typeof guard !== 'function' || !(guard === AuthGuard || guard.prototype instanceof AuthGuard))) {
    throw AuthConfigurationError.create(
      `the guard option names ${typeof guard === 'function' ? (guard as { name: string }).name : String(guard)}, which does not extend AuthGuard.`,
      'Pass a class that extends AuthGuard from nest-warden (and overrides its protected hooks), or leave the option out.',
    );
  }
  return [
    guard && guard !== AuthGuard ? { provide: AuthGuard, useClass: guard } : AuthGuard,
    { provide: APP_GUARD, useExisting: AuthGuard },
  ];
}

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>({ moduleName: 'Auth', optionsInjectionToken: AUTH_MODULE_OPTIONS_TOKEN })
  .setClassMethodName('forRoot')
  .setExtras<AuthModuleExtras>({ isGlobal: true, strategies: [], grants: [], imports: [] }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? true,
    // forRootAsync's `imports` are in the definition already (the builder puts them there).
    imports: [...(definition.imports ?? []), ...(extras.imports ?? [])],
    providers: [
      ...(definition.providers ?? []),
      ...guardProviders(extras.guard),
      // Strategies and grants are contributed as lists, the app's own after the built-ins; app
      // classes are providers of the app's modules (so they can inject its services), found by class.
      { provide: AUTH_STRATEGIES, useValue: Object.freeze([...BUILT_IN_STRATEGIES, ...(extras.strategies ?? [])]) },
      { provide: TOKEN_GRANTS, useValue: Object.freeze([...BUILT_IN_GRANTS, ...(extras.grants ?? [])]) },
      { provide: MountedTokenPaths, useValue: new MountedTokenPaths(resolveTokenPaths(extras.tokenEndpoints)) },
    ],
    // The module's own endpoints, mounted at the paths the extras choose.
    controllers: [
      ...(definition.controllers ?? []),
      ...sessionControllers(extras.sessionEndpoints),
      ...mfaControllers(extras.mfaEndpoints),
      ...passkeyControllers(extras.passkeyEndpoints),
      ...recoveryControllers(extras.recoveryEndpoints),
      ...createTokenControllers(extras.tokenEndpoints),
      ...protectedResourceControllers(extras.resourceMetadataEndpoint),
    ],
  }))
  .build();
