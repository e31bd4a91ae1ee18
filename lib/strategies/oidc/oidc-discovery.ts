import { AuthConfigurationError } from '../../errors/configuration.error.js';

/** The parts of an OpenID Provider's metadata (OpenID Connect Discovery 1.0 §3) we rely on. */
export interface OidcProviderMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly [key: string]: unknown;
}

/** Discovery failed for a reason worth logging (the provider, the network, or its answer). */
export class OidcDiscoveryError extends Error {
  override readonly name = 'OidcDiscoveryError';
  readonly code = 'oidc_discovery_failed';
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_DOCUMENT_BYTES = 512 * 1024;

/** `https:` everywhere; `http:` only on loopback, for development and tests. */
export function isAcceptableProviderUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

/** Validates the configured issuer at boot and returns its discovery URL (Discovery §4.1). */
export function discoveryUrlFor(issuer: unknown): URL {
  let url: URL;
  try {
    url = new URL(issuer as string);
  } catch {
    throw AuthConfigurationError.create(
      `oidc.issuer ${JSON.stringify(issuer)} is not a URL.`,
      'Set it to the issuer identifier of your provider, e.g. "https://sso.example.com/realms/acme".',
    );
  }
  if (!isAcceptableProviderUrl(url)) {
    throw AuthConfigurationError.create(`oidc.issuer ${url.href} is not https.`, 'OpenID providers are reached over https (http only on localhost).');
  }
  if (url.search || url.hash || url.username || url.password) {
    throw AuthConfigurationError.create(
      `oidc.issuer ${JSON.stringify(issuer)} has a query, fragment or credentials.`,
      'An issuer identifier is a plain https URL (OpenID Connect Discovery §2).',
    );
  }
  return new URL(`${(issuer as string).replace(/\/$/, '')}/.well-known/openid-configuration`);
}

/**
 * Fetches and checks the provider's metadata: the `issuer` in it must equal the configured one
 * exactly (Discovery §4.3), `jwks_uri` must be an https URL. Throws `OidcDiscoveryError`.
 */
export async function fetchProviderMetadata(
  issuer: string,
  discoveryUrl: URL,
  options: { readonly timeoutMs: number; readonly signal: AbortSignal },
): Promise<OidcProviderMetadata> {
  let body: string;
  try {
    const response = await fetch(discoveryUrl, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new OidcDiscoveryError(`answered HTTP ${response.status}`);
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_DOCUMENT_BYTES) {
      await response.body?.cancel();
      throw new OidcDiscoveryError(`sent ${length} bytes, more than a discovery document needs`);
    }
    body = await response.text();
  } catch (error) {
    if (error instanceof OidcDiscoveryError) throw error;
    const reason = (error as Error)?.name === 'TimeoutError' ? `timed out after ${options.timeoutMs} ms` : describeFetchError(error);
    throw new OidcDiscoveryError(reason, { cause: error });
  }
  if (body.length > MAX_DOCUMENT_BYTES) throw new OidcDiscoveryError('sent more than a discovery document needs');
  let metadata: unknown;
  try {
    metadata = JSON.parse(body);
  } catch (cause) {
    throw new OidcDiscoveryError('did not answer JSON', { cause });
  }
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new OidcDiscoveryError('did not answer a JSON object');
  }
  const { issuer: announced, jwks_uri: jwksUri } = metadata as Record<string, unknown>;
  if (announced !== issuer) {
    throw new OidcDiscoveryError(`announces the issuer ${JSON.stringify(announced)}, not the configured ${JSON.stringify(issuer)}`);
  }
  if (typeof jwksUri !== 'string') throw new OidcDiscoveryError('has no jwks_uri');
  let jwks: URL;
  try {
    jwks = new URL(jwksUri);
  } catch {
    throw new OidcDiscoveryError(`has a jwks_uri that is not a URL`);
  }
  if (!isAcceptableProviderUrl(jwks)) throw new OidcDiscoveryError(`has a jwks_uri that is not https (${jwks.origin})`);
  return metadata as OidcProviderMetadata;
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return `could not be reached (${cause.code})`;
  return `could not be reached (${(error as Error)?.message ?? String(error)})`;
}
