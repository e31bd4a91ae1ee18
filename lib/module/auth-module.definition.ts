import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthModuleExtras, AuthModuleOptions } from './auth-module.options.js';
import { AUTH_MODULE_OPTIONS_TOKEN } from './auth-module-options.token.js';
import { recoveryControllers } from '../account-recovery/recovery-endpoints.js';
import { mfaControllers } from '../mfa/mfa-endpoints.js';
import { sessionControllers } from '../sessions/session-endpoints.js';
import { CUSTOM_STRATEGIES } from '../strategies/strategy-tokens.js';
import { createTokenControllers } from '../tokens/endpoint/token.controllers.js';

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>({ moduleName: 'Auth', optionsInjectionToken: AUTH_MODULE_OPTIONS_TOKEN })
  .setClassMethodName('forRoot')
  .setExtras<AuthModuleExtras>({ isGlobal: true, strategies: [] }, (definition, extras) => {
    const strategies = extras.strategies ?? [];
    return {
      ...definition,
      global: extras.isGlobal ?? true,
      // Custom strategies are providers of the app's own modules (so they can inject its services);
      // the registry finds them by class.
      providers: [...(definition.providers ?? []), { provide: CUSTOM_STRATEGIES, useValue: strategies }],
      // The module's own endpoints, mounted at the paths the extras choose.
      controllers: [
        ...(definition.controllers ?? []),
        ...sessionControllers(extras.sessionEndpoints),
        ...mfaControllers(extras.mfaEndpoints),
        ...recoveryControllers(extras.recoveryEndpoints),
        ...createTokenControllers(extras.tokenEndpoints),
      ],
    };
  })
  .build();
