import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthModuleExtras, AuthModuleOptions } from './auth-module.options.js';
import { CUSTOM_STRATEGIES } from './strategies/custom-strategies.token.js';
import { createTokenControllers } from './tokens/token.controllers.js';

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>({ moduleName: 'Auth' })
  .setClassMethodName('forRoot')
  .setExtras<AuthModuleExtras>({ isGlobal: true, strategies: [] }, (definition, extras) => {
    const strategies = extras.strategies ?? [];
    return {
      ...definition,
      global: extras.isGlobal ?? true,
      // Custom strategies are providers of the app's own modules (so they can inject its services);
      // the registry finds them by class.
      providers: [...(definition.providers ?? []), { provide: CUSTOM_STRATEGIES, useValue: strategies }],
      controllers: [...(definition.controllers ?? []), ...createTokenControllers(extras.endpoints)],
    };
  })
  .build();
