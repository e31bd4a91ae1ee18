import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import type { JwtClaims } from '../jwt/jwt.options.js';
import { AuthError } from '../../errors/auth.error.js';
import type { Principal } from '../../principal/principal.js';
import type { MaybePromise } from '../../utils/maybe-promise.js';
import type { SecuritySchemeDescription } from '../auth-strategy.js';
import type { DpopMode } from '../dpop/dpop.options.js';
import { JwtStrategy } from '../jwt/jwt.strategy.js';
import { fetchProviderMetadata, type OidcProviderMetadata } from './oidc-discovery.js';
import { type OidcConfig, OidcSettings } from './oidc-settings.js';

/**
 * OpenID Connect bearer tokens, named `oidc`. Configured with the provider's issuer: the strategy
 * fetches `/.well-known/openid-configuration` (its `issuer` must match exactly), then verifies
 * tokens like `JwtStrategy` does, against the provider's `jwks_uri` (cached; an unknown `kid`
 * refetches at most once per cooldown, so rotated keys are picked up).
 *
 * The provider being down never fails the boot: until discovery succeeds, requests that need
 * this strategy are answered 503 with `Retry-After`, and discovery is retried at most once per
 * `discovery.retryMs`.
 */
@Injectable()
export class OidcStrategy extends JwtStrategy implements OnModuleDestroy {
  static override readonly byDefault = true;
  override readonly name: string = 'oidc';

  private readonly logger = new Logger('nest-warden');
  @Inject(OidcSettings) private readonly oidc!: OidcSettings;
  private metadata: OidcProviderMetadata | undefined;
  private pending: Promise<void> | undefined;
  private nextAttemptAt = Number.NEGATIVE_INFINITY;
  private readonly shutdown = new AbortController();

  override get enabled(): boolean {
    return this.oidc.enabled;
  }

  protected override dpopOption(): DpopMode | undefined {
    return this.oidc.config?.jwt.dpop;
  }

  private get settings(): OidcConfig {
    return this.oidc.require();
  }

  override get carriesScopes(): boolean {
    return true;
  }

  /** Checks the options (bad ones fail the boot) and starts discovery without waiting for it. */
  override onModuleInit(): void {
    if (!this.oidc.enabled) return;
    this.discover().catch(() => undefined); // logged in discover(); requests retry
  }

  onModuleDestroy(): void {
    this.shutdown.abort();
  }

  /** Waits for discovery (or fails with 503 while the provider is unreachable), then verifies. */
  protected override principalFor(token: string): MaybePromise<Principal> {
    const discovering = this.ready();
    return discovering ? discovering.then(() => super.principalFor(token)) : super.principalFor(token);
  }

  /** The provider's metadata once discovered (e.g. for a login page that needs its endpoints). */
  get providerMetadata(): OidcProviderMetadata | undefined {
    return this.metadata;
  }

  /**
   * The principal id is `sub` (Entra preset: `<tid>:<oid>`), never a claim the user or an admin can
   * change such as `preferred_username` or `email` (django-allauth CVE-2025-65431).
   */
  protected override toPrincipal(claims: JwtClaims): Principal {
    this.checkClaims(claims);
    let principal = super.toPrincipal(claims);
    if (this.settings.principalId === 'tid+oid') {
      const { tid, oid } = claims;
      if (typeof tid !== 'string' || !tid || typeof oid !== 'string' || !oid) throw this.invalid('The token has no tid or oid claim');
      principal = { ...principal, id: `${tid}:${oid}` };
    }
    const clientRoles = this.clientRoles(claims);
    return clientRoles.length ? { ...principal, roles: [...new Set([...principal.roles, ...clientRoles])] } : principal;
  }

  override securityScheme(): SecuritySchemeDescription {
    const settings = this.settings;
    const dpop = this.dpopMode && (super.securityScheme() as { description?: string }).description;
    const description = [settings.description, dpop].filter(Boolean).join(' ') || undefined;
    return { type: 'openIdConnect', openIdConnectUrl: settings.discoveryUrl.href, description };
  }

  /** Checks beyond jose's `iss`/`aud`/`typ`/`exp`: who the token was issued to, and what kind it is. */
  private checkClaims(claims: JWTPayload): void {
    const { tokenType, payloadTyp, authorizedParties, clientId } = this.settings;
    if (payloadTyp !== undefined && claims.typ !== payloadTyp) {
      throw this.invalid(tokenType === 'id_token' ? 'The token is not an ID token' : 'The token is not an access token');
    }
    const azp = typeof claims.azp === 'string' ? claims.azp : undefined;
    if (tokenType === 'access_token') {
      if (!authorizedParties) return;
      const party = azp ?? (typeof claims.client_id === 'string' ? claims.client_id : undefined);
      if (party === undefined || !authorizedParties.includes(party)) throw this.invalid('The access token was issued to another client');
      return;
    }
    // OpenID Connect Core §3.1.3.7 (6), (7): several audiences need an azp, and azp must be us.
    if (azp !== undefined ? azp !== clientId : Array.isArray(claims.aud) && claims.aud.length > 1) {
      throw this.invalid('The ID token was issued to another client');
    }
  }

  private clientRoles(claims: JWTPayload): string[] {
    const roles: string[] = [];
    const access = claims.resource_access;
    if (access === null || typeof access !== 'object') return roles;
    for (const client of this.settings.clientRoles) {
      if (!Object.hasOwn(access, client)) continue;
      const entry = (access as Record<string, unknown>)[client];
      const list = entry !== null && typeof entry === 'object' && Object.hasOwn(entry, 'roles') ? (entry as { roles: unknown }).roles : undefined;
      if (Array.isArray(list)) for (const role of list) if (typeof role === 'string' && role) roles.push(role);
    }
    return roles;
  }

  private ready(): Promise<void> | undefined {
    if (this.metadata) return undefined;
    if (this.pending) return this.pending;
    const wait = this.nextAttemptAt - this.clock.now();
    if (wait > 0) throw this.unavailable(wait);
    return this.discover();
  }

  /** One discovery attempt; concurrent requests share it, and the next one waits `retryMs`. */
  private discover(): Promise<void> {
    const { issuer, discoveryUrl, retryMs, timeoutMs } = this.settings;
    this.nextAttemptAt = this.clock.now() + retryMs;
    const attempt = fetchProviderMetadata(issuer, discoveryUrl, { timeoutMs, signal: this.shutdown.signal })
      .then(
        (metadata) => {
          this.configure({ ...this.settings.jwt, jwksUri: metadata.jwks_uri });
          this.metadata = metadata;
          this.logger.log(`OpenID provider ${issuer} discovered; keys from ${metadata.jwks_uri}`);
        },
        (error: unknown) => {
          if (!this.shutdown.signal.aborted) {
            this.logger.error(
              `OpenID provider discovery at ${discoveryUrl.href} failed: it ${(error as Error).message}. ` +
                `Routes using "${this.name}" answer 503 until it succeeds; next attempt in ${Math.ceil(retryMs / 1000)} s or later.`,
            );
          }
          throw this.unavailable(retryMs, error);
        },
      )
      .finally(() => {
        this.pending = undefined;
      });
    this.pending = attempt;
    return attempt;
  }

  private unavailable(retryInMs: number, cause?: unknown): AuthError {
    return new AuthError('unavailable', {
      description: 'The identity provider is temporarily unavailable',
      cause,
      strategy: this.name,
      retryAfterSeconds: retryInMs / 1000,
    });
  }
}
