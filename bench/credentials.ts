/**
 * What the load generator sends, per kind of credential (`BenchVariant.credential`): the headers
 * of valid requests for each token mode, and a forged request that every verifier must refuse.
 * A new kind of credential (DPoP proofs, API keys…) is one entry in `CREDENTIALS`.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK, SignJWT } from 'jose';
import { BENCH_DPOP_ORIGIN } from './bench-config.js';
import { signTokens } from './sign-tokens.js';
import type { TokenMode } from './variants.js';

export type Headers = Readonly<Record<string, string>>;

/** Keys made per run; the servers get only the public part (`VariantContext`). */
export interface BenchKeys {
  readonly eddsaPublicPem: string;
  readonly eddsaPrivatePem: string;
  /** The client's DPoP key (ES256): proofs are signed with it, tokens bound to its thumbprint. */
  readonly dpopPrivateKey: KeyObject;
  readonly dpopPublicJwk: JWK;
}

export function makeKeys(): BenchKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const dpop = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    eddsaPublicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    eddsaPrivatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    dpopPrivateKey: dpop.privateKey,
    dpopPublicJwk: dpop.publicKey.export({ format: 'jwk' }) as JWK,
  };
}

/**
 * `count` DPoP requests (RFC 9449): a proof per request (one-time: its own `jti`), each for
 * `GET <BENCH_DPOP_ORIGIN>/item` with the `ath` of its token; warm: one bound token for all, cold:
 * a new bound token per request.
 */
async function dpopRequests(keys: BenchKeys, mode: TokenMode, count: number, from: number): Promise<Headers[]> {
  const jkt = await calculateJwkThumbprint(keys.dpopPublicJwk, 'sha256');
  const tokens = await signTokens('HS256', mode === 'warm' ? 1 : count, { from, jkt });
  const iat = Math.floor(Date.now() / 1000);
  const requests: Headers[] = [];
  for (let i = 0; i < count; i += 256) {
    const chunk = Array.from({ length: Math.min(256, count - i) }, async (_, j) => {
      const token = tokens[mode === 'warm' ? 0 : i + j];
      const proof = await new SignJWT({
        jti: `p-${from + i + j}-${randomBytes(6).toString('hex')}`,
        htm: 'GET',
        htu: `${BENCH_DPOP_ORIGIN}/item`,
        iat,
        ath: createHash('sha256').update(token).digest('base64url'),
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: keys.dpopPublicJwk })
        .sign(keys.dpopPrivateKey);
      return { authorization: `DPoP ${token}`, dpop: proof };
    });
    requests.push(...(await Promise.all(chunk)));
  }
  return requests;
}

export interface CredentialKind {
  /**
   * Headers of valid requests: `warm` one (sent on every request), `cold` `count` distinct ones
   * (each sent once before any comes back). `from` keeps pools of one run apart.
   */
  valid(keys: BenchKeys, mode: TokenMode, count: number, from: number): Promise<Headers[]>;
  /** A request with a well-formed credential that fails verification (a key we do not trust). */
  forged(keys: BenchKeys): Promise<Headers>;
  /**
   * Every request needs headers of its own, in warm mode too (one-time DPoP proofs): the harness
   * then makes `warm` pools as large as cold ones, and a pool must outlast the requests of the run.
   */
  readonly oneTime?: boolean;
}

const bearer = (tokens: readonly string[]): Headers[] => tokens.map((token) => ({ authorization: `Bearer ${token}` }));

/** `CREDENTIALS['dpop-hs256']`, split out so the table stays one line per kind. */
const dpopHs256: CredentialKind = {
  oneTime: true,
  valid: (keys, mode, count, from) => dpopRequests(keys, mode, count, from),
  // A proof whose signature is not made by the key it names.
  forged: async (keys) => {
    const other = { ...keys, dpopPrivateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
    const [request] = await dpopRequests(other, 'warm', 1, 0);
    const [honest] = await dpopRequests(keys, 'warm', 1, 0);
    return { authorization: honest.authorization, dpop: request.dpop };
  },
};

export const CREDENTIALS: Readonly<Record<string, CredentialKind>> = {
  hs256: {
    valid: async (_keys, mode, count, from) => bearer(await signTokens('HS256', mode === 'warm' ? 1 : count, { from })),
    forged: async () => bearer(await signTokens('HS256', 1, { key: randomBytes(32) }))[0],
  },
  eddsa: {
    valid: async (keys, mode, count, from) =>
      bearer(await signTokens('EdDSA', mode === 'warm' ? 1 : count, { privatePem: keys.eddsaPrivatePem, from })),
    forged: async () => bearer(await signTokens('EdDSA', 1, { key: generateKeyPairSync('ed25519').privateKey }))[0],
  },
  'dpop-hs256': dpopHs256,
};

export function credentialNamed(name: string): CredentialKind {
  const kind = CREDENTIALS[name];
  if (!kind) throw new Error(`unknown credential kind "${name}"; known: ${Object.keys(CREDENTIALS).join(', ')}`);
  return kind;
}
