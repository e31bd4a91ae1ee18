import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { BENCH_AUDIENCE, BENCH_CLIENT, BENCH_ISSUER, BENCH_SECRET } from './bench-config.js';

/** Pre-signs `count` distinct access tokens (distinct `jti`), valid for an hour. */
export async function signTokens(alg: 'HS256' | 'EdDSA', count: number, privatePem?: string): Promise<string[]> {
  const key = alg === 'HS256' ? new TextEncoder().encode(BENCH_SECRET) : createPrivateKey(privatePem!);
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(
      await new SignJWT({ scope: 'items:read', jti: `t-${i}`, client_id: BENCH_CLIENT })
        .setProtectedHeader({ alg, typ: 'at+jwt' })
        .setSubject(`user-${i % 100}`)
        .setIssuer(BENCH_ISSUER)
        .setAudience(BENCH_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(key),
    );
  }
  return tokens;
}
