import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { AuthEvents } from '../events/auth-events.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { type UserAccount, UserDirectory } from '../users/user-directory.js';
import { LoginThrottle, type LoginSubject } from './login-throttle.js';
import { findAppProvider } from '../di/find-app-provider.js';

export interface PasswordLoginAttempt {
  readonly username: string;
  readonly password: string;
  /** The client's address, for per-address counting. */
  readonly clientAddress?: string;
  /** Where the password was typed (`token`, `basic`, `session`...), for security events. */
  readonly channel?: string;
}

/**
 * The one path every password check takes (HTTP Basic, the password grant, session login), so
 * lockout, equal timing for unknown users, hash upgrades and security events cannot be skipped on
 * any of them.
 */
@Injectable()
export class PasswordLogin {
  private directory: UserDirectory | undefined;

  /** Created by Nest (inject it); not part of the public API. @internal */
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly events: AuthEvents,
  ) {}

  /**
   * The account, or `AuthError` `invalid_credentials` (wrong password, unknown or disabled user:
   * one answer for all three) or `locked` (429 with `Retry-After`). Rejects with
   * `StoreUnavailableError` when the lockout state cannot be read: callers fail closed (503).
   */
  async verify(attempt: PasswordLoginAttempt): Promise<UserAccount> {
    const { username, password, clientAddress, channel } = attempt;
    // The directory decides which spellings are one account (`lower(trim(x))`, collations): once it
    // returns an account, failures and the lock count on its id; unknown users on the submitted name.
    const account = await this.users().findByUsername(username);
    const subject: LoginSubject = account ? { accountId: account.id } : { username };
    try {
      await this.throttle.admit(subject, clientAddress);
    } catch (error) {
      if (AuthError.isAuthError(error) && error.code === 'locked') {
        this.events.emit({ type: 'login.failed', reason: 'locked', userId: account?.id, clientAddress, channel });
      }
      throw error;
    }
    let valid: boolean;
    try {
      valid =
        account && !account.disabled
          ? await this.hasher.verify(account.passwordHash, password)
          : await this.hasher.verifyDummy(password);
    } catch (error) {
      // Too many hashes in flight (503): the password was never checked, so the attempt does not count.
      if (AuthError.isAuthError(error) && error.code === 'unavailable') await this.throttle.release(subject);
      throw error;
    }
    if (!valid || !account) {
      const outcome = await this.throttle.recordFailureOutcome(subject, clientAddress);
      const userId = account?.id;
      this.events.emit({ type: 'login.failed', reason: 'invalid_credentials', userId, clientAddress, channel });
      if (outcome.accountLockedForMs > 0) {
        this.events.emit({ type: 'login.locked', scope: 'account', userId, lockedForMs: outcome.accountLockedForMs, clientAddress, channel });
      }
      if (outcome.addressLockedForMs > 0) {
        this.events.emit({ type: 'login.locked', scope: 'address', lockedForMs: outcome.addressLockedForMs, clientAddress, channel });
      }
      throw new AuthError('invalid_credentials', { description: 'Invalid username or password' });
    }
    await this.throttle.recordSuccess(subject);
    this.events.emit({ type: 'login.succeeded', userId: account.id, username: account.username, clientAddress, channel });
    if (this.hasher.needsRehash(account.passwordHash) && this.users().updatePasswordHash) {
      await this.users().updatePasswordHash!(account.id, await this.hasher.hash(password));
    }
    return account;
  }

  /** The app's directory, looked up once (it lives in the app's modules, not in AuthModule). */
  users(): UserDirectory {
    if (this.directory) return this.directory;
    const found = findAppProvider(this.moduleRef, UserDirectory);
    if (!found) {
      throw AuthConfigurationError.create(
        'password logins need a UserDirectory.',
        'Provide one in your module: { provide: UserDirectory, useClass: YourUsersService }.',
      );
    }
    return (this.directory = found);
  }
}
