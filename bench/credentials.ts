/**
 * What the load generator sends, per kind of credential (`BenchVariant.credential`): the headers
 * of valid requests for each token mode, and a forged request that every verifier must refuse.
 * A new kind of credential (DPoP proofs, API keys…) is one entry in `CREDENTIALS`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { signTokens } from './sign-tokens.js';
import type { TokenMode } from './variants.js';

export type Headers = Readonly<Record<string, string>>;

/** Keys made per run; the servers get only the public part (`VariantContext`). */
export interface BenchKeys {
  readonly eddsaPublicPem: string;
  readonly eddsaPrivatePem: string;
}

export function makeKeys(): BenchKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    eddsaPublicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    eddsaPrivatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export interface CredentialKind {
  /**
   * Headers of valid requests: `warm` one (sent on every request), `cold` `count` distinct ones
   * (each sent once before any comes back). `from` keeps pools of one run apart.
   */
  valid(keys: BenchKeys, mode: TokenMode, count: number, from: number): Promise<Headers[]>;
  /** A request with a well-formed credential that fails verification (a key we do not trust). */
  forged(keys: BenchKeys): Promise<Headers>;
}

const bearer = (tokens: readonly string[]): Headers[] => tokens.map((token) => ({ authorization: `Bearer ${token}` }));

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
};

export function credentialNamed(name: string): CredentialKind {
  const kind = CREDENTIALS[name];
  if (!kind) throw new Error(`unknown credential kind "${name}"; known: ${Object.keys(CREDENTIALS).join(', ')}`);
  return kind;
}
