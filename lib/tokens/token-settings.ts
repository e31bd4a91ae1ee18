import type { UserAccount } from '../users/user-directory.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { parseSecretHash } from './client-secret.js';
import { isScopeToken } from './scopes.js';
import type { JWK } from 'jose';
import type { ClientAuthMethod, TokenGrantType, TokenOptions, TokenSigningOptions } from './tokens.options.js';

/** A client after validation. */
export interface TokenClient {
  readonly id: string;
  /** SHA-256 of the secret; `undefined` for a public client. */
  readonly secretDigest: Buffer | undefined;
  /** Grants the client may use; `undefined`: every grant the endpoint has. */
  readonly grantTypes: ReadonlySet<TokenGrantType> | undefined;
  readonly scopes: ReadonlySet<string> | undefined;
  /** Public keys for `private_key_jwt`; `undefined` when the client does not use it. */
  readonly jwks: { readonly keys: readonly JWK[] } | undefined;
  /** Registered redirect URIs, matched exactly. */
  readonly redirectUris: readonly string[];
  readonly consent: boolean;
  /** How the client authenticates (`none` for a public client). */
  readonly authMethods: readonly ClientAuthMethod[];
}

/** A confidential client: it has a secret or keys, and every request of it was authenticated with them. */
export function isConfidential(client: TokenClient): boolean {
  return client.secretDigest !== undefined || client.jwks !== undefined;
}

const DAY = 24 * 60 * 60;

/** Whether `client` may use the grant `grantType` (RFC 6749 §5.2 `unauthorized_client` otherwise). */
export function mayUseGrant(client: TokenClient, grantType: string): boolean {
  return client.grantTypes === undefined || client.grantTypes.has(grantType);
}

/**
 * The `tokens` section of the module options after validation, with defaults applied; `configured`
 * is `false` when the section is absent. Bad values fail at boot with the fix in the message.
 * Grant names are checked against the registered grants when the module starts (`TokenGrants`).
 */
export class TokenSettings {
  readonly configured: boolean;
  readonly issuer: string = '';
  readonly audience: string | readonly string[] = '';
  readonly accessTtlMs: number = 0;
  /** 0: no refresh tokens. */
  readonly refreshTtlMs: number = 0;
  readonly refreshMaxLifetimeMs: number = 0;
  readonly signing: TokenSigningOptions = {};
  readonly clients: ReadonlyMap<string, TokenClient> = new Map();
  readonly defaultClient: TokenClient | undefined;
  readonly knownScopes: ReadonlySet<string> | undefined;
  /** `tokens.scopes` as configured: scope → description (empty when scopes are not declared). */
  readonly scopeDescriptions: Readonly<Record<string, string>> = {};
  readonly claims: ((account: UserAccount) => Readonly<Record<string, unknown>>) | undefined;
  /** `grant_type=password` is enabled (off by default: RFC 9700 §2.4). */
  readonly passwordGrant: boolean = false;
  readonly authorizationCodeTtlMs: number = 0;

  constructor(tokens: TokenOptions | undefined) {
    this.configured = tokens !== undefined;
    if (tokens === undefined) {
      Object.freeze(this);
      return;
    }
    if (tokens === null || typeof tokens !== 'object') {
      throw AuthConfigurationError.create('tokens must be an object.', 'Pass e.g. tokens: { issuer: "https://api.example.com" }.');
    }
    this.issuer = checkIssuer(tokens.issuer);
    this.audience = checkAudience(tokens.audience ?? this.issuer);
    this.accessTtlMs = seconds(tokens.accessTokenTtlSeconds, 900, 'accessTokenTtlSeconds', 1) * 1000;
    this.refreshTtlMs = seconds(tokens.refreshTokenTtlSeconds, 14 * DAY, 'refreshTokenTtlSeconds', 0) * 1000;
    this.refreshMaxLifetimeMs = seconds(tokens.refreshTokenMaxLifetimeSeconds, 30 * DAY, 'refreshTokenMaxLifetimeSeconds', 1) * 1000;
    this.signing = tokens.signing ?? {};
    if (this.signing === null || typeof this.signing !== 'object') {
      throw AuthConfigurationError.create('tokens.signing must be an object.', 'Use { secret }, { privateKey }, or {} for generated keys.');
    }
    this.knownScopes = tokens.scopes ? checkKnownScopes(tokens.scopes) : undefined;
    this.scopeDescriptions = Object.freeze({ ...tokens.scopes });
    this.clients = checkClients(tokens, this.knownScopes);
    this.defaultClient = pickDefaultClient(tokens, this.clients);
    if (tokens.claims !== undefined && typeof tokens.claims !== 'function') {
      throw AuthConfigurationError.create('tokens.claims must be a function.', 'Pass (account) => ({ ...extra claims }).');
    }
    this.claims = tokens.claims;
    if (tokens.passwordGrant !== undefined && typeof tokens.passwordGrant !== 'boolean') {
      throw AuthConfigurationError.create('tokens.passwordGrant must be true or false.', 'Leave it out (off) unless a first-party client still needs the password grant.');
    }
    this.passwordGrant = tokens.passwordGrant === true;
    this.authorizationCodeTtlMs = seconds(tokens.authorizationCodeTtlSeconds, 60, 'authorizationCodeTtlSeconds', 1) * 1000;
    Object.freeze(this);
  }

