import { checkMode } from '../dpop/dpop-settings.js';
import { AuthConfigurationError } from '../../errors/configuration.error.js';
import { JWT_ALGORITHMS, type ClaimMappingOptions, type JwtAlgorithm, type JwtStrategyOptions } from '../jwt/jwt.options.js';
import { discoveryUrlFor } from './oidc-discovery.js';
import type { OidcClaimPreset, OidcStrategyOptions } from './oidc.options.js';
import { FeatureSettings } from '../../settings/feature-settings.js';

/** Every asymmetric algorithm nest-warden verifies; an OpenID provider's keys are public keys. */
const ASYMMETRIC: readonly JwtAlgorithm[] = JWT_ALGORITHMS.filter((alg) => !alg.startsWith('HS'));

interface Preset {
  readonly claims: ClaimMappingOptions;
  /** Header `typ` checked by default (access tokens); `false`: the provider writes a generic one. */
  readonly accessTokenTyp: string | false;
  /** The payload's own `typ` claim, for providers that type tokens there (Keycloak). */
  readonly payloadTyp?: { readonly access_token: string; readonly id_token: string };
  readonly clientRoles: boolean;
  /**
   * Where the principal id comes from: `sub` (unique and never reassigned per issuer, OIDC Core §5.7),
   * or Entra's `tid` + `oid` (the object id in its tenant). Never a mutable claim such as
   * `preferred_username` or `email` (django-allauth CVE-2025-65431).
   */
  readonly principalId?: 'sub' | 'tid+oid';
}

const PRESETS: Readonly<Record<OidcClaimPreset, Preset>> = {
  standard: { claims: {}, accessTokenTyp: 'at+jwt', clientRoles: false },
  keycloak: {
    claims: { roles: ['realm_access.roles'], scopes: ['scope'], username: ['preferred_username'] },
    accessTokenTyp: false,
    payloadTyp: { access_token: 'Bearer', id_token: 'ID' },
    clientRoles: true,
  },
  entra: {
    claims: { roles: ['roles'], scopes: ['scp'], username: ['preferred_username', 'upn'] },
    accessTokenTyp: false,
    clientRoles: false,
    principalId: 'tid+oid',
  },
};

/** The `oidc` options checked once at boot, with every default applied. */
export interface OidcConfig {
  readonly issuer: string;
  readonly discoveryUrl: URL;
  readonly tokenType: 'access_token' | 'id_token';
  readonly authorizedParties: readonly string[] | undefined;
  readonly clientId: string | undefined;
  /** Keycloak: `resource_access.<client>.roles` read for these clients. */
  readonly clientRoles: readonly string[];
  readonly payloadTyp: string | undefined;
  /** `sub`, or `tid+oid` (Entra): `<tid>:<oid>`. */
  readonly principalId: 'sub' | 'tid+oid';
  readonly timeoutMs: number;
  readonly retryMs: number;
  /** What `JwtStrategy.configure` gets once `jwks_uri` is known. */
  readonly jwt: Omit<JwtStrategyOptions, 'jwksUri'>;
  /** Description of the scheme in the OpenAPI document. */
  readonly description: string | undefined;
}

const list = (value: string | readonly string[] | undefined): readonly string[] | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? [value] : value;

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw AuthConfigurationError.create(`oidc.${name} must be a positive number, got ${String(value)}.`, `Leave it unset for ${fallback}.`);
  }
  return value;
}

