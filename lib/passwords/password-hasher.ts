/**
 * Hashes and verifies passwords. The default is `Argon2PasswordHasher` (argon2id); replace it with
 * `{ provide: PasswordHasher, useClass: ... }` only if you must.
 */
export abstract class PasswordHasher {
  abstract hash(password: string): Promise<string>;
  /** `false` for a wrong password, a malformed hash or an over-long password; never throws on bad input. */
  abstract verify(hash: string, password: string): Promise<boolean>;
  /** `true` when the hash was made with weaker parameters than today's: rehash after a successful login. */
  abstract needsRehash(hash: string): boolean;
  /** Spends the time of one `verify` and returns `false`: call it for unknown users (no enumeration by timing). */
  abstract verifyDummy(password: string): Promise<false>;
}

export interface PasswordHasherOptions {
  /** KiB of memory. Default 19456 (OWASP). */
  readonly memoryCost?: number;
  /** Iterations. Default 2 (OWASP). */
  readonly timeCost?: number;
  /** Lanes. Default 1 (OWASP). */
  readonly parallelism?: number;
  /** Longest password accepted, in UTF-8 bytes; checked before any hashing. Default 1024. */
  readonly maxPasswordBytes?: number;
}

/** Thrown by `hash()` for a password that is empty or over the length cap. */
export class PasswordPolicyError extends Error {
  override readonly name = 'PasswordPolicyError';
}