  /** The settings, or a boot error naming the feature that needs them. */
  require(feature: string): this {
    if (!this.configured) {
      throw AuthConfigurationError.create(
        `${feature} needs the \`tokens\` options.`,
        'Add tokens: { issuer: "https://api.example.com" } to AuthModule.forRoot().',
      );
    }
    return this;
  }
}

function checkIssuer(issuer: unknown): string {
  if (typeof issuer !== 'string' || issuer.length === 0) {
    throw AuthConfigurationError.create(
      'tokens.issuer is required.',
      'Set it to the public base URL of your API, e.g. tokens: { issuer: "https://api.example.com" }.',
    );
  }
  return issuer;
}

function checkAudience(audience: unknown): string | readonly string[] {
  const list = typeof audience === 'string' ? [audience] : audience;
  if (!Array.isArray(list) || list.length === 0 || list.some((value) => typeof value !== 'string' || value.length === 0)) {
    throw AuthConfigurationError.create('tokens.audience must be a non-empty string or list of strings.', 'E.g. audience: "https://api.example.com".');
  }
  return typeof audience === 'string' ? audience : Object.freeze([...list]);
}

function seconds(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw AuthConfigurationError.create(`tokens.${name} must be a whole number of seconds ≥ ${min}, got ${String(value)}.`, 'Fix the value or leave it out for the default.');
  }
  return value;
}

function checkKnownScopes(scopes: Readonly<Record<string, string>>): ReadonlySet<string> {
  for (const scope of Object.keys(scopes)) {
    if (!isScopeToken(scope)) {
      throw AuthConfigurationError.create(
        `tokens.scopes has ${JSON.stringify(scope)}, which is not a valid scope (RFC 6749 §3.3).`,
        'Use printable ASCII without spaces, quotes or backslashes, e.g. "items:read".',
      );
    }
  }
  return new Set(Object.keys(scopes));
}

