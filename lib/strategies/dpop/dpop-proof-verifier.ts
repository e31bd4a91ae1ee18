import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  calculateJwkThumbprint,
  type CryptoKey,
  decodeProtectedHeader,
  errors,
  importJWK,
  type JWK,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import { Clock } from '../../clock/clock.js';
import { AuthError, type DpopFailure } from '../../errors/auth.error.js';
import { RequestPolicy } from '../../network/request-policy.js';
import { type AuthRequest, readHeader } from '../../request/auth-request.js';
import { AuthStore } from '../../stores/auth-store.js';
import { DpopSettings } from './dpop-settings.js';

/** What {@link DpopProofVerifier.verify} checks one proof against. */
export interface DpopProofInput {
  /** The `DPoP` request header (a compact JWS); `undefined` when the request has none (refused). */
  readonly proof: string | undefined;
  /** The request's method, e.g. `GET` (compared with `htm`). */
  readonly method: string;
  /** The request's absolute URL (compared with `htu` without query and fragment, RFC 9449 §4.3). */
  readonly url: string | URL;
  /** The access token the proof is presented with: `ath` must be its SHA-256 (resource requests). */
  readonly accessToken?: string;
  /** The thumbprint the access token is bound to (`cnf.jkt`): the proof's key must have it. */
  readonly boundJkt?: string;
  /** The strategy checking the proof, named on the error (which challenge carries it). */
  readonly strategy?: string;
}

/** A proof that passed every check. */
export interface VerifiedDpopProof {
  /** The RFC 7638 SHA-256 thumbprint of the proof's key: what a token is bound to (`cnf.jkt`). */
  readonly jkt: string;
  /** The proof's public key. */
  readonly jwk: JWK;
  readonly jti: string;
}

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
/** Imported proof keys kept, by the exact bytes of the proof's header (a client sends the same header every time). */
const KEY_CACHE_SIZE = 1024;

interface ProofKey {
  readonly key: CryptoKey;
  readonly jwk: JWK;
  readonly jkt: string;
}

/**
 * Verifies DPoP proofs (RFC 9449 §4.3) with jose: `typ: dpop+jwt`, an algorithm from the allowlist
 * (`dpop.algorithms`), a public key embedded in the header (never a private one), `htm` and `htu`
 * equal to the request's, `iat` within `dpop.maxAgeSeconds`, `ath` for the access token, the bound
 * thumbprint, the server nonce (when `dpop.nonce` is on), and the `jti` never seen before: replay
 * records live in the `AuthStore` (so every instance sharing it refuses a replay) under the key's
 * thumbprint, and each key may record at most `dpop.maxProofsPerKey` proofs per window, so no client
 * can fill the store for others.
 *
 * The bearer strategies call it for `Authorization: DPoP`; a token endpoint calls it to bind a token:
 *
 * @example
 * const { jkt } = await verifier.verify({ proof: readHeader(request, 'dpop'), method: 'POST', url: verifier.requestUrl(request) });
 * // issue the token with cnf: { jkt }
 *
 * Every refusal is an `AuthError` (`invalid_token`, 401) whose `dpop.error` is `invalid_dpop_proof`
 * or `use_dpop_nonce` (with a fresh `dpop.nonce` for the `DPoP-Nonce` header); a token endpoint
 * answers those as RFC 9449 §5 says (400 with the same `error`). A key over its bound is `rate_limited` (429).
 */
@Injectable()
export class DpopProofVerifier {
  @Inject(DpopSettings) private readonly settings!: DpopSettings;
  @Inject(AuthStore) private readonly store!: AuthStore;
  @Inject(Clock) private readonly clock!: Clock;
  @Inject(RequestPolicy) private readonly requestPolicy!: RequestPolicy;
  /** Proof keys imported before, by header segment: a client's next proof skips the import and the thumbprint. */
  private readonly keys = new Map<string, Promise<ProofKey>>();

  /** The algorithms a proof may use, for `DPoP algs="…"` challenges and metadata. */
  get algorithms(): readonly string[] {
    return this.settings.algorithms;
  }

  /** Whether proofs must carry a server nonce. */
  get noncesRequired(): boolean {
    return this.settings.nonceSecret !== undefined;
  }

