import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { AuthRequest } from '../request/auth-request.js';
import { AddressList } from './address-list.js';
import { ForwardedRequestReader } from './forwarded-request.js';
import type { NetworkOptions, RequireHttpsOption, TrustProxyOption } from './request-policy.options.js';

/** Checks made on the request itself before anyone is authenticated; throws `AuthError('forbidden')`. */
export type RequestCheck = (request: AuthRequest) => void;

export const HTTPS_REQUIRED_MESSAGE = 'HTTPS is required';
export const ADDRESS_NOT_ALLOWED_MESSAGE = 'Access from this network address is not allowed';

/**
 * Transport and network rules: `requireHttps` (every route) and `@AllowFrom()` (per route), both read
 * through `trustProxy`. Options are validated when the module starts; each route's checks are compiled
 * once, and routes with nothing to check cost nothing. Built at boot from the module's network options.
 */
export class RequestPolicy {
  readonly reader: ForwardedRequestReader;
  readonly httpsRequired: boolean;
  private readonly httpsExempt: AddressList | undefined;

  constructor(options: NetworkOptions = {}) {
    this.reader = new ForwardedRequestReader(validateTrustProxy(options.trustProxy));
    const https = validateRequireHttps(options.requireHttps);
    this.httpsRequired = https !== false;
    this.httpsExempt =
      typeof https === 'object' && https.exempt?.length ? wrap(() => new AddressList(https.exempt!, 'requireHttps.exempt')) : undefined;
  }

  /** The checks for one route, or `undefined` when it has none (no HTTPS rule, no `@AllowFrom`). */
  compile(allowFrom: readonly string[], where: string): RequestCheck | undefined {
    const allowed = allowFrom.length ? wrap(() => new AddressList(allowFrom, `@AllowFrom() on ${where}`)) : undefined;
    if (!this.httpsRequired && !allowed) return undefined;
    return (request) => {
      const origin = this.reader.origin(request);
      if (this.httpsRequired && !origin.secure && !this.httpsExempt?.contains(origin.client)) {
        throw new AuthError('forbidden', { description: HTTPS_REQUIRED_MESSAGE });
      }
      if (allowed && !allowed.contains(origin.client)) {
        throw new AuthError('forbidden', { description: ADDRESS_NOT_ALLOWED_MESSAGE });
      }
    };
  }

  /** The client's address per `trustProxy`: the socket peer unless a trusted proxy forwarded it. */
  clientAddress(request: AuthRequest): string | undefined {
    return this.reader.clientAddress(request);
  }

  /** Why the request checks refuse this request, for development logs; `undefined` when they pass. */
  explain(request: AuthRequest, allowFrom: readonly string[]): string | undefined {
    const origin = this.reader.origin(request);
    const via = origin.peerTrusted
      ? `client ${origin.client ?? 'unknown'} (forwarded by trusted proxy ${origin.peer ?? 'unknown'})`
      : `client ${origin.client ?? 'unknown'} (socket peer; X-Forwarded-* ignored${this.reader.trustsProxies ? ': peer is not a trusted proxy' : ': trustProxy is off'})`;
    if (this.httpsRequired && !origin.secure && !this.httpsExempt?.contains(origin.client)) {
      return `requireHttps is on and the request came over plain HTTP from ${via}`;
    }
    if (allowFrom.length && !new AddressList(allowFrom, '@AllowFrom()').contains(origin.client)) {
      return `@AllowFrom(${allowFrom.map((entry) => `'${entry}'`).join(', ')}) does not include ${via}`;
    }
    return undefined;
  }
}

function wrap<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof TypeError) {
      throw AuthConfigurationError.create(error.message, 'Fix the entry; the application cannot start with it.');
    }
    throw error;
  }
}

function validateTrustProxy(value: unknown): TrustProxyOption {
  if (value === undefined || value === false) return false;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value === 0 ? false : value;
  if (Array.isArray(value)) {
    if (value.length === 0) return false;
    wrap(() => new AddressList(value, 'trustProxy'));
    return Object.freeze([...(value as string[])]);
  }
  throw AuthConfigurationError.create(
    `trustProxy ${JSON.stringify(value)} is not supported${value === true ? ': it would believe any X-Forwarded-For a client writes' : ''}.`,
    "List your proxies' addresses or ranges (e.g. trustProxy: ['10.0.0.0/8'] or ['loopback']), " +
      'or give the number of proxies in front of the app (e.g. trustProxy: 1).',
  );
}

function validateRequireHttps(value: unknown): RequireHttpsOption {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const exempt = (value as { exempt?: unknown }).exempt;
    if (exempt === undefined || Array.isArray(exempt)) return value as RequireHttpsOption;
  }
  throw AuthConfigurationError.create(
    `requireHttps ${JSON.stringify(value)} is not supported.`,
    "Use requireHttps: true, or { exempt: ['10.0.0.0/8'] } to let some clients use plain HTTP.",
  );
}
