import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { LoginThrottleOptions } from './login-throttle.options.js';

/** The `lockout` section of the module options, validated at boot, with defaults applied. */
export class LoginThrottleSettings {
  readonly accountThreshold: number;
  readonly addressThreshold: number;
  readonly lockoutMs: number;
  readonly maxLockoutMs: number;
  readonly windowMs: number;
  readonly backoffResetMs: number;

  constructor(options: LoginThrottleOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw AuthConfigurationError.create('lockout must be an object.', 'Pass e.g. lockout: { accountThreshold: 10 }, or leave it out.');
    }
    this.accountThreshold = positiveInteger(options.accountThreshold, 5, 'accountThreshold');
    this.addressThreshold = positiveInteger(options.addressThreshold, 100, 'addressThreshold');
    this.lockoutMs = positiveInteger(options.lockoutMs, 60_000, 'lockoutMs');
    this.maxLockoutMs = Math.max(this.lockoutMs, positiveInteger(options.maxLockoutMs, 15 * 60_000, 'maxLockoutMs'));
    this.windowMs = positiveInteger(options.windowMs, 15 * 60_000, 'windowMs');
    this.backoffResetMs = positiveInteger(options.backoffResetMs, 24 * 60 * 60_000, 'backoffResetMs');
    Object.freeze(this);
  }
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw AuthConfigurationError.create(
      `lockout.${name} must be a positive integer, got ${String(value)}.`,
      'Use a whole number of attempts or milliseconds, or leave it out for the default.',
    );
  }
  return value;
}
