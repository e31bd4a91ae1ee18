/**
 * Hashes and verifies passwords. The default is `Argon2PasswordHasher` (argon2id); replace it with
 * `{ provide: PasswordHasher, useClass: ... }` only if you must.
 */
export abstract class PasswordHasher {
  abstract hash(password: string): Promise<string>;
  /**
   * `false` for a wrong password, a malformed hash or an over-long password; never throws on bad
   * input. Rejects with `AuthError('unavailable')` (503 + `Retry-After`) when too many hashes are
   * already running and queued.
   */
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
  /**
   * Hashes computed at once. Default: the core count, at most `UV_THREADPOOL_SIZE` − 1 (libuv's
   * pool, 4 threads by default, which WebCrypto, `fs` and DNS share), at least 1.
   */
  readonly concurrency?: number;
  /**
   * Hashes waiting for a slot. When as many wait, further password checks are refused at once
   * with 503 and `Retry-After`, so a login flood cannot starve other routes. Default 64.
   */
  readonly maxQueue?: number;
}

/** Thrown by `hash()` for a password that is empty or over the length cap. */
export class PasswordPolicyError extends Error {
  override readonly name = 'PasswordPolicyError';
  readonly code = 'password_rejected';
}
