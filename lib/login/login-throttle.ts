import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { AuthOptions } from '../options/auth-options.js';
import { AuthStore } from '../stores/auth-store.js';
import { clientAddressKey } from './client-address.js';

/** An admitted password attempt: its place in the account's run of unproven attempts. */
export interface LoginAdmission {
  readonly attempt: number;
}

/** What a recorded failure started, for security events. */
export interface LoginFailureOutcome {
  /** Lockout of the account started by this failure, in ms (0: none). */
  readonly accountLockedForMs: number;
  /** Lockout of the client address started by this failure, in ms (0: none). */
  readonly addressLockedForMs: number;
}

/**
 * Counts failed password checks per account and per client address and locks either for a
 * while: 429 with `Retry-After`, the right password included. Unknown usernames are counted like
 * known ones, so lockouts reveal nothing about which accounts exist.
 *
 * The account counter is pessimistic: every attempt counts as a failure from the moment it is
 * admitted until it succeeds. So a burst of parallel guesses cannot slip past the threshold while
 * the first ones are still being hashed — at most `accountThreshold` of them are ever checked.
 * The address counter counts failures only (a success cannot be taken back out of a counter), so
 * many users behind one address who log in successfully never lock each other out.
 */
@Injectable()
export class LoginThrottle {
  readonly accountThreshold: number;
  readonly addressThreshold: number;
  private readonly lockoutMs: number;
  private readonly maxLockoutMs: number;
  private readonly windowMs: number;
  private readonly backoffResetMs: number;

  constructor(
    private readonly store: AuthStore,
    options: AuthOptions,
  ) {
    const config = options.raw.lockout ?? {};
    this.accountThreshold = positiveInteger(config.accountThreshold, 5, 'accountThreshold');
    this.addressThreshold = positiveInteger(config.addressThreshold, 100, 'addressThreshold');
    this.lockoutMs = positiveInteger(config.lockoutMs, 60_000, 'lockoutMs');
    this.maxLockoutMs = Math.max(this.lockoutMs, positiveInteger(config.maxLockoutMs, 15 * 60_000, 'maxLockoutMs'));
    this.windowMs = positiveInteger(config.windowMs, 15 * 60_000, 'windowMs');
    this.backoffResetMs = positiveInteger(config.backoffResetMs, 24 * 60 * 60_000, 'backoffResetMs');
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

  /**
   * Before a password is checked: refuses while locked, then counts the attempt against the
   * account. An attempt beyond the threshold is refused without being checked (it raced past
   * attempts that are still being verified).
   */
  async admit(username: string, clientAddress: string | undefined): Promise<LoginAdmission> {
    await this.assertAllowed(username, clientAddress);
    const attempt = await this.store.increment(this.key('fail:acct', username), this.windowMs);
    if (attempt > this.accountThreshold) {
      const lock = await this.store.ttl(this.key('lock:acct', username));
      throw new AuthError('locked', { retryAfterSeconds: (lock ?? (await this.nextLockoutMs(username))) / 1000 });
    }
    return { attempt };
  }

  /** Records a failed check of an admitted attempt; starts lockouts when a threshold is reached. */
  async recordFailure(username: string, clientAddress: string | undefined, admission?: LoginAdmission): Promise<LoginFailureOutcome> {
    const addressKey = clientAddressKey(clientAddress);
    const [accountFailures, addressFailures] = await Promise.all([
      admission ? Promise.resolve(admission.attempt) : this.store.increment(this.key('fail:acct', username), this.windowMs),
      this.store.increment(this.key('fail:addr', addressKey), this.windowMs),
    ]);
    let accountLockedForMs = 0;
    let addressLockedForMs = 0;
    if (accountFailures >= this.accountThreshold) accountLockedForMs = await this.lockAccount(username);
    if (addressFailures >= this.addressThreshold) {
      if (await this.store.setIfAbsent(this.key('lock:addr', addressKey), '1', this.windowMs)) addressLockedForMs = this.windowMs;
      await this.store.delete(this.key('fail:addr', addressKey));
    }
    return { accountLockedForMs, addressLockedForMs };
  }

  /** A successful login clears the account's failures and back-off. */
  async recordSuccess(username: string): Promise<void> {
    await Promise.all([
      this.store.delete(this.key('fail:acct', username)),
      this.store.delete(this.key('level:acct', username)),
    ]);
  }

  /** Starts the account's next lockout (back-off doubles each time) unless one is running; returns its length. */
  private async lockAccount(username: string): Promise<number> {
    const lockedForMs = await this.nextLockoutMs(username);
    const started = await this.store.setIfAbsent(this.key('lock:acct', username), '1', lockedForMs);
    await this.store.delete(this.key('fail:acct', username));
    if (!started) return 0;
    await this.store.increment(this.key('level:acct', username), this.backoffResetMs);
    return lockedForMs;
  }

  private async nextLockoutMs(username: string): Promise<number> {
    const level = Number((await this.store.get(this.key('level:acct', username))) ?? '0') || 0;
    return Math.min(this.lockoutMs * 2 ** Math.min(level, 30), this.maxLockoutMs);
  }

  /** Usernames are case-folded and hashed: bounded key length, no store-syntax injection. */
  private key(kind: string, subject: string): string {
    const normalized = subject.normalize('NFKC').toLowerCase();
    return `login:${kind}:${createHash('sha256').update(normalized).digest('base64url').slice(0, 32)}`;
  }
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw AuthConfigurationError.create(
      `lockout.${name} must be a positive integer, got ${String(value)}.`,
      'Use a whole number of attempts or milliseconds, or leave it out for the default.',
    );
  }
  return value;
}
