import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'sha256:';

/**
 * The form in which API keys are stored: `sha256:` + base64url(SHA-256(key)). A fast hash is the
 * right tool for random keys of 128+ bits (nothing to brute-force); passwords need `PasswordHasher`.
 */
export function hashApiKey(key: string): string {
  return PREFIX + digestApiKey(key).toString('base64url');
}

/** SHA-256 of the key's UTF-8 bytes. */
export function digestApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * A new random key: 32 bytes from the CSPRNG, base64url. A prefix (`acme_live_`) lets secret
 * scanners and people recognize it; it must be visible ASCII.
 */
export function generateApiKey(prefix = ''): string {
  if (!/^[\x21-\x7e]*$/.test(prefix)) throw new TypeError('generateApiKey: the prefix must be visible ASCII');
  return prefix + randomBytes(32).toString('base64url');
}

/** The 32-byte digest in a stored hash (`sha256:` + base64url or hex), or `undefined` when malformed. */
export function parseApiKeyHash(hash: string): Buffer | undefined {
  if (typeof hash !== 'string' || !hash.startsWith(PREFIX)) return undefined;
  const encoded = hash.slice(PREFIX.length);
  if (/^[A-Za-z0-9_-]{43}$/.test(encoded)) {
    const digest = Buffer.from(encoded, 'base64url');
    return digest.toString('base64url') === encoded ? digest : undefined;
  }
  if (/^[0-9a-fA-F]{64}$/.test(encoded)) return Buffer.from(encoded, 'hex');
  return undefined;
}
