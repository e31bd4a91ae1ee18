import { Inject, Injectable } from '@nestjs/common';
import { AUTH_MODULE_OPTIONS_TOKEN as AUTH_MODULE_OPTIONS } from '../module/auth-module-options.token.js';
import type { AuthModuleOptions, RoleOptions } from '../module/auth-module.options.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { ErrorResponseOption } from '../errors/error-response.js';

/**
 * The module options after validation: defaults applied, top level frozen. Inject this, never
 * the raw options; every feature reads its own section from here.
 */
@Injectable()
export class AuthOptions {
  readonly global: boolean;
  readonly realm: string;
  /** As configured; the strategy registry computes the effective list. */
  readonly defaultStrategies: readonly string[] | undefined;
  readonly roles: RoleOptions;
  /** How denial bodies are written (`errorResponse`), checked at boot. */
  readonly errorResponse: ErrorResponseOption;
  readonly raw: AuthModuleOptions;

  constructor(@Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions) {
    if (options === null || typeof options !== 'object') {
      throw AuthConfigurationError.create(
        'AuthModule options must be an object.',
        'Pass e.g. AuthModule.forRoot({ jwt: { algorithms: ["HS256"], secret } }).',
      );
    }
    const realm = options.realm ?? 'nest-warden';
    if (!/^[\x20-\x7e]*$/.test(realm) || realm.includes('"') || realm.includes('\\')) {
      throw AuthConfigurationError.create(
        `realm ${JSON.stringify(realm)} cannot be written in a WWW-Authenticate header.`,
        'Use printable ASCII without quotes or backslashes.',
      );
    }
    this.global = options.global ?? true;
    this.realm = realm;
    this.defaultStrategies = options.defaultStrategies ? [...options.defaultStrategies] : undefined;
    this.roles = options.roles ?? {};
    const errorResponse = options.errorResponse ?? 'nest';
    if (errorResponse !== 'nest' && errorResponse !== 'problem+json' && typeof errorResponse !== 'function') {
      throw AuthConfigurationError.create(
        `errorResponse ${JSON.stringify(errorResponse)} is not supported.`,
        "Use 'nest', 'problem+json', or a function (denial) => body.",
      );
    }
    this.errorResponse = errorResponse;
    this.raw = options;
    Object.freeze(this);
  }
}
