import { AuthConfigurationError } from '../errors/configuration.error.js';
import { FeatureSettings } from '../settings/feature-settings.js';
import type { PasskeyOptions } from './passkey.options.js';

const MINUTE = 60_000;
/** Loopback hosts: browsers treat them as secure contexts over plain http (RFC 6761 reserves `*.localhost`). */
const LOOPBACK = /^(localhost|[a-z0-9.-]+\.localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** `PasskeyOptions` validated, with defaults applied. */
export interface PasskeyConfig {
  readonly rpId: string;
  readonly rpName: string;
  readonly origins: readonly string[];
  readonly userVerification: 'required' | 'preferred';
  readonly challengeTtlMs: number;
  readonly timeoutMs: number;
  readonly maxPerUser: number;
}

/** The `passkeys` section of the module options, validated at boot; passkeys are off without it. */
export class PasskeySettings extends FeatureSettings<PasskeyConfig> {
  /** `defaultRpName`: the name shown by authenticators when `passkeys.rpName` is not set (the realm). */
  constructor(options: PasskeyOptions | undefined, defaultRpName: string) {
    super(options === undefined ? undefined : resolvePasskeyConfig(options, defaultRpName), {
      problem: 'passkeys are used but not configured.',
      fix: 'Add passkeys: { rpId: "example.com", origins: ["https://example.com"] } to AuthModule.forRoot() and provide a PasskeyDirectory.',
    });
  }
}

function fail(problem: string, fix: string): never {
  throw AuthConfigurationError.create(problem, fix);
}

function resolvePasskeyConfig(options: PasskeyOptions, realm: string): PasskeyConfig {
  if (options === null || typeof options !== 'object') {
    fail('passkeys must be an object.', 'Pass e.g. passkeys: { rpId: "example.com", origins: ["https://example.com"] }.');
  }
  const rpId = options.rpId;
  if (typeof rpId !== 'string' || !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(rpId) || rpId.includes('..')) {
    fail(
      `passkeys.rpId ${JSON.stringify(rpId)} is not a domain.`,
      'Give your site\'s domain in lower case, without scheme or port, e.g. rpId: "example.com" (or "localhost").',
    );
  }
  if (!Array.isArray(options.origins) || options.origins.length === 0) {
    fail('passkeys.origins must list the origins your pages run on.', `Pass e.g. origins: ["https://${rpId}"].`);
  }
  const origins = options.origins.map((origin) => checkOrigin(origin, rpId));
  const userVerification = options.userVerification ?? 'required';
  if (userVerification !== 'required' && userVerification !== 'preferred') {
    fail('passkeys.userVerification must be "required" or "preferred".', 'Remove it to require user verification (the default).');
  }
  const positive = (value: number, field: string): number => {
    if (!Number.isSafeInteger(value) || value <= 0) fail(`passkeys.${field} must be a positive integer.`, 'Remove it to use the default.');
    return value;
  };
  const challengeTtlMs = positive(options.challengeTtlMs ?? 5 * MINUTE, 'challengeTtlMs');
  const rpName = options.rpName ?? realm;
  if (typeof rpName !== 'string' || rpName.length === 0) fail('passkeys.rpName must be a non-empty name.', 'Use your product name, e.g. "Acme Notes".');
  return Object.freeze({
    rpId,
    rpName,
    origins: Object.freeze(origins),
    userVerification,
    challengeTtlMs,
    timeoutMs: positive(options.timeoutMs ?? challengeTtlMs, 'timeoutMs'),
    maxPerUser: positive(options.maxPerUser ?? 20, 'maxPerUser'),
  });
}

/** An origin exactly as browsers write it in `clientDataJSON`, on the relying party's domain. */
function checkOrigin(origin: unknown, rpId: string): string {
  let url: URL | undefined;
  try {
    url = typeof origin === 'string' ? new URL(origin) : undefined;
  } catch {
    url = undefined;
  }
  const fix = `Write it as scheme://host[:port] without a path, e.g. "https://${rpId}".`;
  if (!url || url.origin !== origin) fail(`passkeys.origins: ${JSON.stringify(origin)} is not an origin.`, fix);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    fail(`passkeys.origins: ${origin} is not https.`, 'Browsers offer WebAuthn on https origins only (and http://localhost in development).');
  }
  const host = url.hostname;
  if (host !== rpId && !host.endsWith(`.${rpId}`)) {
    fail(`passkeys.origins: ${origin} is not on the relying party's domain ${rpId}.`, `Use origins on ${rpId} or its subdomains, or change rpId.`);
  }
  return origin as string;
}
