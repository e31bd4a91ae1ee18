import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { Clock, SystemClock } from '../../clock/clock.js';
import { bearerChallenge } from '../../errors/bearer-challenge.js';
import { dpopChallenge } from '../../errors/dpop-challenge.js';
import { AuthError } from '../../errors/auth.error.js';
import { AuthConfigurationError } from '../../errors/configuration.error.js';
import { type AuthRequest, parseAuthorizationHeader } from '../../request/auth-request.js';
import type { Principal } from '../../principal/principal.js';
import type { MaybePromise } from '../../utils/maybe-promise.js';
import { AuthStrategy, type SecuritySchemeDescription } from '../auth-strategy.js';
import { DpopProofVerifier } from '../dpop/dpop-proof-verifier.js';
import { DpopSettings } from '../dpop/dpop-settings.js';
import type { DpopMode } from '../dpop/dpop.options.js';
import { compileClaimMapping, type CompiledClaimMapping, readString, readStringList } from './claim-mapping.js';
import { createKeySource, KeySourceUnavailableError } from './jwt-key-source.js';
import { JwtSettings } from './jwt-settings.js';
import { JWT_ALGORITHMS, type JwtClaims, type JwtStrategyOptions, MAX_CLOCK_TOLERANCE_SECONDS } from './jwt.options.js';
import { keyStampsOf } from './key-stamps.js';
import { malformedHint, refusalHint } from './jwt-refusal-hint.js';
import { hasOwnKeys, LocalTokenIssuer } from './local-token-issuer.js';
import { createVerifiedTokenCache, deepFreeze, type VerifiedTokenCache, type VerifiedTokenCacheView } from './verified-token-cache.js';

/** RFC 6750 §2.1 `b64token`; a JWS compact serialization is three base64url parts. */
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Bearer JWTs (RFC 6750, RFC 7519, RFC 9068), verified by jose against an explicit algorithm
 * allowlist. Enabled by `forRoot({ jwt: {...} })`; named `jwt` in `@Auth('jwt')`.
 *
 * Extend it to map claims (`toPrincipal`), to check something on every request (`afterVerification`),
 * or to run a second JWT strategy with options of its own (override `name` and `jwtOptions()`).
 * Its collaborators are injected as properties, so a subclass may have a constructor of its own.
 */
@Injectable()
export class JwtStrategy extends AuthStrategy implements OnModuleInit {
  static readonly strategyName = 'jwt';
  static override readonly byDefault = true;
  readonly name: string = JwtStrategy.strategyName;

  private keys!: JWTVerifyGetKey;
  private verifyOptions!: JWTVerifyOptions;
  private mapping!: CompiledClaimMapping;
  private maxTokenLength = 8192;
  private cache: VerifiedTokenCache | undefined;
  /** `iss` of the tokens this app issues (`tokens`), whose deny list is asked on every request. */
  private ownIssuer: string | undefined;
  /** The app's own token service (`tokens`): its keys and its deny list of revoked tokens. */
  @Optional() @Inject(LocalTokenIssuer) private readonly localIssuer?: LocalTokenIssuer;
  @Inject(JwtSettings) private readonly jwtSettings!: JwtSettings;
  @Inject(Clock) protected readonly clock!: Clock;
  /** DPoP (RFC 9449): the module's `dpop` section and the proof verifier. */
  @Inject(DpopSettings) private readonly dpopSettings!: DpopSettings;
  @Inject(DpopProofVerifier) private readonly dpopVerifier!: DpopProofVerifier;

  /**
   * The options this strategy verifies with: the `jwt` section, else (with `tokens` alone) the
   * settings of the tokens this app issues. Override it for a second JWT strategy of your own.
   */
  protected jwtOptions(): JwtStrategyOptions | undefined {
    return this.jwtSettings.config ?? this.localIssuer?.jwtOptions();
  }

  /** On with a `jwt` section, and with `tokens` alone (it then verifies the app's own tokens). */
  override get enabled(): boolean {
    return this.jwtOptions() !== undefined;
  }

  override get authorizationScheme(): string {
    return 'bearer';
  }

  /** The strategy's own `dpop` option, else the module's `dpop.mode`; `undefined`: DPoP is off. */
  override get dpopMode(): DpopMode | undefined {
    return this.dpopOption() ?? this.dpopSettings.mode;
  }

  /** The `dpop` option of this strategy's section (`jwt.dpop`); overridden by `oidc`. */
  protected dpopOption(): DpopMode | undefined {
    return this.jwtSettings.config?.dpop;
  }

  onModuleInit(): void {
    const config = this.jwtOptions();
    if (config) this.configure(config);
  }

