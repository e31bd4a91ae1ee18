import { AuthConfigurationError } from '../../errors/configuration.error.js';
import { FeatureSettings } from '../../settings/feature-settings.js';
import type { BasicStrategyOptions } from './basic.options.js';

/** `BasicStrategyOptions` validated, with defaults applied. */
export interface BasicConfig {
  readonly maxCredentialsLength: number;
  readonly description: string | undefined;
}

/** The `basic` section of the module options, validated at boot; HTTP Basic is off without it. */
export class BasicSettings extends FeatureSettings<BasicConfig> {
  constructor(options: BasicStrategyOptions | undefined) {
    super(options === undefined ? undefined : resolveBasicConfig(options), {
      problem: 'HTTP Basic is used but not configured.',
      fix: 'Add basic: {} to AuthModule.forRoot().',
    });
  }
}

function resolveBasicConfig(options: BasicStrategyOptions): BasicConfig {
  if (options === null || typeof options !== 'object') {
    throw AuthConfigurationError.create('basic must be an object.', 'Pass basic: {} for the defaults.');
  }
  const max = options.maxCredentialsLength ?? 4096;
  if (!Number.isSafeInteger(max) || max < 8) {
    throw AuthConfigurationError.create(
      `basic.maxCredentialsLength must be an integer of at least 8, got ${String(max)}.`,
      'Leave it unset for the default (4096).',
    );
  }
  return Object.freeze({ maxCredentialsLength: max, description: options.description });
}
