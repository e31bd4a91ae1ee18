import { AuthConfigurationError } from '../errors/configuration.error.js';
import { FeatureSettings } from '../settings/feature-settings.js';
import type { MfaOptions } from './mfa.options.js';

const MINUTE = 60_000;

/** `MfaOptions` validated, with defaults applied. */
export interface MfaConfig {
  readonly issuer: string;
  readonly window: number;
  readonly enrollmentTtlMs: number;
  readonly recoveryCodes: number;
  readonly maxAttempts: number;
  readonly lockoutMs: number;
  readonly passwordLogins: 'require' | 'step-up';
}

/** The `mfa` section of the module options, validated at boot; TOTP is off without it. */
export class MfaSettings extends FeatureSettings<MfaConfig> {
  /** `defaultIssuer`: the authenticator-app label when `mfa.issuer` is not set (the realm). */
  constructor(options: MfaOptions | undefined, defaultIssuer: string) {
    super(options === undefined ? undefined : resolveMfaConfig(options, defaultIssuer), {
      problem: 'two-factor authentication is used but not configured.',
      fix: 'Add mfa: {} (or your MFA options) to AuthModule.forRoot() and provide an MfaDirectory.',
    });
  }
}

function resolveMfaConfig(options: MfaOptions, realm: string): MfaConfig {
  if (options === null || typeof options !== 'object') {
    throw AuthConfigurationError.create('mfa must be an object.', 'Pass e.g. mfa: { issuer: "Acme" }.');
  }
  const window = options.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > 2) {
    throw AuthConfigurationError.create('mfa.window must be 0, 1 or 2 time steps.', 'Use 1 (the default): ±30 seconds of drift.');
  }
  const issuer = options.issuer ?? realm;
  if (typeof issuer !== 'string' || issuer.length === 0 || issuer.includes(':')) {
    throw AuthConfigurationError.create('mfa.issuer must be a non-empty name without ":".', 'Use your product name, e.g. "Acme Notes".');
  }
  const positive = (value: number, field: string): number => {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw AuthConfigurationError.create(`mfa.${field} must be a positive integer.`, 'Remove it to use the default.');
    }
    return value;
  };
  const passwordLogins = options.passwordLogins ?? 'require';
  if (passwordLogins !== 'require' && passwordLogins !== 'step-up') {
    throw AuthConfigurationError.create(
      `mfa.passwordLogins ${JSON.stringify(passwordLogins)} is unknown.`,
      'Use "require" (the default: enrolled accounts send their second factor with the password) or "step-up".',
    );
  }
  return Object.freeze({
    passwordLogins,
    issuer,
    window,
    enrollmentTtlMs: positive(options.enrollmentTtlMs ?? 10 * MINUTE, 'enrollmentTtlMs'),
    recoveryCodes: positive(options.recoveryCodes ?? 10, 'recoveryCodes'),
    maxAttempts: positive(options.maxAttempts ?? 5, 'maxAttempts'),
    lockoutMs: positive(options.lockoutMs ?? 15 * MINUTE, 'lockoutMs'),
  });
}
