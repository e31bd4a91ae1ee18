import { Injectable, Logger } from '@nestjs/common';

/** Why a user's credentials are being ended; listeners may log it or treat reasons differently. */
export type RevocationReason = 'password-reset' | 'logout-everywhere' | (string & {});

/** Ends one kind of credential (sessions, refresh tokens, ...) for a user. */
export type RevocationListener = (userId: string, reason: RevocationReason) => Promise<void> | void;

/**
 * The one place that says "end everything this user holds". Features that keep long-lived
 * credentials subscribe (sessions do; the refresh-token store should): a password reset or
 * "log out everywhere" then reaches all of them without knowing any of them.
 *
 * @example
 * constructor(revocation: UserRevocation) { revocation.subscribe((userId) => this.revokeRefreshTokens(userId)); }
 */
@Injectable()
export class UserRevocation {
  private readonly logger = new Logger('nest-warden');
  private readonly listeners = new Set<RevocationListener>();

  /** Adds a listener (call it in `onModuleInit`); returns a function that removes it. */
  subscribe(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs every listener, all of them even when one fails, then rejects with the first failure:
   * a caller never believes a user was signed out everywhere when they were not.
   */
  async revokeUser(userId: string, reason: RevocationReason): Promise<void> {
    const results = await Promise.allSettled([...this.listeners].map(async (listener) => listener(userId, reason)));
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length === 0) return;
    for (const failure of failed) {
      this.logger.error(`Revoking credentials (${reason}) failed`, (failure.reason as Error | undefined)?.stack);
    }
    throw failed[0].reason;
  }
}
