import { type Abstract, type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { AuthStore } from '../stores/auth-store.js';
import { UserDirectory } from '../users/user-directory.js';
import { type AccountMail, AccountMailer } from './account-mailer.js';
import { RecoveryDirectory } from './recovery-directory.js';
import { type RecoveryConfig, RecoverySettings } from './recovery-settings.js';
import { findAppProvider } from '../di/find-app-provider.js';


/**
 * What password reset and email verification share: settings, the app's hooks (resolved once
 * and checked at boot), per-subject request limits, and delivery after the answer.
 */
@Injectable()
export class RecoveryContext implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('nest-warden');
  private readonly config: RecoveryConfig | undefined;
  private readonly resolved = new Map<Abstract<unknown>, unknown>();
  private readonly deliveries = new Set<Promise<void>>();

  constructor(
    private readonly recoverySettings: RecoverySettings,
    private readonly store: AuthStore,
    private readonly moduleRef: ModuleRef,
  ) {
    this.config = recoverySettings.config;
  }

  get enabled(): boolean {
    return this.config !== undefined;
  }

  settings(): RecoveryConfig {
    return this.recoverySettings.require();
  }

  onApplicationBootstrap(): void {
    if (!this.config) return;
    this.directory();
    this.mailer();
    this.users();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  /** Resolves once every email started so far has been handed to the mailer (or failed). */
  async settled(): Promise<void> {
    while (this.deliveries.size) await Promise.allSettled([...this.deliveries]);
  }

  directory(): RecoveryDirectory {
    return this.resolve(RecoveryDirectory, '{ provide: RecoveryDirectory, useClass: YourUsersService }');
  }

  mailer(): AccountMailer {
    return this.resolve(AccountMailer, '{ provide: AccountMailer, useClass: YourMailer }');
  }

  /** The app's `UserDirectory`, which must be able to store a new password hash. */
  users(): UserDirectory & Required<Pick<UserDirectory, 'updatePasswordHash'>> {
    const users = this.resolve(UserDirectory, '{ provide: UserDirectory, useClass: YourUsersService }');
    if (typeof users.updatePasswordHash !== 'function') {
      throw AuthConfigurationError.create(
        'password reset needs UserDirectory.updatePasswordHash, which your UserDirectory does not implement.',
        'Implement updatePasswordHash(id, passwordHash) to store new passwords.',
      );
    }
    return users as UserDirectory & Required<Pick<UserDirectory, 'updatePasswordHash'>>;
  }

  /** Counts a request for `subject`; `false` once the window's allowance is used up. */
  async allowRequest(kind: string, subject: string): Promise<boolean> {
    const settings = this.settings();
    const key = `recovery:rate:${kind}:${createHash('sha256').update(subject).digest('base64url')}`;
    return (await this.store.increment(key, settings.requestWindowMs)) <= settings.maxRequestsPerWindow;
  }

  /**
   * Composes and sends an email after the request has been answered, so neither the token's
   * store write nor the mailer's latency shows in the response time. Failures are logged (without
   * the token) and never reach the client.
   */
  deliverLater(compose: () => Promise<AccountMail | null>): void {
    const delivery = (async () => {
      try {
        const mail = await compose();
        if (mail) await this.mailer().send(mail);
      } catch (error) {
        this.logger.error('Could not send an account email', (error as Error | undefined)?.stack);
      }
    })();
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
  }

  private resolve<T>(token: Abstract<T>, provider: string): T {
    const cached = this.resolved.get(token);
    if (cached) return cached as T;
    const found = findAppProvider(this.moduleRef, token);
    if (!found) {
      throw AuthConfigurationError.create(
        `the recovery option needs a ${token.name} provider.`,
        `Provide one in your module: ${provider}.`,
      );
    }
    this.resolved.set(token, found);
    return found;
  }
}

/** The form an address is counted under (not what is passed to the directory). */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase();
}
