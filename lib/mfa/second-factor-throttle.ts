import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuthError } from '../errors/auth.error.js';
import { AuthStore } from '../stores/auth-store.js';

/**
 * Bounds second-factor code checks per user: six digits are guessable without a limit (three codes
 * out of a million are valid at any moment). Every check is reserved before the code is looked at,
 * with one atomic increment of the store: of any number of parallel requests, on any number of
 * instances sharing the store, at most `maxAttempts` are checked per `lockoutMs` window (which
 * starts at the first attempt); the others answer `locked` (429 with `Retry-After`) without being
 * checked. A correct code ends the window.
 *
 * The counter lives in the protected `mfa:lock:` namespace (one key per user), so no flood of other
 * keys can evict it and hand out a fresh set of guesses.
 */
@Injectable()
export class SecondFactorThrottle {
  constructor(private readonly store: AuthStore) {}

  /** Reserves one check for `userId`; throws `locked` when the window's `maxAttempts` are spent. */
  async reserve(userId: string, maxAttempts: number, lockoutMs: number): Promise<void> {
    const key = this.key(userId);
    const attempts = await this.store.increment(key, lockoutMs);
    if (attempts <= maxAttempts) return;
    const remaining = (await this.store.ttl(key)) ?? lockoutMs;
    throw new AuthError('locked', { retryAfterSeconds: Math.max(remaining, 1000) / 1000 });
  }

  /** A correct code: the user's next checks start a new window. */
  async recordSuccess(userId: string): Promise<void> {
    await this.store.delete(this.key(userId));
  }

  private key(userId: string): string {
    return `mfa:lock:${createHash('sha256').update(userId).digest('base64url')}`;
  }
}
