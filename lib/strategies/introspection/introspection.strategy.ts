import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { Clock } from '../../clock/clock.js';
import { bearerChallenge } from '../../errors/bearer-challenge.js';
import { dpopChallenge } from '../../errors/dpop-challenge.js';
import { AuthError } from '../../errors/auth.error.js';
import type { Principal } from '../../principal/principal.js';
import { type AuthRequest, parseAuthorizationHeader } from '../../request/auth-request.js';
import type { MaybePromise } from '../../utils/maybe-promise.js';
import { AuthStrategy, type SecuritySchemeDescription } from '../auth-strategy.js';
import { DpopProofVerifier } from '../dpop/dpop-proof-verifier.js';
import { DpopSettings } from '../dpop/dpop-settings.js';
import type { DpopMode } from '../dpop/dpop.options.js';
import { compileClaimMapping, type CompiledClaimMapping, readString, readStringList } from '../jwt/claim-mapping.js';
import { deepFreeze } from '../jwt/verified-token-cache.js';
import { fetchProviderMetadata, isAcceptableProviderUrl } from '../oidc/oidc-discovery.js';
import { type IntrospectionConfig, IntrospectionSettings } from './introspection-settings.js';

/** RFC 6750 §2.1 `b64token`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_TOKEN_LENGTH = 4096;
const MAX_RESPONSE_BYTES = 64 * 1024;
const JWT_RESPONSE = 'application/token-introspection+jwt';
const DISCOVERY_RETRY_MS = 5_000;

/** An RFC 7662 §2.2 response (the members nest-warden reads); extension members stay in `claims`. */
type IntrospectionResult = Record<string, unknown> & { active?: unknown };

interface CachedResult {
  readonly principal: Principal;
  readonly until: number;
}

/**
 * Opaque access tokens checked at the authorization server (RFC 7662), named `introspection`: a
 * client-authenticated POST of the token to the introspection endpoint (from the issuer's discovery
 * document, or configured), then `active`, `exp`, `iss`, `aud` and `token_type` checked here, and the
 * `scope` mapped to the principal. Signed responses (RFC 9701) on request.
 *
 * Active results are cached by the token's SHA-256 in a bounded map, never past the token's `exp`
 * and at most `cache.maxAgeSeconds` (a revoked token is accepted at most that long). When the server
 * cannot be reached, or answers with an error, the request is answered 503: it fails closed.
 */
@Injectable()
export class IntrospectionStrategy extends AuthStrategy implements OnModuleDestroy {
  static readonly strategyName = 'introspection';
  static override readonly byDefault = true;
  readonly name: string = IntrospectionStrategy.strategyName;

  private readonly logger = new Logger('nest-warden');
  private readonly cache = new Map<string, CachedResult>();
  private readonly shutdown = new AbortController();
  private endpoint: URL | undefined;
  private keys: JWTVerifyGetKey | undefined;
  private discovering: Promise<void> | undefined;
  private nextDiscoveryAt = Number.NEGATIVE_INFINITY;
  private mappingCache: CompiledClaimMapping | undefined;

  @Inject(IntrospectionSettings) private readonly introspection!: IntrospectionSettings;
  @Inject(DpopSettings) private readonly dpopSettings!: DpopSettings;
  @Inject(DpopProofVerifier) private readonly dpopVerifier!: DpopProofVerifier;
  @Inject(Clock) protected readonly clock!: Clock;

  override get enabled(): boolean {
    return this.introspection.enabled;
  }

  override get authorizationScheme(): string {
    return 'bearer';
  }

  override get carriesScopes(): boolean {
    return true;
  }

  override get dpopMode(): DpopMode | undefined {
    return this.introspection.config?.options.dpop ?? this.dpopSettings.mode;
  }

  private get config(): IntrospectionConfig {
    return this.introspection.require();
  }

  private get mapping(): CompiledClaimMapping {
    return (this.mappingCache ??= compileClaimMapping(this.config.options.claims));
  }

  onModuleDestroy(): void {
    this.shutdown.abort();
  }

  /** Cached active results (entries), for monitoring. */
  get cachedResults(): number {
    return this.cache.size;
  }

  authenticate(request: AuthRequest): MaybePromise<Principal | null> {
    const authorization = parseAuthorizationHeader(request);
    if (!authorization) return null;
    const dpop = authorization.scheme === 'dpop';
    if (authorization.scheme !== 'bearer' && !(dpop && this.dpopMode !== undefined)) return null;
    const token = authorization.credentials;
    if (!token || token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) {
      throw this.invalid('The access token is malformed', dpop);
    }
    const principal = this.principalFor(token, dpop);
    if (dpop) return Promise.resolve(principal).then((found) => this.withProof(request, token, found));
    return typeof (principal as Promise<Principal>).then === 'function'
      ? (principal as Promise<Principal>).then((found) => this.unbound(found))
      : this.unbound(principal as Principal);
  }

