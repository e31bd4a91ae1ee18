import { AuthConfigurationError } from '../errors/configuration.error.js';
import { FeatureSettings } from './feature-settings.js';
import type { ProtectedResourceOptions } from './protected-resource.options.js';

/** The well-known path of RFC 9728 §3. */
export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';

/** The `protectedResource` section, checked at boot. */
export interface ProtectedResourceConfig {
  readonly resource: string;
  readonly authorizationServers: readonly string[] | undefined;
  readonly scopesSupported: readonly string[] | undefined;
  readonly resourceDocumentation: string | undefined;
  readonly resourceName: string | undefined;
  /** The absolute URL of the document, as `resource_metadata` names it. */
  readonly metadataUrl: string;
  /** Its path, where the module serves it. */
  readonly metadataPath: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function httpUrl(name: string, value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) || url.hash) {
    throw AuthConfigurationError.create(
      `protectedResource.${name} ${JSON.stringify(value)} is not an https URL without a fragment.`,
      'Use e.g. "https://api.example.com" (http only for localhost and 127.0.0.1).',
    );
  }
  return url;
}

/** RFC 9728 protected resource metadata settings; off without a `protectedResource` section. */
export class ProtectedResourceSettings extends FeatureSettings<ProtectedResourceConfig> {
  constructor(options: ProtectedResourceOptions | undefined) {
    super(options === undefined ? undefined : compile(options), {
      problem: 'the protected resource metadata endpoint is mounted but not configured.',
      fix: 'Add protectedResource: { resource: "https://api.example.com" } to AuthModule.forRoot().',
    });
  }

  /** The `resource_metadata` challenge parameter, when configured. */
  get metadataUrl(): string | undefined {
    return this.config?.metadataUrl;
  }
}

function compile(options: ProtectedResourceOptions): ProtectedResourceConfig {
  if (options === null || typeof options !== 'object') {
    throw AuthConfigurationError.create('protectedResource must be an object.', 'Pass e.g. protectedResource: { resource: "https://api.example.com" }.');
  }
  const resource = httpUrl('resource', options.resource);
  if (resource.search) {
    throw AuthConfigurationError.create('protectedResource.resource has a query.', 'RFC 9728 §1.2: give the resource URL without query or fragment.');
  }
  const path = resource.pathname === '/' ? '' : resource.pathname.replace(/\/$/, '');
  const metadata = options.metadataUrl === undefined ? new URL(PROTECTED_RESOURCE_PATH + path, resource.origin) : httpUrl('metadataUrl', options.metadataUrl);
  const list = (name: string, value: readonly string[] | undefined) => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string' || !entry)) {
      throw AuthConfigurationError.create(`protectedResource.${name} is not a list of strings.`, `Pass e.g. ${name}: ["…"], or leave it out.`);
    }
    return Object.freeze([...new Set(value)]);
  };
  const authorizationServers = list('authorizationServers', options.authorizationServers);
  for (const issuer of authorizationServers ?? []) httpUrl('authorizationServers', issuer);
  return Object.freeze({
    // RFC 9728 §3.3: the document's `resource` is exactly the identifier configured.
    resource: options.resource,
    authorizationServers,
    scopesSupported: list('scopesSupported', options.scopesSupported),
    resourceDocumentation: options.resourceDocumentation === undefined ? undefined : httpUrl('resourceDocumentation', options.resourceDocumentation).href,
    resourceName: options.resourceName,
    metadataUrl: metadata.href,
    metadataPath: metadata.pathname,
  });
}
