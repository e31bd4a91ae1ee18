import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { BENCH_AUDIENCE, BENCH_CLIENT, BENCH_ISSUER, BENCH_ROLE, BENCH_SECRET } from './bench-config.js';

export interface SignOptions {
  /** Key to sign with: default the bench secret (HS256) or `privatePem` (EdDSA). */
  readonly key?: Uint8Array | KeyObject | CryptoKey;
  readonly privatePem?: string;
  /** First `jti` number, so that separate pools never share a token. */
  readonly from?: number;
  readonly issuer?: string;
  readonly kid?: string;
  /** The `roles` claim; default `[BENCH_ROLE]`. */
  readonly roles?: readonly string[];
  /** Binds every token to this DPoP key thumbprint (`cnf.jkt`). */
  readonly jkt?: string;
}

/** Pre-signs `count` distinct access tokens (distinct `jti`), valid for two hours, as the bench apps expect them. */
export async function signTokens(alg: 'HS256' | 'EdDSA', count: number, options: SignOptions = {}): Promise<string[]> {
  const key = options.key ?? (alg === 'HS256' ? new TextEncoder().encode(BENCH_SECRET) : createPrivateKey(options.privatePem!));
  const now = Math.floor(Date.now() / 1000);
  const from = options.from ?? 0;
  const sign = (i: number) =>
    new SignJWT({
      scope: 'items:read',
      roles: options.roles ?? [BENCH_ROLE],
      jti: `t-${i}`,
      client_id: BENCH_CLIENT,
      ...(options.jkt ? { cnf: { jkt: options.jkt } } : {}),
    })
      .setProtectedHeader({ alg, typ: 'at+jwt', ...(options.kid ? { kid: options.kid } : {}) })
      .setSubject(`user-${i % 100}`)
      .setIssuer(options.issuer ?? BENCH_ISSUER)
      .setAudience(BENCH_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 7200)
      .sign(key);
  const tokens: string[] = [];
  // 256 at a time: WebCrypto jobs run on libuv's pool, so one at a time would wait on each round trip.
  for (let i = from; i < from + count; i += 256) {
    const chunk = Array.from({ length: Math.min(256, from + count - i) }, (_, j) => sign(i + j));
    tokens.push(...(await Promise.all(chunk)));
  }
  return tokens;
}
