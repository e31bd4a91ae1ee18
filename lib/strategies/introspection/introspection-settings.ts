import { AuthConfigurationError } from '../../errors/configuration.error.js';
import { FeatureSettings } from '../../settings/feature-settings.js';
import { checkMode } from '../dpop/dpop-settings.js';
import { JWT_ALGORITHMS, type JwtAlgorithm } from '../jwt/jwt.options.js';
import { discoveryUrlFor, isAcceptableProviderUrl } from '../oidc/oidc-discovery.js';
import type { IntrospectionStrategyOptions } from './introspection.options.js';

/** The `introspection` options checked at boot, defaults applied. */
export interface IntrospectionConfig {
  readonly issuer: string | undefined;
  readonly discoveryUrl: URL | undefined;
  readonly endpoint: URL | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientAuthentication: 'client_secret_basic' | 'client_secret_post';
  readonly audience: readonly string[] | undefined;
  readonly jwtResponse: boolean;
  readonly jwtAlgorithms: readonly JwtAlgorithm[];
  readonly cacheMaxAgeMs: number;
  readonly cacheMaxEntries: number;
  readonly timeoutMs: number;
  readonly options: IntrospectionStrategyOptions;
}

function fail(problem: string, fix: string): never {
  throw AuthConfigurationError.create(`introspection.${problem}`, fix);
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${name} ${JSON.stringify(value)} is not a number ≥ 0.`, `Leave it out for ${fallback}.`);
  return value;
}

export function compileIntrospectionConfig(options: IntrospectionStrategyOptions): IntrospectionConfig {
  if (options === null || typeof options !== 'object') fail('must be an object.', 'Pass e.g. introspection: { issuer, clientId, clientSecret, audience }.');
  if (options.issuer === undefined && options.endpoint === undefined) {
    fail('needs issuer or endpoint.', 'Give the authorization server: issuer (its discovery document names the endpoint) or endpoint.');
  }
  let endpoint: URL | undefined;
  if (options.endpoint !== undefined) {
    try {
      endpoint = new URL(options.endpoint);
    } catch {
      endpoint = undefined;
    }
    if (!endpoint || !isAcceptableProviderUrl(endpoint)) fail(`endpoint ${JSON.stringify(options.endpoint)} is not https.`, 'Use the https URL of the introspection endpoint (http only on localhost).');
  }
  if (typeof options.clientId !== 'string' || !options.clientId || typeof options.clientSecret !== 'string' || !options.clientSecret) {
    fail('clientId and clientSecret are required.', 'Register this API as a confidential client of the authorization server and give its credentials.');
  }
  const auth = options.clientAuthentication ?? 'client_secret_basic';
  if (auth !== 'client_secret_basic' && auth !== 'client_secret_post') fail(`clientAuthentication ${JSON.stringify(auth)} is not supported.`, "Use 'client_secret_basic' or 'client_secret_post'.");
  const jwtResponse = options.jwtResponse ?? false;
  if (jwtResponse && options.issuer === undefined) fail('jwtResponse needs issuer.', 'Give issuer: its jwks_uri verifies the signed responses.');
  const jwtAlgorithms = options.jwtAlgorithms ?? ['ES256', 'RS256', 'PS256', 'EdDSA'];
  if (!Array.isArray(jwtAlgorithms) || !jwtAlgorithms.length || jwtAlgorithms.some((alg) => !JWT_ALGORITHMS.includes(alg) || alg.startsWith('HS'))) {
    fail(`jwtAlgorithms ${JSON.stringify(jwtAlgorithms)} is not a list of asymmetric algorithms.`, 'Use e.g. ["ES256", "RS256"].');
  }
  checkMode('introspection.dpop', options.dpop);
  const audience = options.audience === undefined ? undefined : typeof options.audience === 'string' ? [options.audience] : [...options.audience];
  return Object.freeze({
    issuer: options.issuer,
    discoveryUrl: options.issuer === undefined ? undefined : discoveryUrlFor(options.issuer),
    endpoint,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    clientAuthentication: auth,
    audience: audience ? Object.freeze(audience) : undefined,
    jwtResponse,
    jwtAlgorithms: Object.freeze([...jwtAlgorithms]),
    cacheMaxAgeMs: count('cache.maxAgeSeconds', options.cache?.maxAgeSeconds, 60) * 1000,
    cacheMaxEntries: count('cache.maxEntries', options.cache?.maxEntries, 10_000),
    timeoutMs: count('timeoutMs', options.timeoutMs, 5_000) || 5_000,
    options,
  });
}

/** The `introspection` section of the module options; the strategy is off without it. */
export class IntrospectionSettings extends FeatureSettings<IntrospectionConfig> {
  constructor(options: IntrospectionStrategyOptions | undefined) {
    super(options === undefined ? undefined : compileIntrospectionConfig(options), {
      problem: 'the introspection strategy is used but not configured.',
      fix: 'Add introspection: { issuer, clientId, clientSecret, audience } to AuthModule.forRoot().',
    });
  }
}
