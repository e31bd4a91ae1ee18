import { type AuthRequest, readHeader } from '../request/auth-request.js';

/** Methods that must not change state; every other method is checked (RFC 9110 §9.2.1). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

export function isSafeMethod(method: string | undefined): boolean {
  return method !== undefined && SAFE_METHODS.has(method);
}

/**
 * Whether a browser reports this unsafe request as coming from another origin, by the algorithm
 * of Go's `net/http.CrossOriginProtection` (which Nest's `enableCsrfProtection()` also follows):
 *
 * 1. `Sec-Fetch-Site: same-origin` or `none` (typed URL, bookmark) is same-origin; any other value
 *    (`same-site`, `cross-site`) is cross-origin. Evergreen browsers send it on every request.
 * 2. Without it, no `Origin` means a non-browser client (or an old browser's same-origin request).
 * 3. Otherwise `Origin` must name the request's own `Host` (`X-Forwarded-Host` is not trusted).
 *
 * A request whose `Origin` is one of `trustedOrigins` is never cross-origin.
 */
export function isCrossOrigin(request: AuthRequest, trustedOrigins: ReadonlySet<string>): boolean {
  const origin = readHeader(request, 'origin');
  if (origin !== undefined && trustedOrigins.has(origin)) return false;
  const site = readHeader(request, 'sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  if (origin === undefined) return false;
  const host = readHeader(request, 'host');
  return host === undefined || !originMatchesHost(origin, host);
}

function originMatchesHost(origin: string, host: string): boolean {
  let url: URL;
  try {
    url = new URL(origin); // "null" (sandboxed iframes, file:) throws: never a match
  } catch {
    return false;
  }
  if (!url.host) return false;
  const authority = host.toLowerCase();
  if (url.host === authority) return true;
  const defaultPort = DEFAULT_PORTS[url.protocol];
  return !url.port && defaultPort !== undefined && `${url.hostname}:${defaultPort}` === authority;
}
