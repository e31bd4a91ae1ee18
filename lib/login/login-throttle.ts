import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuthError } from '../errors/auth.error.js';
import { AuthOptions } from '../options/auth-options.js';
import { AuthStore } from '../stores/auth-store.js';
import { clientAddressKey } from './client-address.js';

/**
 * Counts failed password checks per account and per client address and locks either for a
 * while: 429 with `Retry-After`, the right password included. Unknown usernames are counted like
 * known ones, so lockouts reveal nothing about which accounts exist.
 */
@Injectable()
export class LoginThrottle {
  private readonly accountThreshold: number;
  private readonly addressThreshold: number;
  private readonly lockoutMs: number;
  private readonly maxLockoutMs: number;
  private readonly windowMs: number;
  private readonly backoffResetMs: number;

  constructor(
    private readonly store: AuthStore,
    options: AuthOptions,
  ) {
    const config = options.raw.lockout ?? {};
    this.accountThreshold = config.accountThreshold ?? 5;
    this.addressThreshold = config.addressThreshold ?? 100;
    this.lockoutMs = config.lockoutMs ?? 60_000;
    this.maxLockoutMs = config.maxLockoutMs ?? 15 * 60_000;
    this.windowMs = config.windowMs ?? 15 * 60_000;
    this.backoffResetMs = config.backoffResetMs ?? 24 * 60 * 60_000;
  }

  /** Throws `AuthError('locked')` while the account or the client address is locked. */
  async assertAllowed(username: string, clientAddress: string | undefined): Promise<void> {
    const [account, address] = await Promise.all([
      this.store.ttl(this.key('lock:acct', username)),
      this.store.ttl(this.key('lock:addr', clientAddressKey(clientAddress))),
    ]);
    const remaining = Math.max(account ?? 0, address ?? 0);
    if (remaining > 0) throw new AuthError('locked', { retryAfterSeconds: remaining / 1000 });
  }

  /** Records a failure; returns the lockout it started in ms (0 when none). */
  async recordFailure(username: string, clientAddress: string | undefined): Promise<number> {
    const addressKey = clientAddressKey(clientAddress);
    const [accountFailures, addressFailures] = await Promise.all([
      this.store.increment(this.key('fail:acct', username), this.windowMs),
      this.store.increment(this.key('fail:addr', addressKey), this.windowMs),
    ]);
    let lockedFor = 0;
    if (accountFailures >= this.accountThreshold) {
      const level = await this.store.increment(this.key('level:acct', username), this.backoffResetMs);
      lockedFor = Math.min(this.lockoutMs * 2 ** Math.min(level - 1, 30), this.maxLockoutMs);
      await this.store.set(this.key('lock:acct', username), '1', lockedFor);
      await this.store.delete(this.key('fail:acct', username));
    }
    if (addressFailures >= this.addressThreshold) {
      await this.store.set(this.key('lock:addr', addressKey), '1', this.windowMs);
      await this.store.delete(this.key('fail:addr', addressKey));
      lockedFor = Math.max(lockedFor, this.windowMs);
    }
    return lockedFor;
  }

  /** A successful login clears the account's failures and back-off. */
  async recordSuccess(username: string): Promise<void> {
    await Promise.all([
      this.store.delete(this.key('fail:acct', username)),
      this.store.delete(this.key('level:acct', username)),
    ]);
  }

  /** Usernames are case-folded and hashed: bounded key length, no store-syntax injection. */
  private key(kind: string, subject: string): string {
    const normalized = subject.normalize('NFKC').toLowerCase();
    return `login:${kind}:${createHash('sha256').update(normalized).digest('base64url').slice(0, 32)}`;
  }
}