function checkClients(tokens: TokenOptions, knownScopes: ReadonlySet<string> | undefined): ReadonlyMap<string, TokenClient> {
  const configured = tokens.clients ?? [{ id: 'default' }];
  const clients = new Map<string, TokenClient>();
  for (const client of configured) {
    if (typeof client?.id !== 'string' || client.id.length === 0 || !/^[\x20-\x7e]+$/.test(client.id)) {
      throw AuthConfigurationError.create('every entry of tokens.clients needs an `id` of printable ASCII.', 'E.g. clients: [{ id: "web-app" }].');
    }
    if (clients.has(client.id)) {
      throw AuthConfigurationError.create(`tokens.clients lists "${client.id}" twice.`, 'Client ids must be unique.');
    }
    let secretDigest: Buffer | undefined;
    if (client.secretHash !== undefined) {
      secretDigest = parseSecretHash(client.secretHash);
      if (!secretDigest) {
        throw AuthConfigurationError.create(
          `tokens.clients "${client.id}" has a secretHash that is not a "sha256:..." value.`,
          'Store hashClientSecret(secret) from nest-warden, never the plain secret.',
        );
      }
    }
    if (client.grantTypes !== undefined && (!Array.isArray(client.grantTypes) || client.grantTypes.some((grant) => typeof grant !== 'string'))) {
      throw AuthConfigurationError.create(`tokens.clients "${client.id}" has grantTypes that are not a list of names.`, 'E.g. grantTypes: ["password", "refresh_token"].');
    }
    for (const scope of client.scopes ?? []) {
      if (!isScopeToken(scope) || (knownScopes && !knownScopes.has(scope))) {
        throw AuthConfigurationError.create(
          `tokens.clients "${client.id}" lists the scope ${JSON.stringify(scope)}, which ${knownScopes ? 'is not in tokens.scopes' : 'is not a valid scope'}.`,
          'Fix the scope or add it to tokens.scopes.',
        );
      }
    }
    const jwks = checkClientJwks(client.id, client.jwks);
    const redirectUris = checkRedirectUris(client.id, client.redirectUris);
    const authMethods: ClientAuthMethod[] = [];
    if (secretDigest) authMethods.push('client_secret_basic', 'client_secret_post');
    if (jwks) authMethods.push('private_key_jwt');
    if (!authMethods.length) authMethods.push('none');
    clients.set(client.id, Object.freeze({
      id: client.id,
      secretDigest,
      grantTypes: client.grantTypes ? new Set(client.grantTypes) : undefined,
      scopes: client.scopes ? new Set(client.scopes) : undefined,
      jwks,
      redirectUris,
      consent: client.consent === true,
      authMethods: Object.freeze(authMethods),
    }));
  }
  return clients;
}

function checkClientJwks(id: string, jwks: unknown): { readonly keys: readonly JWK[] } | undefined {
  if (jwks === undefined) return undefined;
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  const usable = Array.isArray(keys) && keys.length > 0 && keys.every((key) => key && typeof key === 'object' && typeof (key as JWK).kty === 'string' && (key as JWK).d === undefined && (key as JWK).k === undefined);
  if (!usable) {
    throw AuthConfigurationError.create(
      `tokens.clients "${id}" has jwks that is not a set of public keys.`,
      'Pass the client\'s public keys as { keys: [publicJwk, ...] } (never a private or symmetric key).',
    );
  }
  return Object.freeze({ keys: Object.freeze([...(keys as JWK[])]) });
}

function checkRedirectUris(id: string, uris: unknown): readonly string[] {
  if (uris === undefined) return Object.freeze([]);
  if (!Array.isArray(uris)) {
    throw AuthConfigurationError.create(`tokens.clients "${id}" has redirectUris that is not a list.`, 'E.g. redirectUris: ["https://app.example.com/callback"].');
  }
  for (const uri of uris) {
    let parsed: URL | undefined;
    try {
      parsed = typeof uri === 'string' ? new URL(uri) : undefined;
    } catch {
      parsed = undefined;
    }
    // RFC 6749 §3.1.2: absolute, no fragment. Native apps may use private schemes (RFC 8252 §7.1).
    if (!parsed || parsed.hash !== '' || (uri as string).includes('#')) {
      throw AuthConfigurationError.create(
        `tokens.clients "${id}" lists the redirect URI ${JSON.stringify(uri)}, which is not an absolute URI without a fragment.`,
        'Register the exact URI the client redirects to, e.g. "https://app.example.com/callback".',
      );
    }
  }
  return Object.freeze([...(uris as string[])]);
}

function pickDefaultClient(tokens: TokenOptions, clients: ReadonlyMap<string, TokenClient>): TokenClient | undefined {
  if (tokens.defaultClient === false) return undefined;
  if (tokens.defaultClient !== undefined) {
    const client = clients.get(tokens.defaultClient);
    if (!client || isConfidential(client)) {
      throw AuthConfigurationError.create(
        `tokens.defaultClient "${tokens.defaultClient}" is not a public client in tokens.clients.`,
        'Name a client without secretHash, or set defaultClient: false.',
      );
    }
    return client;
  }
  const publicClients = [...clients.values()].filter((client) => !isConfidential(client));
  return publicClients.length === 1 ? publicClients[0] : undefined;
}
