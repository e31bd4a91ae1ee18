import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { type UserAccount, UserDirectory } from '../users/user-directory.js';
import { LoginThrottle } from './login-throttle.js';

export interface PasswordLoginAttempt {
  readonly username: string;
  readonly password: string;
  /** The client's address, for per-address counting. */
  readonly clientAddress?: string;
}

/**
 * The one path every password check takes (HTTP Basic, the password grant, session login), so
 * lockout, equal timing for unknown users and hash upgrades cannot be skipped on any of them.
 */
@Injectable()
export class PasswordLogin {
  private readonly logger = new Logger('nest-warden');
  private directory: UserDirectory | undefined;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  /** The account, or `AuthError` `invalid_credentials` / `locked`. */
  async verify(attempt: PasswordLoginAttempt): Promise<UserAccount> {
    const { username, password, clientAddress } = attempt;
    await this.throttle.assertAllowed(username, clientAddress);
    const account = await this.users().findByUsername(username);
    const valid =
      account && !account.disabled
        ? await this.hasher.verify(account.passwordHash, password)
        : await this.hasher.verifyDummy(password);
    if (!valid || !account) {
      const lockedFor = await this.throttle.recordFailure(username, clientAddress);
      if (lockedFor > 0) this.logger.warn(`Login locked for ${lockedFor / 1000}s after repeated failures`);
      throw new AuthError('invalid_credentials', { description: 'Invalid username or password' });
    }
    await this.throttle.recordSuccess(username);
    if (this.hasher.needsRehash(account.passwordHash) && this.users().updatePasswordHash) {
      await this.users().updatePasswordHash!(account.id, await this.hasher.hash(password));
    }
    return account;
  }

  /** The app's directory, looked up once (it lives in the app's modules, not in AuthModule). */
  users(): UserDirectory {
    if (this.directory) return this.directory;
    let found: UserDirectory | undefined;
    try {
      found = this.moduleRef.get(UserDirectory, { strict: false });
    } catch {
      found = undefined; // reported below with the fix
    }
    if (!found) {
      throw AuthConfigurationError.create(
        'password logins need a UserDirectory.',
        'Provide one in your module: { provide: UserDirectory, useClass: YourUsersService }.',
      );
    }
    return (this.directory = found);
  }
}
