import type { UserAccount } from '../users/user-directory.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { parseSecretHash } from './client-secret.js';
import { isScopeToken } from './scopes.js';
import type { TokenGrantType, TokenOptions, TokenSigningOptions } from './tokens.options.js';

/** A client after validation. */
export interface TokenClient {
  readonly id: string;
  /** SHA-256 of the secret; `undefined` for a public client. */
  readonly secretDigest: Buffer | undefined;
  /** Grants the client may use; `undefined`: every grant the endpoint has. */
  readonly grantTypes: ReadonlySet<TokenGrantType> | undefined;
  readonly scopes: ReadonlySet<string> | undefined;
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
    clients.set(client.id, Object.freeze({
      id: client.id,
      secretDigest,
      grantTypes: client.grantTypes ? new Set(client.grantTypes) : undefined,
      scopes: client.scopes ? new Set(client.scopes) : undefined,
    }));
  }
  return clients;
}

function pickDefaultClient(tokens: TokenOptions, clients: ReadonlyMap<string, TokenClient>): TokenClient | undefined {
  if (tokens.defaultClient === false) return undefined;
  if (tokens.defaultClient !== undefined) {
    const client = clients.get(tokens.defaultClient);
    if (!client || client.secretDigest) {
      throw AuthConfigurationError.create(
        `tokens.defaultClient "${tokens.defaultClient}" is not a public client in tokens.clients.`,
        'Name a client without secretHash, or set defaultClient: false.',
      );
    }
    return client;
  }
  const publicClients = [...clients.values()].filter((client) => !client.secretDigest);
  return publicClients.length === 1 ? publicClients[0] : undefined;
}
