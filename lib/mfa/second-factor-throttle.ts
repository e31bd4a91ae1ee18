import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuthError } from '../errors/auth.error.js';
import { AuthStore } from '../stores/auth-store.js';

/**
 * Counts wrong second-factor codes per user: six digits are guessable without a limit (three
 * codes out of a million are valid at any moment). `maxAttempts` failures within `lockoutMs` lock
 * verification for `lockoutMs` (429 with `Retry-After`).
 */
@Injectable()
export class SecondFactorThrottle {
  constructor(private readonly store: AuthStore) {}

  async assertAllowed(userId: string): Promise<void> {
    const remaining = await this.store.ttl(this.key('lock', userId));
    if (remaining !== null && remaining > 0) throw new AuthError('locked', { retryAfterSeconds: remaining / 1000 });
  }

  async recordFailure(userId: string, maxAttempts: number, lockoutMs: number): Promise<void> {
    const failures = await this.store.increment(this.key('fail', userId), lockoutMs);
    if (failures < maxAttempts) return;
    await this.store.set(this.key('lock', userId), '1', lockoutMs);
    await this.store.delete(this.key('fail', userId));
  }

  async recordSuccess(userId: string): Promise<void> {
    await this.store.delete(this.key('fail', userId));
  }

  private key(kind: string, userId: string): string {
    return `mfa:${kind}:${createHash('sha256').update(userId).digest('base64url')}`;
  }
}
