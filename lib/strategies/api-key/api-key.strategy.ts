import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import { Clock } from '../../clock/clock.js';
import { AuthError } from '../../errors/auth.error.js';
import { formatChallenge } from '../../errors/challenge.js';
import { AuthConfigurationError } from '../../errors/configuration.error.js';
import { type AuthRequest, readCookie } from '../../request/auth-request.js';
import type { Principal } from '../../principal/principal.js';
import type { MaybePromise } from '../../utils/maybe-promise.js';
import { AuthStrategy, type SecuritySchemeDescription } from '../auth-strategy.js';
import { StrategyGroup } from '../strategy-tokens.js';
import { ApiKeySettings } from './api-key-settings.js';
import { digestApiKey, parseApiKeyHash } from './api-key-hash.js';
import type { ApiKeyRecord, ApiKeyStrategyOptions } from './api-key.options.js';
import { type ApiKeyIdentity, ApiKeyValidator } from './api-key.validator.js';
import { findAppProvider } from '../../di/find-app-provider.js';

/** RFC 9110 §5.6.2 `token`: what a header, query or cookie name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Keys are visible ASCII; anything else cannot be a key we issued. */
const KEY_SYNTAX = /^[\x21-\x7e]+$/;
/** The key was sent but cannot be used as one (duplicated query parameter, an object). */
const UNUSABLE = Symbol('unusable');

interface Location {
  readonly in: 'header' | 'query' | 'cookie';
  /** As configured (for the challenge and OpenAPI). */
  readonly name: string;
  /** Header names are looked up lower-cased. */
  readonly lookup: string;
}

interface CompiledRecord {
  readonly digest: Buffer;
  readonly identity: ApiKeyIdentity;
}

const toMillis = (value: number | Date | undefined): number | undefined =>
  value instanceof Date ? value.getTime() : value;

/**
 * API keys in a header, a query parameter or a cookie (one location per strategy), named
 * `api-key` by default. Keys come from a configured list of SHA-256 hashes, compared in constant
 * time, or from your `ApiKeyValidator`. Each key maps to its own principal (roles, scopes,
 * permissions). The key never appears in a log, an error or a response.
 *
 * `forRoot({ apiKeys: [a, b] })`: `a` is this provider; `b` becomes a sibling strategy under its
 * own name, made from this one when the module starts.
 *
 * 401 challenge (a scheme of ours; RFC 9110 §11.6.1 allows any): `ApiKey realm="...", in="header", name="X-API-Key"`.
 */
@Injectable()
export class ApiKeyStrategy extends AuthStrategy implements OnModuleInit {
  static readonly strategyName = 'api-key';

  protected settings: ApiKeyStrategyOptions | undefined;
  private location!: Location;
  private maxKeyLength = 256;
  /** Configured keys by the base64url of their SHA-256 digest. */
  private records: ReadonlyMap<string, CompiledRecord> | undefined;
  private validator: ApiKeyValidator | undefined;

  @Inject(ModuleRef) private moduleRef!: ModuleRef;
  @Inject(Clock) protected clock!: Clock;

  /** Nest injects the `apiKeys` section (this strategy takes its first entry); the collaborators are properties. @internal */
  constructor(@Inject(ApiKeySettings) settings: ApiKeySettings) {
    super();
    this.settings = settings.entries[0];
  }

  get name(): string {
    return this.settings?.name ?? ApiKeyStrategy.strategyName;
  }

  override get enabled(): boolean {
    return this.settings !== undefined;
  }

  onModuleInit(): void {
    if (this.settings) this.compile(this.settings);
  }

  /**
   * The strategy of a further `apiKeys` entry, with this one's collaborators.
   * @internal
   */
  sibling(entry: ApiKeyStrategyOptions): ApiKeyStrategy {
    const strategy = new ApiKeyStrategy(new ApiKeySettings(entry));
    strategy.moduleRef = this.moduleRef;
    strategy.clock = this.clock;
    strategy.onModuleInit();
    return strategy;
  }

