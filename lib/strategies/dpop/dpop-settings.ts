import { randomBytes } from 'node:crypto';
import { AuthConfigurationError } from '../../errors/configuration.error.js';
import { DPOP_ALGORITHMS, type DpopAlgorithm, type DpopMode, type DpopOptions } from './dpop.options.js';

const DEFAULT_ALGORITHMS: readonly DpopAlgorithm[] = Object.freeze(['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256']);

/** The `dpop` section after validation, defaults applied, frozen. Its verifier settings apply whether or not the section is there. */
export class DpopSettings {
  /** `undefined` without a `dpop` section: bearer strategies without a `dpop` option of their own then ignore DPoP. */
  readonly mode: DpopMode | undefined;
  readonly algorithms: readonly DpopAlgorithm[];
  readonly maxAgeSeconds: number;
  readonly clockToleranceSeconds: number;
  /** HMAC key for nonces; `undefined` when nonces are off. */
  readonly nonceSecret: Uint8Array | undefined;
  readonly nonceLifetimeSeconds: number;
  readonly maxProofsPerKey: number;
  readonly origin: string | undefined;

  constructor(options: DpopOptions | undefined) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw AuthConfigurationError.create('dpop must be an object.', "Pass e.g. dpop: { mode: 'required' }.");
    }
    const given = options ?? {};
    this.mode = checkMode('dpop.mode', given.mode) ?? (options === undefined ? undefined : 'allowed');
    const algorithms = given.algorithms ?? DEFAULT_ALGORITHMS;
    if (!Array.isArray(algorithms) || algorithms.length === 0 || algorithms.some((alg) => !DPOP_ALGORITHMS.includes(alg))) {
      throw AuthConfigurationError.create(
        `dpop.algorithms ${JSON.stringify(algorithms)} is not a non-empty list of supported algorithms.`,
        `Use some of: ${DPOP_ALGORITHMS.join(', ')} (asymmetric only).`,
      );
    }
    this.algorithms = Object.freeze([...new Set(algorithms)]);
    this.maxAgeSeconds = positive('dpop.maxAgeSeconds', given.maxAgeSeconds, 60);
    this.clockToleranceSeconds = positive('dpop.clockToleranceSeconds', given.clockToleranceSeconds, 5, true);
    this.maxProofsPerKey = positive('dpop.maxProofsPerKey', given.maxProofsPerKey, 10_000);
    const nonce = given.nonce === true ? {} : given.nonce === false || given.nonce === undefined ? undefined : given.nonce;
    if (nonce !== undefined) {
      const secret = typeof nonce.secret === 'string' ? new TextEncoder().encode(nonce.secret) : nonce.secret;
      if (secret !== undefined && (!(secret instanceof Uint8Array) || secret.byteLength < 32)) {
        throw AuthConfigurationError.create('dpop.nonce.secret is shorter than 32 bytes.', 'Use a random secret of at least 32 bytes, shared by every instance.');
      }
      this.nonceSecret = secret ?? randomBytes(32);
    }
    this.nonceLifetimeSeconds = positive('dpop.nonce.lifetimeSeconds', nonce?.lifetimeSeconds, 300);
    if (given.origin !== undefined) {
      let url: URL | undefined;
      try {
        url = new URL(given.origin);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        throw AuthConfigurationError.create(`dpop.origin ${JSON.stringify(given.origin)} is not an http(s) URL.`, 'Use e.g. "https://api.example.com".');
      }
      this.origin = url.origin;
    }
    Object.freeze(this);
  }
}

/** Validates a `dpop` mode option (module, strategy or route). */
export function checkMode(name: string, mode: unknown): DpopMode | undefined {
  if (mode !== undefined && mode !== 'required' && mode !== 'allowed') {
    throw AuthConfigurationError.create(`${name} ${JSON.stringify(mode)} is not a DPoP mode.`, "Use 'required' or 'allowed'.");
  }
  return mode;
}

function positive(name: string, value: number | undefined, fallback: number, zeroOk = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zeroOk && value === 0)) {
    throw AuthConfigurationError.create(`${name} ${JSON.stringify(value)} is not a positive number.`, `Leave it out for the default (${fallback}).`);
  }
  return value;
}
