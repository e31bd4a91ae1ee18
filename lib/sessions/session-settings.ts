import type { CookieSerializeOptions } from '@nestjs/common';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { FeatureSettings } from '../settings/feature-settings.js';
import type { SessionOptions } from './session.options.js';

/** `SessionOptions` validated, with defaults applied. */
export interface SessionConfig {
  readonly cookieName: string;
  /** Attributes of the `Set-Cookie` header (without `Max-Age`). */
  readonly cookie: Readonly<CookieSerializeOptions>;
  readonly persistent: boolean;
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  /** Write the last-activity time at most this often (sliding idle timeout without a write per request). */
  readonly touchIntervalMs: number;
  readonly trustedOrigins: ReadonlySet<string>;
  /** Lower-cased, as Node exposes request headers. */
  readonly csrfHeader: string;
  readonly csrfField: string | undefined;
}

/** RFC 9110 `token`: what RFC 6265 allows as a cookie name (and what a header name must be). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MINUTE = 60_000;

export function resolveSessionConfig(options: SessionOptions): SessionConfig {
  if (options === null || typeof options !== 'object') {
    throw AuthConfigurationError.create('session must be an object.', 'Pass e.g. session: {} for the defaults.');
  }
  const secure = options.secure ?? true;
  const sameSite = options.sameSite ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    throw AuthConfigurationError.create(
      `session.sameSite ${JSON.stringify(sameSite)} is not supported.`,
      'Use "lax" (the default) or "strict"; SameSite=None would send the cookie on cross-site requests.',
    );
  }
  let name = options.cookieName ?? 'nw_session';
  let hostPrefix = options.hostPrefix ?? false;
  if (name.startsWith('__Host-')) {
    hostPrefix = true;
    name = name.slice('__Host-'.length);
  }
  if (!TOKEN.test(name) || name.startsWith('__Secure-')) {
    throw AuthConfigurationError.create(
      `session.cookieName ${JSON.stringify(options.cookieName)} is not a valid cookie name.`,
      'Use letters, digits and - _ . only, e.g. "app_session"; set hostPrefix: true for the __Host- prefix.',
    );
  }
  if (hostPrefix && (!secure || options.domain !== undefined)) {
    throw AuthConfigurationError.create(
      'session.hostPrefix needs a Secure cookie without Domain (browsers drop __Host- cookies otherwise).',
      'Remove session.domain and session.secure: false, or turn hostPrefix off.',
    );
  }
  if (options.domain !== undefined && !/^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(options.domain)) {
    throw AuthConfigurationError.create(`session.domain ${JSON.stringify(options.domain)} is not a host name.`, 'Use e.g. "example.com".');
  }
  const idleTimeoutMs = positiveInteger(options.idleTimeoutMs ?? 30 * MINUTE, 'idleTimeoutMs');
  const absoluteTimeoutMs = positiveInteger(options.absoluteTimeoutMs ?? 8 * 60 * MINUTE, 'absoluteTimeoutMs');
  if (absoluteTimeoutMs < idleTimeoutMs) {
    throw AuthConfigurationError.create(
      'session.absoluteTimeoutMs is shorter than session.idleTimeoutMs.',
      'The absolute timeout caps a session however active it is: make it at least the idle timeout.',
    );
  }
  const csrfHeader = options.csrfHeader ?? 'X-CSRF-Token';
  if (!TOKEN.test(csrfHeader)) {
    throw AuthConfigurationError.create(`session.csrfHeader ${JSON.stringify(csrfHeader)} is not a header name.`, 'Use e.g. "X-CSRF-Token".');
  }
  if (options.csrfField !== undefined && (typeof options.csrfField !== 'string' || options.csrfField.length === 0)) {
    throw AuthConfigurationError.create('session.csrfField must be a non-empty field name.', 'Use e.g. "_csrf", or remove it.');
  }
  return Object.freeze({
    cookieName: hostPrefix ? `__Host-${name}` : name,
    cookie: Object.freeze({
      path: '/',
      domain: options.domain,
      httpOnly: true,
      secure,
      sameSite,
    }),
    persistent: options.persistent ?? false,
    idleTimeoutMs,
    absoluteTimeoutMs,
    touchIntervalMs: Math.min(MINUTE, Math.floor(idleTimeoutMs / 10)),
    trustedOrigins: new Set((options.trustedOrigins ?? []).map(normalizeOrigin)),
    csrfHeader: csrfHeader.toLowerCase(),
    csrfField: options.csrfField,
  });
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw AuthConfigurationError.create(`session.${field} must be a positive integer (milliseconds).`, 'E.g. 30 * 60_000 for 30 minutes.');
  }
  return value;
}

/** `scheme://host[:port]` as browsers serialize `Origin`: lower-case, default port dropped. */
export function normalizeOrigin(origin: string): string {
  let url: URL | undefined;
  if (typeof origin === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]+$/i.test(origin)) {
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
  }
  if (!url?.host || url.username || url.password || url.host.includes('*')) {
    throw AuthConfigurationError.create(
      `session.trustedOrigins contains ${JSON.stringify(origin)}, which is not an origin.`,
      'List each origin as scheme://host[:port], without path or wildcard, e.g. "https://app.example.com".',
    );
  }
  return `${url.protocol}//${url.host}`;
}

/** The `session` section of the module options, validated at boot; sessions are off without it. */
export class SessionSettings extends FeatureSettings<SessionConfig> {
  constructor(options: SessionOptions | undefined) {
    super(options === undefined ? undefined : resolveSessionConfig(options), {
      problem: 'sessions are used but not configured.',
      fix: 'Add session: {} (or your session options) to AuthModule.forRoot().',
    });
  }
}