  authenticate(request: AuthRequest): MaybePromise<Principal | null> {
    const key = this.read(request);
    if (key === undefined) return null;
    if (key === UNUSABLE || key.length > this.maxKeyLength || !KEY_SYNTAX.test(key)) throw this.invalid();
    if (this.records) return this.principal(this.lookup(key));
    return this.viaValidator(key, request);
  }

  override challenge(realm: string, error?: AuthError): string {
    return formatChallenge('ApiKey', [
      ['realm', realm],
      ['in', this.location.in],
      ['name', this.location.name],
      ['error', error ? 'invalid_key' : undefined],
    ]);
  }

  override securityScheme(): SecuritySchemeDescription {
    return { type: 'apiKey', in: this.location.in, name: this.location.name, description: this.settings?.description };
  }

  /** Identity → principal. Override to add fields. */
  protected toPrincipal(identity: ApiKeyIdentity): Principal {
    return {
      id: identity.id,
      username: identity.username,
      roles: identity.roles ?? [],
      scopes: identity.scopes ?? [],
      permissions: identity.permissions ?? [],
      strategy: this.name,
      expiresAt: toMillis(identity.expiresAt),
    };
  }

  private read(request: AuthRequest): string | typeof UNUSABLE | undefined {
    switch (this.location.in) {
      case 'header': {
        const value = request.headers[this.location.lookup];
        return Array.isArray(value) ? UNUSABLE : value;
      }
      case 'query': {
        const value = (request.query as Record<string, unknown> | undefined)?.[this.location.lookup];
        if (value === undefined) return undefined;
        return typeof value === 'string' ? value : UNUSABLE;
      }
      case 'cookie':
        return readCookie(request, this.location.lookup);
    }
  }

  /**
   * Hashes the key once and looks the digest up: O(1) in the number of keys. The lookup's timing
   * depends on the SHA-256 digest of what the client sent, which tells nothing about any stored
   * key (finding a key from digest comparisons means inverting SHA-256); the found record is then
   * compared in constant time, so a hash-table collision can never match another key.
   */
  private lookup(key: string): ApiKeyIdentity | null {
    const digest = digestApiKey(key);
    const record = this.records!.get(digest.toString('base64url'));
    return record && timingSafeEqual(digest, record.digest) ? record.identity : null;
  }

  /** The app's lookup; if it fails (database down), deny with 503 and log the cause, never 500. */
  private async viaValidator(key: string, request: AuthRequest): Promise<Principal> {
    let identity: ApiKeyIdentity | null;
    try {
      identity = await this.validator!.validate(key, request);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw new AuthError('unavailable', { description: 'API keys cannot be checked right now', cause: error, strategy: this.name });
    }
    return this.principal(identity);
  }

  private principal(identity: ApiKeyIdentity | null | undefined): Principal {
    if (!identity) throw this.invalid();
    if (typeof identity.id !== 'string' || !identity.id) {
      throw new TypeError(`nest-warden: the API key validator of "${this.name}" returned an identity without an id.`);
    }
    const expiresAt = toMillis(identity.expiresAt);
    if (expiresAt !== undefined && !(this.clock.now() < expiresAt)) {
      throw new AuthError('invalid_credentials', { description: 'The API key expired', strategy: this.name });
    }
    return this.toPrincipal(identity);
  }

  private invalid(): AuthError {
    return new AuthError('invalid_credentials', { description: 'Invalid API key', strategy: this.name });
  }