  /** Validates options and imports keys once; subclasses (OIDC) call it with their own options. */
  protected configure(config: JwtStrategyOptions): void {
    const algorithms = config.algorithms;
    if (!Array.isArray(algorithms) || algorithms.length === 0) {
      throw AuthConfigurationError.create(
        `${this.name}.algorithms is missing or empty.`,
        'List the algorithms you accept explicitly, e.g. algorithms: ["HS256"] or ["EdDSA", "ES256"].',
      );
    }
    for (const alg of algorithms) {
      if (!(JWT_ALGORITHMS as readonly string[]).includes(alg)) {
        throw AuthConfigurationError.create(
          `${this.name}.algorithms contains ${JSON.stringify(alg)}, which nest-warden does not accept.`,
          `Use some of: ${JWT_ALGORITHMS.join(', ')}.`,
        );
      }
    }
    const tolerance = config.clockToleranceSeconds;
    if (tolerance !== undefined && !(typeof tolerance === 'number' && tolerance >= 0 && tolerance <= MAX_CLOCK_TOLERANCE_SECONDS)) {
      throw AuthConfigurationError.create(
        `${this.name}.clockToleranceSeconds is ${String(tolerance)}; it must be a number from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}.`,
        'Use a few seconds (default 5) and fix the clocks (NTP): a larger tolerance accepts expired and revoked tokens for that long.',
      );
    }
    assertIssuerAndAudience(config, this.name);
    // Options without keys of their own verify the tokens this app issues, with its keys.
    this.keys =
      this.localIssuer?.jwtOptions() && !hasOwnKeys(config) ? this.localIssuer.keySource : createKeySource(config, this.name);
    this.mapping = compileClaimMapping(config.claims);
    this.maxTokenLength = config.maxTokenLength ?? 8192;
    const typ = config.typ === undefined ? 'at+jwt' : config.typ;
    this.verifyOptions = {
      algorithms: [...algorithms],
      issuer: config.issuer as string | string[] | undefined,
      audience: config.audience === false ? undefined : (config.audience as string | string[] | undefined),
      typ: typ === false ? undefined : typ,
      clockTolerance: config.clockToleranceSeconds ?? 5,
      requiredClaims: [...new Set(['exp', 'sub', ...(config.requiredClaims ?? [])])],
    };
    this.cache = createVerifiedTokenCache(config, keyStampsOf(this.keys), this.name);
    const ownIssuer = this.localIssuer?.jwtOptions()?.issuer;
    this.ownIssuer = typeof ownIssuer === 'string' ? ownIssuer : undefined;
  }

  /** The verified-token cache (`cacheSize`), when on: its size and membership, never its tokens. */
  get verifiedTokens(): VerifiedTokenCacheView | undefined {
    return this.cache;
  }

  authenticate(request: AuthRequest): Principal | null | Promise<Principal | null> {
    const authorization = parseAuthorizationHeader(request);
    if (!authorization) return null;
    const dpop = authorization.scheme === 'dpop';
    if (authorization.scheme !== 'bearer' && !(dpop && this.dpopMode !== undefined)) return null;
    const token = authorization.credentials;
    if (!token || token.length > this.maxTokenLength || !JWS_COMPACT.test(token)) {
      const max = this.maxTokenLength;
      throw new AuthError('invalid_token', {
        description: 'The access token is malformed',
        strategy: this.name,
        hint: () => malformedHint(token, max),
        dpop: dpop ? { error: 'invalid_token' } : undefined,
      });
    }
    if (dpop) return this.withProof(request, token);
    const principal = this.principalFor(token);
    return isPromiseLike(principal) ? principal.then((p) => this.unbound(p)) : this.unbound(principal);
  }

  /** RFC 9449 §7.2: a DPoP-bound token (`cnf.jkt`) sent as `Bearer` is refused. */
  private unbound(principal: Principal): Principal {
    const cnf = principal.claims?.cnf as { jkt?: unknown } | undefined;
    if (principal.confirmation === undefined && (cnf === null || typeof cnf !== 'object' || cnf.jkt === undefined)) return principal;
    throw new AuthError('invalid_token', {
      description: 'The access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof',
      strategy: this.name,
      dpop: { error: 'invalid_token' },
    });
  }