export function compileOidcConfig(options: OidcStrategyOptions): OidcConfig {
  const discoveryUrl = discoveryUrlFor(options.issuer);
  const tokenType = options.tokenType ?? 'access_token';
  if (tokenType !== 'access_token' && tokenType !== 'id_token') {
    throw AuthConfigurationError.create(`oidc.tokenType ${JSON.stringify(tokenType)} is unknown.`, 'Use "access_token" or "id_token".');
  }
  const presetName = options.preset ?? 'standard';
  const preset = PRESETS[presetName];
  if (!preset) {
    throw AuthConfigurationError.create(`oidc.preset ${JSON.stringify(presetName)} is unknown.`, `Use one of ${Object.keys(PRESETS).join(', ')}.`);
  }
  const audience = list(options.audience);
  const authorizedParties = options.authorizedParties;
  const clientId = options.clientId;
  if (clientId !== undefined && (typeof clientId !== 'string' || !clientId)) {
    throw AuthConfigurationError.create('oidc.clientId must be a non-empty string.', 'Set it to your client id at the provider.');
  }
  if (tokenType === 'id_token' && !clientId) {
    throw AuthConfigurationError.create(
      'oidc.tokenType is "id_token" but oidc.clientId is not set.',
      'ID tokens are checked against the client they were issued to: set clientId.',
    );
  }
  // RFC 9068 §4, RFC 8725 §3.9: an access token's `aud` is always checked. `authorizedParties`
  // says which client asked, not which API the token is for: with it alone, a token the same client
  // obtained for another API of the provider would be accepted here (Zitadel CVE-2026-55669).
  if (tokenType === 'access_token' && !audience?.length) {
    throw AuthConfigurationError.create(
      authorizedParties?.length
        ? 'oidc has `authorizedParties` but no `audience`, so access tokens the provider issued to those clients for any of its APIs would be accepted.'
        : 'oidc has no `audience`, so access tokens the provider issued to any client for any API would be accepted.',
      'Set audience to the aud your API expects (its resource indicator, Keycloak audience or Entra application ID URI); keep authorizedParties to also limit the calling clients.',
    );
  }
  if (audience !== undefined && audience.some((value) => typeof value !== 'string' || !value)) {
    throw AuthConfigurationError.create('oidc.audience contains an empty value.', 'List the non-empty aud values your API expects.');
  }
  const algorithms = options.algorithms ?? ASYMMETRIC;
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw AuthConfigurationError.create('oidc.algorithms is empty.', 'Leave it unset to accept every asymmetric algorithm, or list some.');
  }
  for (const alg of algorithms) {
    if (!ASYMMETRIC.includes(alg)) {
      throw AuthConfigurationError.create(
        `oidc.algorithms contains ${JSON.stringify(alg)}.`,
        `OpenID providers sign with public keys: use some of ${ASYMMETRIC.join(', ')}.`,
      );
    }
  }
  const typ = options.typ !== undefined ? options.typ : tokenType === 'access_token' ? preset.accessTokenTyp : false;
  const discovery = options.discovery ?? {};
  const requiredClaims = tokenType === 'id_token' ? ['iat', ...(options.requiredClaims ?? [])] : options.requiredClaims;
  return Object.freeze({
    issuer: options.issuer,
    discoveryUrl,
    tokenType,
    authorizedParties: authorizedParties ? Object.freeze([...authorizedParties]) : undefined,
    clientId,
    clientRoles: preset.clientRoles ? Object.freeze([...(options.clientRoles ?? (clientId ? [clientId] : []))]) : [],
    payloadTyp: preset.payloadTyp?.[tokenType],
    principalId: preset.principalId ?? 'sub',
    timeoutMs: positive(discovery.timeoutMs, 5_000, 'discovery.timeoutMs'),
    retryMs: positive(discovery.retryMs, 30_000, 'discovery.retryMs'),
    jwt: {
      algorithms,
      issuer: options.issuer,
      audience: tokenType === 'id_token' ? clientId : audience,
      typ,
      clockToleranceSeconds: options.clockToleranceSeconds,
      requiredClaims,
      maxTokenLength: options.maxTokenLength,
      cacheSize: options.cacheSize,
      claims: { ...preset.claims, ...options.claims },
      remoteJwks: options.remoteJwks,
      dpop: checkMode('oidc.dpop', options.dpop),
    },
    description: options.description,
  });
}

/** The `oidc` section of the module options, checked at boot; the OpenID Connect strategy is off without it. */
export class OidcSettings extends FeatureSettings<OidcConfig> {
  constructor(options: OidcStrategyOptions | undefined) {
    super(options === undefined ? undefined : compileOidcConfig(options), {
      problem: 'the oidc strategy is used but not configured.',
      fix: 'Add oidc: { issuer, audience } to AuthModule.forRoot().',
    });
  }
}
