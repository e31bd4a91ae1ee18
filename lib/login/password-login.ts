import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { AuthEvents } from '../events/auth-events.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { type UserAccount, UserDirectory } from '../users/user-directory.js';
import { LoginThrottle, type LoginSubject } from './login-throttle.js';
import { findAppProvider } from '../di/find-app-provider.js';
import { SecondFactor, type SecondFactorProof } from './second-factor.js';

export interface PasswordLoginAttempt {
  readonly username: string;
  readonly password: string;
  /** The client's address, for per-address counting. */
  readonly clientAddress?: string;
  /** Where the password was typed (`token`, `basic`, `session`...), for security events. */
  readonly channel?: string;
  /**
   * The second factor sent with the password (`otp` / `recovery_code` of the password grant, `code` /
   * `recoveryCode` of the session login). Checked only after the password was, and only for an
   * account that has enrolled one.
   */
  readonly secondFactor?: SecondFactorProof;
}

/** A completed password sign-in: the account, and the RFC 8176 `amr` values it proved (`pwd`, `otp`). */
export interface PasswordLoginResult {
  readonly account: UserAccount;
  readonly amr: readonly string[];
}

/**
 * The one path every password check takes (HTTP Basic, the password grant, session login), so
 * lockout, equal timing for unknown users, hash upgrades, security events and the second-factor
 * policy cannot be skipped on any of them.
 *
 * The second-factor policy (`mfa.passwordLogins`): by default (`'require'`) an account that has
 * enrolled a second factor signs in only with it, sent in the same request as the password. A
 * missing, wrong, replayed or locked second factor gets exactly the answer of a wrong password (and
 * counts as a failure towards the account's lockout), so no answer confirms a password before the
 * second factor passed; the failure count is cleared only when the whole sign-in succeeds. With
 * `'step-up'` an enrolled account may sign in with its password alone (`amr: ['pwd']`) and step up
 * later; a second factor sent with the password is still checked.
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
    private readonly secondFactor: SecondFactor,
  ) {}

  /**
   * The account, or `AuthError` `invalid_credentials` (wrong password, unknown or disabled user, a
   * second factor missing or wrong: one answer for all) or `locked` (429 with `Retry-After`). Rejects
   * with `StoreUnavailableError` when the lockout state cannot be read: callers fail closed (503).
   * The second-factor policy applies: use {@link PasswordLogin.signIn} to learn the `amr`.
   */
  async verify(attempt: PasswordLoginAttempt): Promise<UserAccount> {
    return (await this.signIn(attempt)).account;
  }

  /** {@link PasswordLogin.verify}, with the `amr` values the sign-in proved (`['pwd']`, `['pwd', 'otp']`). */
  async signIn(attempt: PasswordLoginAttempt): Promise<PasswordLoginResult> {
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
      throw this.invalid();
    }
    const amr = ['pwd', ...(await this.checkSecondFactor(account, attempt, subject))];
    await this.throttle.recordSuccess(subject);
    this.events.emit({ type: 'login.succeeded', userId: account.id, username: account.username, clientAddress, channel });
    if (this.hasher.needsRehash(account.passwordHash) && this.users().updatePasswordHash) {
      await this.users().updatePasswordHash!(account.id, await this.hasher.hash(password));
    }
    return { account, amr };
  }

  /**
   * After a right password: the `amr` the second factor adds, or the wrong-password answer (counted
   * as a failure) when the policy wants one and it is missing, wrong, replayed or locked. The
   * second factor's own answers (`locked`, "requires a second factor") would confirm the password.
   */
  private async checkSecondFactor(account: UserAccount, attempt: PasswordLoginAttempt, subject: LoginSubject): Promise<readonly string[]> {
    const factor = this.secondFactor;
    if (!factor.enabled) return [];
    const proof = attempt.secondFactor;
    const sent = proof !== undefined && (proof.code !== undefined || proof.recoveryCode !== undefined);
    if (!sent && !factor.requiredWithPassword) return [];
    if (!(await factor.isEnrolled(account.id))) return [];
    try {
      if (!sent) throw this.invalid();
      return await factor.verifySecondFactor(account.id, proof);
    } catch (error) {
      if (!AuthError.isAuthError(error) || error.code === 'unavailable') throw error; // store outage: 503, as for the password
      const outcome = await this.throttle.recordFailureOutcome(subject, attempt.clientAddress);
      const { clientAddress, channel } = attempt;
      this.events.emit({ type: 'login.failed', reason: 'invalid_credentials', userId: account.id, clientAddress, channel });
      if (outcome.accountLockedForMs > 0) {
        this.events.emit({ type: 'login.locked', scope: 'account', userId: account.id, lockedForMs: outcome.accountLockedForMs, clientAddress, channel });
      }
      throw this.invalid();
    }
  }

  /** One answer for every failed sign-in: a missing or wrong second factor included. */
  private invalid(): AuthError {
    return new AuthError('invalid_credentials', { description: 'Invalid username or password' });
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
