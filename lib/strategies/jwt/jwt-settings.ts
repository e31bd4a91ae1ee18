import { AuthConfigurationError } from '../../errors/configuration.error.js';
import { checkMode } from '../dpop/dpop-settings.js';
import { FeatureSettings } from '../../settings/feature-settings.js';
import type { JwtStrategyOptions } from './jwt.options.js';

/**
 * The `jwt` section of the module options. The strategy checks it in depth when it imports its
 * keys at boot; without it, the strategy still verifies the app's own tokens when `tokens` is set.
 */
export class JwtSettings extends FeatureSettings<JwtStrategyOptions> {
  constructor(options: JwtStrategyOptions | undefined) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw AuthConfigurationError.create('jwt must be an object.', 'Pass e.g. jwt: { algorithms: ["HS256"], secret }.');
    }
    checkMode('jwt.dpop', options?.dpop);
    super(options, { problem: 'the jwt strategy is used but not configured.', fix: 'Add jwt: { algorithms, ... } to AuthModule.forRoot().' });
  }
}
