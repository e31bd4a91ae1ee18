import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { ErrorResponseOption } from '../errors/error-response.js';
import type { CoreOptions } from './core.options.js';

/**
 * The guard's own options after validation ({@link CoreOptions}), defaults applied, frozen. Every
 * feature has settings like these, built at boot from its own section of the module options.
 */
export class CoreSettings {
  readonly global: boolean;
  readonly realm: string;
  /** As configured; the strategy registry computes the effective list. */
  readonly defaultStrategies: readonly string[] | undefined;
  /** How denial bodies are written (`errorResponse`). */
  readonly errorResponse: ErrorResponseOption;
  readonly resolveUser: CoreOptions['resolveUser'];
  readonly strict: boolean;
  readonly explainDenials: boolean;

  constructor(options: CoreOptions) {
    const realm = options.realm ?? 'nest-warden';
    if (typeof realm !== 'string' || !/^[\x20-\x7e]*$/.test(realm) || realm.includes('"') || realm.includes('\\')) {
      throw AuthConfigurationError.create(
        `realm ${JSON.stringify(realm)} cannot be written in a WWW-Authenticate header.`,
        'Use printable ASCII without quotes or backslashes.',
      );
    }
    this.global = options.global ?? true;
    this.realm = realm;
    this.defaultStrategies = options.defaultStrategies ? Object.freeze([...options.defaultStrategies]) : undefined;
    const errorResponse = options.errorResponse ?? 'nest';
    if (errorResponse !== 'nest' && errorResponse !== 'problem+json' && typeof errorResponse !== 'function') {
      throw AuthConfigurationError.create(
        `errorResponse ${JSON.stringify(errorResponse)} is not supported.`,
        "Use 'nest', 'problem+json', or a function (denial) => body.",
      );
    }
    this.errorResponse = errorResponse;
    if (options.resolveUser !== undefined && typeof options.resolveUser !== 'function') {
      throw AuthConfigurationError.create('resolveUser must be a function.', 'Pass (principal, request) => user, or leave it out.');
    }
    this.resolveUser = options.resolveUser;
    this.strict = checkBoolean('strict', options.strict, 'Use strict: true or false.') ?? false;
    this.explainDenials =
      checkBoolean(
        'explainDenials',
        options.explainDenials,
        'Use explainDenials: true or false, or leave it out (on unless NODE_ENV is production).',
      ) ?? process.env.NODE_ENV !== 'production';
    Object.freeze(this);
  }
}

function checkBoolean(name: string, value: unknown, fix: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw AuthConfigurationError.create(`${name} ${JSON.stringify(value)} is not a boolean.`, fix);
  }
  return value;
}
