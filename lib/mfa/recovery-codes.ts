import { createHash, randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'; // RFC 4648 base32: no 0/1/8/9 to confuse with O/I/B
const LENGTH = 16; // 16 × 5 bits = 80 bits per code

/** `count` fresh recovery codes, shown to the user once as `XXXX-XXXX-XXXX-XXXX`. */
export function generateRecoveryCodes(count: number): string[] {
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    let code = '';
    for (let j = 0; j < LENGTH; j++) code += ALPHABET[randomInt(ALPHABET.length)];
    codes.push(code.match(/.{4}/g)!.join('-'));
  }
  return codes;
}

/** What the user typed, canonical (case, dashes and spaces ignored), or `null` when it cannot be a code. */
export function normalizeRecoveryCode(input: string): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

/**
 * The stored form of a code. SHA-256, not argon2: each code carries 80 random bits, so an offline
 * search of the hash is out of reach without a slow hash, and an exact hash lets the directory
 * find and delete the one code in a single atomic statement (argon2 would mean one slow verify per
 * stored code on every attempt). The user id is mixed in so equal codes never share a hash.
 */
export function hashRecoveryCode(userId: string, canonicalCode: string): string {
  return createHash('sha256').update(`nest-warden:recovery-code:${userId}:${canonicalCode}`).digest('base64url');
}
