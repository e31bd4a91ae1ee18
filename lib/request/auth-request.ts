/**
 * The parts of an incoming request that strategies read. Express and Fastify requests satisfy it
 * as they are (both lower-case `headers`), so the hot path wraps nothing.
 */
export interface AuthRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query?: unknown;
  readonly method?: string;
  readonly url?: string;
  readonly ip?: string;
  /** Set by the guard: the authenticated caller (or what `resolveUser` made of it). */
  user?: unknown;
}

/** First value of a header; duplicated headers (an attack or a broken proxy) count as absent-or-first. */
export function readHeader(request: AuthRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** A single string query parameter; arrays (`?key=a&key=b`) are refused as ambiguous. */
export function readQuery(request: AuthRequest, name: string): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Reads one cookie from the `Cookie` header (RFC 6265 §5.4); no cookie-parser middleware needed. */
export function readCookie(request: AuthRequest, name: string): string | undefined {
  const header = readHeader(request, 'cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

export interface AuthorizationHeader {
  /** Lower-cased scheme, e.g. `bearer`, `basic` (schemes are case-insensitive, RFC 9110 §11.1). */
  readonly scheme: string;
  /** What follows the scheme and its spaces; may be empty. */
  readonly credentials: string;
}

/** Splits `Authorization: <scheme> <credentials>`; undefined when the header is absent or blank. */
export function parseAuthorizationHeader(request: AuthRequest): AuthorizationHeader | undefined {
  const header = readHeader(request, 'authorization');
  if (!header) return undefined;
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  if (space === -1) return { scheme: trimmed.toLowerCase(), credentials: '' };
  return { scheme: trimmed.slice(0, space).toLowerCase(), credentials: trimmed.slice(space + 1).trim() };
}
