import { type AuthRequest, readHeader } from '../../request/auth-request.js';
import { OAuthError } from '../oauth.error.js';

/** A request whose body the HTTP adapter has parsed (Express and Fastify both set `body`). */
export interface FormRequest extends AuthRequest {
  readonly body?: unknown;
}

const FORM = 'application/x-www-form-urlencoded';
/** Longest parameter value accepted (an access token sent for revocation is the longest). */
const MAX_VALUE_LENGTH = 8192;

/**
 * The parameters of a token or revocation request (RFC 6749 §3.2, RFC 7009 §2.1): form-encoded
 * only, each at most once, empty values treated as absent (RFC 6749 §3.1). Any other media type
 * is refused, so a cross-site `text/plain` or JSON post cannot reach the endpoint (the class of
 * FastAPI's CVE-2021-32677).
 */
export class TokenRequestParameters {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  static read(request: FormRequest): TokenRequestParameters {
    const contentType = readHeader(request, 'content-type');
    const mediaType = contentType?.split(';', 1)[0].trim().toLowerCase();
    if (mediaType !== FORM) {
      throw new OAuthError('invalid_request', `The request body must be ${FORM}`);
    }
    const values = new Map<string, string>();
    const body = request.body;
    if (body === undefined || body === null) return new TokenRequestParameters(values);
    if (typeof body !== 'object') throw new OAuthError('invalid_request', 'The request body could not be read');
    for (const name of Object.keys(body)) {
      const value: unknown = (body as Record<string, unknown>)[name];
      if (Array.isArray(value)) throw new OAuthError('invalid_request', `The parameter "${printable(name)}" is repeated`);
      if (typeof value !== 'string') throw new OAuthError('invalid_request', `The parameter "${printable(name)}" is malformed`);
      if (value.length > MAX_VALUE_LENGTH) throw new OAuthError('invalid_request', `The parameter "${printable(name)}" is too long`);
      if (value.length > 0) values.set(name, value);
    }
    return new TokenRequestParameters(values);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** The value, or `invalid_request` naming the missing parameter. */
  require(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw new OAuthError('invalid_request', `The "${name}" parameter is required`);
    return value;
  }
}

/** A parameter name for an error description: short, printable, no quotes. */
function printable(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]|["\\]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}