  /** Checks one proof; resolves with its key's thumbprint, or rejects with `AuthError`. */
  async verify(input: DpopProofInput): Promise<VerifiedDpopProof> {
    const { proof, strategy } = input;
    if (proof === undefined || proof.length > MAX_PROOF_LENGTH || !JWS_COMPACT.test(proof)) {
      throw this.refuse(
        proof === undefined ? 'The request lacks a DPoP proof' : 'The DPoP proof is malformed',
        strategy,
      );
    }
    const { key, jwk, jkt } = await this.proofKey(proof, strategy);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(proof, key, {
        typ: 'dpop+jwt',
        algorithms: [...this.settings.algorithms],
        requiredClaims: ['jti', 'htm', 'htu', 'iat'],
        currentDate: new Date(this.clock.now()),
      }));
    } catch (error) {
      throw this.refuse(describeJoseError(error), strategy, error);
    }
    this.checkClaims(payload, input, jkt);
    const jti = payload.jti!;
    await this.record(jkt, jti, strategy);
    return Object.freeze({ jkt, jwk, jti });
  }

  /**
   * Checks the `DPoP` proof of a resource request that presents `accessToken` (bound to
   * `boundJkt`): the request's method and URL, `ath`, and the key. What the bearer strategies call.
   */
  verifyRequest(
    request: AuthRequest,
    accessToken: string,
    boundJkt: string,
    strategy?: string,
  ): Promise<VerifiedDpopProof> {
    return this.verify({
      proof: readHeader(request, 'dpop'),
      method: request.method ?? 'GET',
      url: this.requestUrl(request),
      accessToken,
      boundJkt,
      strategy,
    });
  }

  /**
   * The request's absolute URL as `htu` names it: `dpop.origin` (or the request's scheme, through
   * `trustProxy`, and `Host`) and its path, without query.
   */
  requestUrl(request: AuthRequest): string {
    const path = ((request as { originalUrl?: string }).originalUrl ?? request.url ?? '/').split('?')[0];
    if (this.settings.origin) return this.settings.origin + path;
    const scheme = this.requestPolicy.reader.origin(request).secure ? 'https' : 'http';
    return `${scheme}://${readHeader(request, 'host') ?? 'localhost'}${path}`;
  }

  /** A nonce valid now (for a `DPoP-Nonce` header), or `undefined` when nonces are off. */
  currentNonce(): string | undefined {
    const secret = this.settings.nonceSecret;
    if (!secret) return undefined;
    return this.nonceFor(this.period(), secret);
  }

  /**
   * The public key of the proof's header (`jwk`), imported for the header's `alg` once per distinct
   * header: the same header bytes are the same key and algorithm, and the signature is still
   * checked on every proof. Refuses private keys, `alg`s outside the allowlist, and a `jwk` whose
   * own `alg` or `use` says otherwise (as jose's `EmbeddedJWK` does).
   */
  private proofKey(proof: string, strategy: string | undefined): Promise<ProofKey> {
    const segment = proof.slice(0, proof.indexOf('.'));
    const cached = this.keys.get(segment);
    if (cached) return cached;
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(proof);
    } catch (error) {
      throw this.refuse('The DPoP proof is malformed', strategy, error);
    }
    const jwk = header.jwk;
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk))
      throw this.refuse('The DPoP proof lacks its public key (jwk)', strategy);
    if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
      throw this.refuse('The DPoP proof key must be a public key', strategy);
    }
    const alg = header.alg;
    if (typeof alg !== 'string' || !this.settings.algorithms.includes(alg as never)) {
      throw this.refuse('The DPoP proof uses an algorithm that is not accepted', strategy);
    }
    if ((jwk.alg !== undefined && jwk.alg !== alg) || (jwk.use !== undefined && jwk.use !== 'sig')) {
      throw this.refuse('The DPoP proof key is not meant for this algorithm', strategy);
    }
    const imported = (async (): Promise<ProofKey> => {
      let key: CryptoKey;
      try {
        key = (await importJWK({ ...jwk, ext: true }, alg)) as CryptoKey;
      } catch (error) {
        throw this.refuse('The DPoP proof key is invalid', strategy, error);
      }
      if (key.type !== 'public') throw this.refuse('The DPoP proof key must be a public key', strategy);
      return Object.freeze({ key, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') });
    })();
    // Only keys that imported are kept; the map is bounded (oldest header out first).
    imported.then(
      () => {
        if (this.keys.size >= KEY_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value!);
        this.keys.set(segment, imported);
      },
      () => undefined,
    );
    return imported;
  }

  private checkClaims(payload: JWTPayload, input: DpopProofInput, jkt: string): void {
    const { strategy } = input;
    if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > MAX_JTI_LENGTH) {
      throw this.refuse('The DPoP proof has an invalid jti', strategy);
    }
    if (payload.htm !== input.method.toUpperCase())
      throw this.refuse('The DPoP proof is for another HTTP method (htm)', strategy);
    if (typeof payload.htu !== 'string' || !sameTarget(payload.htu, input.url)) {
      throw this.refuse('The DPoP proof is for another URL (htu)', strategy);
    }
    const now = this.clock.now() / 1000;
    const iat = payload.iat!;
    if (iat > now + this.settings.clockToleranceSeconds || iat < now - this.settings.maxAgeSeconds) {
      throw this.refuse('The DPoP proof is too old or not yet valid (iat)', strategy);
    }
    if (input.accessToken !== undefined) {
      const ath = createHash('sha256').update(input.accessToken).digest('base64url');
      if (typeof payload.ath !== 'string' || !equal(payload.ath, ath)) {
        throw this.refuse('The DPoP proof is for another access token (ath)', strategy);
      }
    }
    if (input.boundJkt !== undefined && !equal(input.boundJkt, jkt)) {
      throw new AuthError('invalid_token', {
        description: 'The access token is bound to another key',
        strategy,
        dpop: { error: 'invalid_token' },
      });
    }
    const secret = this.settings.nonceSecret;
    if (secret && !this.nonceValid(payload.nonce, secret)) {
      throw new AuthError('invalid_token', {
        description: 'Resource server requires nonce in DPoP proof',
        strategy,
        dpop: { error: 'use_dpop_nonce', nonce: this.currentNonce() },
      });
    }
  }

  /**
   * One use per `jti` and key, across every instance sharing the store. Each key may leave at most
   * `maxProofsPerKey` proofs per window, counted atomically: the record is written first (a replayed
   * proof stops there and never spends its owner's budget), then the key's counter is incremented
   * and its new value decides, so parallel proofs cannot slip past the bound between a check and a
   * count. A key already over its budget is refused before anything is written.
   */
  private async record(jkt: string, jti: string, strategy: string | undefined): Promise<void> {
    const windowMs = (this.settings.maxAgeSeconds + this.settings.clockToleranceSeconds) * 1000;
    const counter = `dpop:count:${jkt}`;
    if (Number((await this.store.get(counter)) ?? 0) >= this.settings.maxProofsPerKey)
      throw await this.overBudget(counter, windowMs, strategy);
    const digest = createHash('sha256').update(jti).digest('base64url');
    if (!(await this.store.setIfAbsent(`dpop:jti:${jkt}:${digest}`, '1', windowMs))) {
      throw this.refuse('The DPoP proof was used before', strategy);
    }
    if ((await this.store.increment(counter, windowMs)) > this.settings.maxProofsPerKey)
      throw await this.overBudget(counter, windowMs, strategy);
  }

  private async overBudget(
    counter: string,
    windowMs: number,
    strategy: string | undefined,
  ): Promise<AuthError> {
    const ttl = await this.store.ttl(counter);
    return new AuthError('rate_limited', {
      description: 'Too many DPoP proofs for this key; try again later',
      strategy,
      retryAfterSeconds: (ttl ?? windowMs) / 1000,
    });
  }

  private period(): number {
    return Math.floor(this.clock.now() / 1000 / this.settings.nonceLifetimeSeconds);
  }

  private nonceFor(period: number, secret: Uint8Array): string {
    const stamp = period.toString(36);
    return `${stamp}.${createHmac('sha256', secret).update(`dpop-nonce:${stamp}`).digest('base64url')}`;
  }

  /** A nonce of this period or the one before, minted with our secret. */
  private nonceValid(nonce: unknown, secret: Uint8Array): boolean {
    if (typeof nonce !== 'string' || nonce.length > 128) return false;
    const current = this.period();
    for (const period of [current, current - 1]) if (equal(nonce, this.nonceFor(period, secret))) return true;
    return false;
  }

  private refuse(description: string, strategy: string | undefined, cause?: unknown): AuthError {
    const dpop: DpopFailure = { error: 'invalid_dpop_proof' };
    return new AuthError('invalid_token', { description, strategy, cause, dpop });
  }
}

/** Constant-time comparison of two strings. */
function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 9449 §4.3 item 9: `htu` and the request URL, without query and fragment, after URL normalization. */
function sameTarget(htu: string, url: string | URL): boolean {
  let claimed: URL;
  let actual: URL;
  try {
    claimed = new URL(htu);
    actual = new URL(url);
  } catch {
    return false;
  }
  if (claimed.protocol !== 'https:' && claimed.protocol !== 'http:') return false;
  return (
    claimed.protocol === actual.protocol &&
    claimed.host === actual.host &&
    claimed.pathname === actual.pathname
  );
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'typ') return 'The DPoP proof has an unexpected typ header';
    return `The DPoP proof lacks or has an invalid ${error.claim} claim`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'The DPoP proof uses an algorithm that is not accepted';
  if (error instanceof errors.JWTExpired) return 'The DPoP proof expired';
  return 'The DPoP proof is invalid';
}
