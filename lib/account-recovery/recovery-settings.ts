import { AuthConfigurationError } from '../errors/configuration.error.js';
import { FeatureSettings } from '../settings/feature-settings.js';
import type { RecoveryOptions } from './recovery.options.js';

const MINUTE = 60_000;

/** `RecoveryOptions` validated, with defaults applied. */
export interface RecoveryConfig {
  readonly resetTokenTtlMs: number;
  readonly verificationTokenTtlMs: number;
  readonly minPasswordLength: number;
  readonly maxRequestsPerWindow: number;
  readonly requestWindowMs: number;
}

/** The `recovery` section of the module options, validated at boot; password reset and email verification are off without it. */
export class RecoverySettings extends FeatureSettings<RecoveryConfig> {
  constructor(options: RecoveryOptions | undefined) {
    super(options === undefined ? undefined : resolveRecoveryConfig(options), {
      problem: 'password reset or email verification is used but not configured.',
      fix: 'Add recovery: {} (or your recovery options) to AuthModule.forRoot().',
    });
  }
}

function resolveRecoveryConfig(options: RecoveryOptions): RecoveryConfig {
  if (options === null || typeof options !== 'object') {
    throw AuthConfigurationError.create('recovery must be an object.', 'Pass e.g. recovery: {} for the defaults.');
  }
  const positive = (value: number, field: string): number => {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw AuthConfigurationError.create(`recovery.${field} must be a positive integer.`, 'Remove it to use the default.');
    }
    return value;
  };
  return Object.freeze({
    resetTokenTtlMs: positive(options.resetTokenTtlMs ?? 30 * MINUTE, 'resetTokenTtlMs'),
    verificationTokenTtlMs: positive(options.verificationTokenTtlMs ?? 24 * 60 * MINUTE, 'verificationTokenTtlMs'),
    minPasswordLength: positive(options.minPasswordLength ?? 8, 'minPasswordLength'),
    maxRequestsPerWindow: positive(options.maxRequestsPerWindow ?? 5, 'maxRequestsPerWindow'),
    requestWindowMs: positive(options.requestWindowMs ?? 60 * MINUTE, 'requestWindowMs'),
  });
}
