import { AuthConfigurationError } from '../errors/configuration.error.js';
import { type HashWorkLimits, hashWorkLimits } from './hash-work-limiter.js';
import type { PasswordHasherOptions } from './password-hasher.js';

/** OWASP's argon2id recommendation (Password Storage Cheat Sheet): m=19456 KiB, t=2, p=1. */
const OWASP = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The `passwords` section of the module options, validated at boot, with OWASP's parameters by default. */
export class PasswordHasherSettings {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
  readonly maxPasswordBytes: number;
  readonly limits: HashWorkLimits;

  constructor(options: PasswordHasherOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw AuthConfigurationError.create('passwords must be an object.', 'Pass e.g. passwords: { memoryCost: 19456 }, or leave it out.');
    }
    this.memoryCost = positiveInteger(options.memoryCost, OWASP.memoryCost, 'memoryCost');
    this.timeCost = positiveInteger(options.timeCost, OWASP.timeCost, 'timeCost');
    this.parallelism = positiveInteger(options.parallelism, OWASP.parallelism, 'parallelism');
    if (this.memoryCost < 8 * this.parallelism) {
      throw AuthConfigurationError.create(
        `passwords.memoryCost (${this.memoryCost} KiB) is below argon2's minimum of 8 KiB per lane.`,
        "Leave memoryCost unset for OWASP's 19456 KiB.",
      );
    }
    this.maxPasswordBytes = positiveInteger(options.maxPasswordBytes, 1024, 'maxPasswordBytes');
    this.limits = hashWorkLimits(options);
    Object.freeze(this);
  }
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw AuthConfigurationError.create(`passwords.${name} must be a positive integer, got ${String(value)}.`, `Leave it unset for the default (${fallback}).`);
  }
  return value;
}