  override challenge(realm: string, error?: AuthError): string | readonly string[] {
    const mode = this.dpopMode;
    if (mode === undefined) return bearerChallenge(realm, error);
    const dpop = dpopChallenge(realm, this.dpopVerifier.algorithms, error?.dpop || mode === 'required' ? error : undefined);
    return mode === 'required' ? dpop : [bearerChallenge(realm, error?.dpop ? undefined : error), dpop];
  }

  override securityScheme(): SecuritySchemeDescription {
    return {
      type: 'http',
      scheme: 'bearer',
      description: `Opaque access tokens, checked at the authorization server (RFC 7662 token introspection)${
        this.dpopMode ? `; DPoP-bound ones (RFC 9449) as Authorization: DPoP with a DPoP proof` : ''
      }.`,
    };
  }

  private principalFor(token: string, dpop: boolean): MaybePromise<Principal> {
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.cache.get(key);
    if (cached) {
      if (cached.until > this.clock.now()) return cached.principal;
      this.cache.delete(key);
    }
    return this.introspect(token).then((result) => this.remember(key, this.check(result, dpop)));
  }

  private remember(key: string, principal: Principal): Principal {
    const { cacheMaxAgeMs, cacheMaxEntries } = this.config;
    const now = this.clock.now();
    const until = Math.min(now + cacheMaxAgeMs, principal.expiresAt ?? Number.POSITIVE_INFINITY);
    if (cacheMaxEntries > 0 && until > now) {
      if (this.cache.size >= cacheMaxEntries) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { principal, until });
    }
    return principal;
  }

  /** RFC 9449 §7.2: a DPoP-bound token (`cnf.jkt`) sent as `Bearer` is refused. */
  private unbound(principal: Principal): Principal {
    if (principal.confirmation === undefined) return principal;
    throw new AuthError('invalid_token', {
      description: 'The access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof',
      strategy: this.name,
      dpop: { error: 'invalid_token' },
    });
  }

  private async withProof(request: AuthRequest, token: string, principal: Principal): Promise<Principal> {
    const jkt = principal.confirmation?.jkt;
    if (jkt === undefined) throw this.invalid('The access token is not DPoP-bound', true);
    await this.dpopVerifier.verifyRequest(request, token, jkt, this.name);
    return principal;
  }

  /** The checks of RFC 7662 §4 this API must make itself. */
  private check(result: IntrospectionResult, dpop: boolean): Principal {
    const config = this.config;
    if (result.active !== true) throw this.invalid('The access token is not active', dpop);
    const now = this.clock.now() / 1000;
    if (result.exp !== undefined && (typeof result.exp !== 'number' || result.exp <= now)) throw this.invalid('The access token expired', dpop);
    if (result.nbf !== undefined && (typeof result.nbf !== 'number' || result.nbf > now + 5)) throw this.invalid('The access token is not yet valid', dpop);
    if (config.issuer !== undefined && result.iss !== undefined && result.iss !== config.issuer) {
      throw this.invalid('The access token has an unexpected iss claim', dpop);
    }
    if (config.audience) {
      const aud = typeof result.aud === 'string' ? [result.aud] : Array.isArray(result.aud) ? result.aud : [];
      if (!aud.some((entry) => config.audience!.includes(entry as string))) throw this.invalid('The access token has an unexpected aud claim', dpop);
    }
    if (result.token_type !== undefined && !(typeof result.token_type === 'string' && /^(bearer|dpop)$/i.test(result.token_type))) {
      throw this.invalid('The token is not an access token', dpop);
    }
    const sub = typeof result.sub === 'string' && result.sub ? result.sub : typeof result.client_id === 'string' ? result.client_id : undefined;
    if (sub === undefined) throw this.invalid('The access token names no subject', dpop);
    const cnf = result.cnf as { jkt?: unknown } | undefined;
    const jkt = cnf !== null && typeof cnf === 'object' && typeof cnf.jkt === 'string' && cnf.jkt ? cnf.jkt : undefined;
    return deepFreeze({
      id: sub,
      username: readString(result, this.mapping.username),
      roles: readStringList(result, this.mapping.roles),
      scopes: readStringList(result, this.mapping.scopes),
      permissions: readStringList(result, this.mapping.permissions),
      strategy: this.name,
      claims: result,
      clientId: typeof result.client_id === 'string' ? result.client_id : undefined,
      tokenId: typeof result.jti === 'string' ? result.jti : undefined,
      expiresAt: typeof result.exp === 'number' ? result.exp * 1000 : undefined,
      ...(jkt ? { confirmation: { jkt } } : {}),
    });
  }

  /** The POST (RFC 7662 §2.1), client-authenticated; every failure to get an answer is 503. */
  private async introspect(token: string): Promise<IntrospectionResult> {
    await this.ready();
    const config = this.config;
    const body = new URLSearchParams({ token, token_type_hint: 'access_token' });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: config.jwtResponse ? JWT_RESPONSE : 'application/json',
    };
    if (config.clientAuthentication === 'client_secret_basic') {
      // RFC 6749 §2.3.1: both parts form-urlencoded before Base64.
      const pair = `${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      body.set('client_id', config.clientId);
      body.set('client_secret', config.clientSecret);
    }
    let text: string;
    let contentType: string;
    try {
      const response = await fetch(this.endpoint!, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(config.timeoutMs)]),
      });
      if (response.status !== 200) throw new Error(`answered HTTP ${response.status}`);
      contentType = response.headers.get('content-type') ?? '';
      text = await response.text();
      if (text.length > MAX_RESPONSE_BYTES) throw new Error('sent a response larger than 64 KiB');
    } catch (error) {
      throw this.unavailable(`The introspection endpoint ${this.endpoint!.href} ${(error as Error).message}`, error);
    }
    try {
      if (config.jwtResponse) return await this.verifySigned(text, contentType);
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      return parsed as IntrospectionResult;
    } catch (error) {
      if (AuthError.isAuthError(error)) throw error;
      throw this.unavailable(`The introspection endpoint ${this.endpoint!.href} sent an unreadable response`, error);
    }
  }

  /** RFC 9701 §5: a JWT of `typ: token-introspection+jwt` from the issuer, for us, holding `token_introspection`. */
  private async verifySigned(text: string, contentType: string): Promise<IntrospectionResult> {
    const config = this.config;
    if (!contentType.toLowerCase().startsWith(JWT_RESPONSE)) throw new Error(`answered ${contentType} to a request for ${JWT_RESPONSE}`);
    const { payload } = await jwtVerify(text.trim(), this.keys!, {
      issuer: config.issuer,
      audience: config.clientId,
      typ: 'token-introspection+jwt',
      algorithms: [...config.jwtAlgorithms],
      currentDate: new Date(this.clock.now()),
    });
    const result = payload.token_introspection;
    if (result === null || typeof result !== 'object' || Array.isArray(result)) throw new Error('holds no token_introspection object');
    return result as IntrospectionResult;
  }

  /** The endpoint (and keys) from discovery, once; while the server is unreachable, 503. */
  private ready(): Promise<void> | void {
    const config = this.config;
    if (this.endpoint && (!config.jwtResponse || this.keys)) return;
    if (config.discoveryUrl === undefined) {
      this.endpoint = config.endpoint;
      return;
    }
    if (this.discovering) return this.discovering;
    const wait = this.nextDiscoveryAt - this.clock.now();
    if (wait > 0) throw this.unavailable(`Discovery at ${config.discoveryUrl.href} failed recently`, undefined, wait / 1000);
    this.nextDiscoveryAt = this.clock.now() + DISCOVERY_RETRY_MS;
    this.discovering = fetchProviderMetadata(config.issuer!, config.discoveryUrl, { timeoutMs: config.timeoutMs, signal: this.shutdown.signal })
      .then(
        (metadata) => {
          const discovered = typeof metadata.introspection_endpoint === 'string' ? new URL(metadata.introspection_endpoint) : undefined;
          const endpoint = config.endpoint ?? discovered;
          if (!endpoint || !isAcceptableProviderUrl(endpoint)) throw new Error('names no https introspection_endpoint');
          this.endpoint = endpoint;
          if (config.jwtResponse) this.keys = createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: config.timeoutMs });
        },
        (error: unknown) => {
          throw this.unavailable(`Discovery at ${config.discoveryUrl!.href} failed: ${(error as Error).message}`, error);
        },
      )
      .catch((error: unknown) => {
        throw AuthError.isAuthError(error) ? error : this.unavailable(`Discovery at ${config.discoveryUrl!.href}: ${(error as Error).message}`, error);
      })
      .finally(() => {
        this.discovering = undefined;
      });
    return this.discovering;
  }

  private unavailable(logged: string, cause?: unknown, retryAfterSeconds = 5): AuthError {
    if (!this.shutdown.signal.aborted) this.logger.error(`${logged}; requests using "${this.name}" are answered 503.`);
    return new AuthError('unavailable', {
      description: 'The authorization server is temporarily unavailable',
      cause,
      strategy: this.name,
      retryAfterSeconds,
    });
  }

  private invalid(description: string, dpop: boolean): AuthError {
    return new AuthError('invalid_token', { description, strategy: this.name, dpop: dpop ? { error: 'invalid_token' } : undefined });
  }
}
