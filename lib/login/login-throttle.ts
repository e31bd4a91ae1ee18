import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuthError } from '../errors/auth.error.js';
import { AuthStore } from '../stores/auth-store.js';
import { addressKey } from '../network/address-list.js';
import { LoginThrottleSettings } from './login-throttle-settings.js';

/**
 * Whom failures count against: the account once the directory returned one (so every spelling the
 * directory resolves to it, `carol `, `CAROL`, `carol\t`, counts on one account), else the submitted
 * name (unknown users are counted like known ones). A bare string is a submitted name.
 */
export type LoginSubject = { readonly accountId: string } | { readonly username: string };

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
 * A burst of parallel guesses must not slip past the threshold while the first ones are still
 * being hashed, so attempts are also counted the moment they arrive (`pending`, cleared by a
 * success or a lockout): between two successes or lockouts an account gets at most twice
 * `accountThreshold` checks (10 by default), however many requests arrive at once. The bound is above the threshold so that
 * a client sending the right password on several requests at once (HTTP Basic) is not refused.
 * The address counter counts failures only: successes cannot be taken back out of a counter, and
 * many users behind one address who sign in successfully must never lock each other out.
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
    settings: LoginThrottleSettings,
  ) {
    this.accountThreshold = settings.accountThreshold;
    this.addressThreshold = settings.addressThreshold;
    this.lockoutMs = settings.lockoutMs;
    this.maxLockoutMs = settings.maxLockoutMs;
    this.windowMs = settings.windowMs;
    this.backoffResetMs = settings.backoffResetMs;
  }

  /** Throws `AuthError('locked')` while the account or the client address is locked. */
  async assertAllowed(subject: LoginSubject | string, clientAddress: string | undefined): Promise<void> {
    const addressKey = this.addressKey(clientAddress);
    const [account, address] = await Promise.all([
      this.store.ttl(this.key('lock:acct', subject)),
      addressKey === undefined ? null : this.store.ttl(addressKey.lock),
    ]);
    const remaining = Math.max(account ?? 0, address ?? 0);
    if (remaining > 0) throw new AuthError('locked', { retryAfterSeconds: remaining / 1000 });
  }

  /**
   * Before a password is checked: refuses while locked, and refuses an attempt beyond the bound
   * of checks in flight for the account without checking it.
   */
  async admit(subject: LoginSubject | string, clientAddress: string | undefined): Promise<void> {
    await this.assertAllowed(subject, clientAddress);
    const pending = await this.store.increment(this.key('pending:acct', subject), this.windowMs);
    if (pending > this.accountThreshold * 2) {
      const lock = await this.store.ttl(this.key('lock:acct', subject));
      throw new AuthError('locked', { retryAfterSeconds: (lock ?? (await this.nextLockoutMs(subject))) / 1000 });
    }
  }

  /**
   * Takes back an attempt `admit` counted that was never checked (the hasher refused it with 503
   * before hashing), so a flood the server turned away does not hold the account's logins. Under
   * contention it gives up, leaving the count high: the safe side.
   */
  async release(subject: LoginSubject | string): Promise<void> {
    const key = this.key('pending:acct', subject);
    for (let attempt = 0; attempt < 4; attempt++) {
      const [current, ttl] = await Promise.all([this.store.get(key), this.store.ttl(key)]);
      const count = Number(current);
      if (current === null || ttl === null || !(count > 0)) return;
      if (await this.store.compareAndSwap(key, current, count > 1 ? String(count - 1) : null, ttl)) return;
    }
  }

  /** Records a failed check; returns the lockout it started in ms (0 when none). */
  async recordFailure(subject: LoginSubject | string, clientAddress: string | undefined): Promise<number> {
    const outcome = await this.recordFailureOutcome(subject, clientAddress);
    return Math.max(outcome.accountLockedForMs, outcome.addressLockedForMs);
  }

  /** Records a failed check; says which lockouts it started (for security events). */
  async recordFailureOutcome(subject: LoginSubject | string, clientAddress: string | undefined): Promise<LoginFailureOutcome> {
    const address = this.addressKey(clientAddress);
    const [accountFailures, addressFailures] = await Promise.all([
      this.store.increment(this.key('fail:acct', subject), this.windowMs),
      address === undefined ? 0 : this.store.increment(address.fail, this.windowMs),
    ]);
    let accountLockedForMs = 0;
    let addressLockedForMs = 0;
    if (accountFailures >= this.accountThreshold) accountLockedForMs = await this.lockAccount(subject);
    if (address !== undefined && addressFailures >= this.addressThreshold) {
      if (await this.store.setIfAbsent(address.lock, '1', this.windowMs)) addressLockedForMs = this.windowMs;
      await this.store.delete(address.fail);
    }
    return { accountLockedForMs, addressLockedForMs };
  }

  /** A successful login clears the account's failures and back-off. */
  async recordSuccess(subject: LoginSubject | string): Promise<void> {
    await Promise.all([
      this.store.delete(this.key('fail:acct', subject)),
      this.store.delete(this.key('pending:acct', subject)),
      this.store.delete(this.key('level:acct', subject)),
    ]);
  }

  /** Starts the account's next lockout (back-off doubles each time) unless one is running; returns its length. */
  private async lockAccount(subject: LoginSubject | string): Promise<number> {
    const lockedForMs = await this.nextLockoutMs(subject);
    const started = await this.store.setIfAbsent(this.key('lock:acct', subject), '1', lockedForMs);
    await Promise.all([this.store.delete(this.key('fail:acct', subject)), this.store.delete(this.key('pending:acct', subject))]);
    if (!started) return 0;
    await this.store.increment(this.key('level:acct', subject), this.backoffResetMs);
    return lockedForMs;
  }

  private async nextLockoutMs(subject: LoginSubject | string): Promise<number> {
    const level = Number((await this.store.get(this.key('level:acct', subject))) ?? '0') || 0;
    return Math.min(this.lockoutMs * 2 ** Math.min(level, 30), this.maxLockoutMs);
  }

  /**
   * Account ids are taken as they are; submitted names are case-folded (NFKC). Both hashed, in
   * separate namespaces: bounded key length, no store-syntax injection, no name colliding with an id.
   */
  private key(kind: string, subject: LoginSubject | string): string {
    if (typeof subject === 'string') subject = { username: subject };
    const text = 'accountId' in subject ? `id:${subject.accountId}` : `name:${subject.username.normalize('NFKC').toLowerCase()}`;
    return `login:${kind}:${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
  }

  /** The address's counters (`network/address-list.ts`'s one parser); none without an address. */
  private addressKey(clientAddress: string | undefined): { fail: string; lock: string } | undefined {
    const key = addressKey(clientAddress);
    if (key === undefined) return undefined;
    return { fail: `login:fail:addr:${key}`, lock: `login:lock:addr:${key}` };
  }
}
