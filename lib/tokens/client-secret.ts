import { createHash, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256:';

/**
 * The form in which a confidential client's secret is configured (`clients[].secretHash`): its
 * SHA-256, so the plain secret never sits in configuration or memory. Client secrets are
 * generated (32+ random bytes), which is why a fast hash is the right tool here, as for API keys.
 */
export function hashClientSecret(secret: string): string {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('hashClientSecret: the secret must be a non-empty string');
  return PREFIX + createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** The 32-byte digest inside a `sha256:...` value, or `undefined` when it is not one. */
export function parseSecretHash(value: string): Buffer | undefined {
  if (typeof value !== 'string' || !value.startsWith(PREFIX)) return undefined;
  const digest = Buffer.from(value.slice(PREFIX.length), 'base64url');
  return digest.length === 32 ? digest : undefined;
}

/** Compares a presented secret with a stored digest in constant time. */
export function secretMatches(presented: string, digest: Buffer): boolean {
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(actual, digest);
}
