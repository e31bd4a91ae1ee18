import { generateKeyPair, type CryptoKey, type JWK, exportJWK, SignJWT, type JWTPayload } from 'jose';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!!';
export const TEST_ISSUER = 'https://issuer.test';
export const TEST_AUDIENCE = 'api://test';

export interface SignOptions {
  readonly alg?: string;
  readonly key?: CryptoKey | Uint8Array;
  readonly typ?: string | null;
  readonly kid?: string;
  /** Seconds from now; `null` omits `exp`. */
  readonly expiresIn?: number | null;
  readonly now?: number;
}

/** Signs a token the `jwt` strategy in test fixtures accepts, unless options say otherwise. */
export async function signTestToken(claims: JWTPayload = {}, options: SignOptions = {}): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const alg = options.alg ?? 'HS256';
  const header: Record<string, unknown> = { alg };
  if (options.typ !== null) header.typ = options.typ ?? 'at+jwt';
  if (options.kid) header.kid = options.kid;
  const jwt = new SignJWT({ sub: 'user-1', iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now, ...claims }).setProtectedHeader(
    header as { alg: string },
  );
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 300));
  return jwt.sign(options.key ?? new TextEncoder().encode(TEST_SECRET));
}

export async function testKeyPair(alg: string, kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { privateKey, jwk };
}