  private compile(settings: ApiKeyStrategyOptions): void {
    const where = `apiKeys "${this.name}"`;
    this.location = this.compileLocation(settings, where);
    const max = settings.maxKeyLength ?? 256;
    if (!Number.isSafeInteger(max) || max < 16) {
      throw AuthConfigurationError.create(`${where}: maxKeyLength must be an integer of at least 16.`, 'Leave it unset for 256.');
    }
    this.maxKeyLength = max;
    if (settings.keys !== undefined && settings.validator !== undefined) {
      throw AuthConfigurationError.create(
        `${where} has both \`keys\` and \`validator\`.`,
        'Use one source per strategy; add a second apiKeys entry (with its own name) for the other.',
      );
    }
    if (settings.keys !== undefined) {
      this.records = this.compileRecords(settings.keys, where);
      return;
    }
    const token = settings.validator ?? ApiKeyValidator;
    const validator: ApiKeyValidator | undefined = findAppProvider(this.moduleRef, token);
    if (!validator || typeof validator.validate !== 'function') {
      throw AuthConfigurationError.create(
        `${where} has no keys and ${token.name} is not a provider.`,
        `Set \`keys: [{ id, hash: hashApiKey(key) }]\`, or provide ${token.name} in one of your modules ` +
          `({ provide: ApiKeyValidator, useClass: YourApiKeys }).`,
      );
    }
    this.validator = validator;
  }

  private compileLocation(settings: ApiKeyStrategyOptions, where: string): Location {
    const given = (['header', 'query', 'cookie'] as const).filter((place) => settings[place] !== undefined);
    if (given.length > 1) {
      throw AuthConfigurationError.create(
        `${where} names several locations (${given.join(', ')}).`,
        'One location per strategy: add another apiKeys entry for each further location.',
      );
    }
    const place = given[0] ?? 'header';
    const name = settings[place] ?? 'X-API-Key';
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      throw AuthConfigurationError.create(`${where}: ${place} name ${JSON.stringify(name)} is not a valid name.`, 'Use letters, digits and - _ . only.');
    }
    if (place === 'header' && ['authorization', 'cookie', 'proxy-authorization'].includes(name.toLowerCase())) {
      throw AuthConfigurationError.create(
        `${where} reads the ${name} header, which carries other credentials.`,
        'Use a header of its own, such as X-API-Key.',
      );
    }
    return { in: place, name, lookup: place === 'header' ? name.toLowerCase() : name };
  }

  private compileRecords(keys: readonly ApiKeyRecord[], where: string): ReadonlyMap<string, CompiledRecord> {
    if (!Array.isArray(keys)) throw AuthConfigurationError.create(`${where}: keys must be an array.`, 'Pass keys: [{ id, hash }].');
    const records = new Map<string, CompiledRecord>();
    keys.forEach((record, index) => {
      if (typeof record?.id !== 'string' || !record.id) {
        throw AuthConfigurationError.create(`${where}: keys[${index}] has no id.`, 'Give every key the id of the principal it stands for.');
      }
      const digest = parseApiKeyHash(record.hash);
      if (!digest) {
        throw AuthConfigurationError.create(
          `${where}: keys[${index}] (${record.id}) has no valid hash.`,
          'Store hashApiKey(key) ("sha256:" + base64url), never the key itself.',
        );
      }
      const lookup = digest.toString('base64url');
      if (records.has(lookup)) throw AuthConfigurationError.create(`${where}: keys[${index}] (${record.id}) repeats a hash.`, 'List each key once.');
      if (record.expiresAt !== undefined && !Number.isFinite(toMillis(record.expiresAt))) {
        throw AuthConfigurationError.create(`${where}: keys[${index}] (${record.id}) has an invalid expiresAt.`, 'Pass a Date or ms since the epoch.');
      }
      const { hash: _hash, ...identity } = record;
      records.set(lookup, { digest, identity: Object.freeze(identity) });
    });
    return records;
  }
}

/**
 * The API-key strategies of the `apiKeys` entries after the first, one per entry, each under its
 * own `name`: a group the strategy registry adds as it adds providers.
 */
@Injectable()
export class ApiKeyStrategies extends StrategyGroup {
  constructor(
    private readonly settings: ApiKeySettings,
    private readonly first: ApiKeyStrategy,
  ) {
    super();
  }

  strategies(): readonly AuthStrategy[] {
    const extra = this.settings.entries.slice(1);
    // A test double in the first one's place (`overrideProvider`) has no siblings to make.
    if (!extra.length || typeof this.first.sibling !== 'function') return [];
    return extra.map((entry) => this.first.sibling(entry));
  }
}
