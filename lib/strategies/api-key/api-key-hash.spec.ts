import { createHash } from 'node:crypto';
import { digestApiKey, generateApiKey, hashApiKey, parseApiKeyHash } from './api-key-hash.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The same 32 bytes with a non-zero bit among the last character's two unused bits. */
const nonCanonical = (encoded: string) => encoded.slice(0, 42) + ALPHABET[ALPHABET.indexOf(encoded[42]) | 1];

describe('hashApiKey', () => {
  it('is sha256: + base64url(SHA-256(utf8 key))', () => {
    const expected = createHash('sha256').update('key-ü', 'utf8').digest('base64url');
    expect(hashApiKey('key-ü')).toBe(`sha256:${expected}`);
    expect(hashApiKey('key-ü')).toHaveLength(7 + 43);
  });

  it('round-trips through parseApiKeyHash, in base64url and in hex (`sha256sum` output)', () => {
    const digest = digestApiKey('some-key');
    expect(parseApiKeyHash(hashApiKey('some-key'))).toEqual(digest);
    expect(parseApiKeyHash(`sha256:${digest.toString('hex')}`)).toEqual(digest);
    expect(parseApiKeyHash(`sha256:${digest.toString('hex').toUpperCase()}`)).toEqual(digest);
  });

  it.each([
    ['no prefix', digestApiKey('k').toString('base64url')],
    ['another algorithm', `md5:${digestApiKey('k').toString('base64url')}`],
    ['a short digest', 'sha256:abc'],
    ['standard base64 characters', `sha256:${digestApiKey('k').toString('base64').slice(0, 43).replace(/[A-Za-z]/, '+')}`],
    ['non-canonical trailing bits', `sha256:${nonCanonical(digestApiKey('k').toString('base64url'))}`],
    ['the key itself', 'sha256:my-plain-api-key'],
    ['not a string', 42],
  ])('refuses %s', (_label, hash) => {
    expect(parseApiKeyHash(hash as string)).toBeUndefined();
  });
});

describe('generateApiKey', () => {
  it('makes 256-bit base64url keys with an optional prefix', () => {
    const key = generateApiKey('acme_live_');
    expect(key).toMatch(/^acme_live_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(10), 'base64url')).toHaveLength(32);
    expect(generateApiKey()).not.toBe(generateApiKey());
  });

  it('refuses a prefix that cannot travel in a header', () => {
    expect(() => generateApiKey('my key ')).toThrow(TypeError);
    expect(() => generateApiKey('clé_')).toThrow(TypeError);
  });
});