  /** `Authorization: DPoP`: the token as for `Bearer`, then the proof (RFC 9449 §7.1), bound to the token's `cnf.jkt`. */
  private async withProof(request: AuthRequest, token: string): Promise<Principal> {
    let principal: Principal;
    try {
      principal = await this.principalFor(token);
    } catch (error) {
      throw AuthError.isAuthError(error) && error.code === 'invalid_token' && !error.dpop ? viaDpop(error) : error;
    }
    const jkt = principal.confirmation?.jkt;
    if (jkt === undefined) {
      throw new AuthError('invalid_token', { description: 'The access token is not DPoP-bound', strategy: this.name, dpop: { error: 'invalid_token' } });
    }
    await this.dpopVerifier.verifyRequest(request, token, jkt, this.name);
    return principal;
  }

  /** Verifies a compact JWS and maps it to a (frozen) principal; rejects with `AuthError` on any failure. */
  async verify(token: string): Promise<Principal> {
    return this.principalFor(token);
  }

  /**
   * `verify` as the guard calls it: a token verified before that is still valid now, signed by a
   * key still in the key set, is answered from the verified-token cache without a promise.
   * `afterVerification` runs either way.
   */
  protected principalFor(token: string): MaybePromise<Principal> {
    const cached = this.cache?.get(token, this.clock.now());
    if (cached) return this.checkEveryRequest(cached);
    return this.verifySignature(token).then((principal) => this.checkEveryRequest(principal));
  }

  /** The token service's deny list for the tokens it issued (a store lookup), then `afterVerification`. */
  private checkEveryRequest(principal: Principal): MaybePromise<Principal> {
    const claims = principal.claims as JWTPayload | undefined;
    if (this.ownIssuer === undefined || claims?.iss !== this.ownIssuer) return this.afterVerification(principal);
    return this.localIssuer!.assertNotRevoked(claims, this.name).then(() => this.afterVerification(principal));
  }

  /**
   * Runs on every request for every verified token, from the cache or not, after the token
   * service's own deny list: the place for checks of yours whose answer changes while a token is
   * valid (a disabled account, your own revocation list). Return the principal (synchronously
   * keeps the guard synchronous), or throw / reject with `AuthError`.
   */
  protected afterVerification(principal: Principal): MaybePromise<Principal> {
    return principal;
  }

  /** The full check with jose; caches what passed, with the key that verified it. */
  private async verifySignature(token: string): Promise<Principal> {
    let payload: JWTPayload;
    let key: unknown;
    const keys: JWTVerifyGetKey = this.cache ? async (header, input) => (key = await this.keys(header, input)) : this.keys;
    try {
      // jose reads the system time itself; an injected clock (tests, FakeClock) is passed as currentDate.
      const options = this.clock.constructor === SystemClock ? this.verifyOptions : { ...this.verifyOptions, currentDate: new Date(this.clock.now()) };
      ({ payload } = await jwtVerify(token, keys, options));
    } catch (error) {
      throw this.translate(error, token);
    }
    const principal = deepFreeze(withConfirmation(this.toPrincipal(payload), payload));
    const stamp = this.cache && keyStampsOf(this.keys)?.stampOf(key);
    if (stamp) this.cache!.set(token, payload, principal, stamp);
    return principal;
  }

  /** Claims → principal. Override to map custom claims. */
  protected toPrincipal(claims: JwtClaims): Principal {
    // RFC 9068 §2.2: a token without a resource owner names the client as its subject.
    const client = typeof claims.client_id === 'string' && claims.sub === claims.client_id && claims.auth_time === undefined;
    return {
      id: claims.sub!,
      kind: client ? 'client' : 'user',
      username: readString(claims, this.mapping.username),
      roles: readStringList(claims, this.mapping.roles),
      scopes: readStringList(claims, this.mapping.scopes),
      permissions: readStringList(claims, this.mapping.permissions),
      strategy: this.name,
      amr: Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : undefined,
      claims,
      clientId: typeof claims.client_id === 'string' ? claims.client_id : typeof claims.azp === 'string' ? claims.azp : undefined,
      tokenId: claims.jti,
      expiresAt: claims.exp !== undefined ? claims.exp * 1000 : undefined,
    };
  }

  /**
   * `Bearer`, plus `DPoP algs="…"` when the strategy takes DPoP (only `DPoP` when it requires it).
   * A failure that came through DPoP puts its error on the `DPoP` challenge.
   */
  override challenge(realm: string, error?: AuthError): string | readonly string[] {
    const mode = this.dpopMode;
    if (mode === undefined) return bearerChallenge(realm, error);
    const dpopError = error?.dpop || mode === 'required' ? error : undefined;
    const dpop = dpopChallenge(realm, this.dpopVerifier.algorithms, dpopError);
    if (mode === 'required') return dpop;
    return [bearerChallenge(realm, error?.dpop ? undefined : error), dpop];
  }

  override securityScheme(): SecuritySchemeDescription {
    const mode = this.dpopMode;
    if (mode === undefined) return { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' };
    const algs = this.dpopVerifier.algorithms.join(', ');
    return {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        mode === 'required'
          ? `DPoP-bound JWT access tokens only (RFC 9449): send Authorization: DPoP <token> and a DPoP proof header signed with one of ${algs}.`
          : `JWT access tokens as Bearer; DPoP-bound tokens (RFC 9449) as Authorization: DPoP <token> with a DPoP proof header signed with one of ${algs}.`,
    };
  }

  protected invalid(description: string, cause?: unknown, hint?: () => string | undefined): AuthError {
    return new AuthError('invalid_token', { description, cause, strategy: this.name, hint });
  }

  /**
   * jose's errors → a short, fixed description for the client (jose's own messages never reach it),
   * and, for the development log only, what was wrong and the option that fixes it.
   */
  private translate(error: unknown, token: string): AuthError {
    if (error instanceof KeySourceUnavailableError) {
      return new AuthError('unavailable', {
        description: 'Token keys are temporarily unavailable',
        cause: error,
        strategy: this.name,
        retryAfterSeconds: 30,
      });
    }
    const context = { strategy: this.name, verifyOptions: this.verifyOptions, maxTokenLength: this.maxTokenLength, now: this.clock.now() };
    const hint = () => refusalHint(error, token, context);
    if (error instanceof errors.JWTExpired) return this.invalid('The access token expired', error, hint);
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'nbf' || error.claim === 'iat') return this.invalid('The access token is not yet valid', error, hint);
      if (error.claim === 'typ') return this.invalid('The access token has an unexpected typ header', error, hint);
      if (error.reason === 'missing') return this.invalid(`The access token lacks the ${error.claim} claim`, error, hint);
      return this.invalid(`The access token has an unexpected ${error.claim} claim`, error, hint);
    }
    return this.invalid('The access token is invalid', error, hint);
  }
}

const named = (value: string | readonly string[] | false | undefined): boolean =>
  typeof value === 'string'
    ? value.length > 0
    : Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item.length > 0);

/**
 * A remote key set signs for everyone its provider serves (tenants, APIs, clients): without `iss`
 * and `aud` checks, any token it signed would be accepted here (Spring CVE-2026-22748, Zitadel
 * CVE-2026-55669). So with `jwksUri`, `issuer` is required, and `audience` is required unless set
 * to `false` (a provider whose access tokens carry no `aud`, e.g. Cognito: check `client_id` in
 * `afterVerification`). With keys given in the options, both are checked whenever set.
 */
function assertIssuerAndAudience(config: JwtStrategyOptions, name: string): void {
  if (config.jwksUri === undefined) return;
  if (!named(config.issuer)) {
    throw AuthConfigurationError.create(
      `${name} takes its keys from jwksUri but has no issuer, so a token that key set signed for any issuer (another tenant or realm) would be accepted.`,
      `Set ${name}.issuer to the iss your provider writes (e.g. https://login.example.com/realms/acme).`,
    );
  }
  if (config.audience !== false && !named(config.audience)) {
    throw AuthConfigurationError.create(
      `${name} takes its keys from jwksUri but has no audience, so a token that provider issued for any of its APIs would be accepted.`,
      `Set ${name}.audience to the aud your API expects, or audience: false when the provider's tokens carry none (then check client_id in afterVerification).`,
    );
  }
}

function isPromiseLike<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

/** The same refusal, told on the `DPoP` challenge (the token came with `Authorization: DPoP`). */
function viaDpop(error: AuthError): AuthError {
  return new AuthError(error.code, {
    description: error.description,
    cause: error.cause,
    strategy: error.strategy,
    hint: () => error.hint,
    dpop: { error: 'invalid_token' },
  });
}

/**
 * RFC 9449 §6: `cnf.jkt` binds the token to a key. Kept on the principal whatever `toPrincipal`
 * returns, so an override cannot unbind a token (and let it pass as `Bearer`).
 */
function withConfirmation(principal: Principal, payload: JWTPayload): Principal {
  const cnf = payload.cnf as { jkt?: unknown } | undefined;
  const jkt = cnf !== null && typeof cnf === 'object' ? cnf.jkt : undefined;
  if (jkt === undefined) return principal;
  if (typeof jkt !== 'string' || jkt.length === 0) {
    throw new AuthError('invalid_token', { description: 'The access token has an invalid cnf claim', strategy: principal.strategy });
  }
  return principal.confirmation?.jkt === jkt ? principal : { ...principal, confirmation: { jkt } };
}
