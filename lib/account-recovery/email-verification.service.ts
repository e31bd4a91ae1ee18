import { Injectable } from '@nestjs/common';
import { AuthError } from '../errors/auth.error.js';
import { OneTimeTokens } from './one-time-tokens.js';
import { normalizeEmail, RecoveryContext } from './recovery-context.js';
import type { RecoveryContact } from './recovery-directory.js';

const PURPOSE = 'verify';

/**
 * Email verification by emailed link. Call `send(userId)` after sign-up or an address change;
 * the link's token is bound to the address it was sent to, so it cannot verify a later one.
 */
@Injectable()
export class EmailVerification {
  /** Created by Nest (inject it); not part of the public API. @internal */
  constructor(
    private readonly context: RecoveryContext,
    private readonly tokens: OneTimeTokens,
  ) {}

  /** Sends a verification link to the user's current address (rate limited per user). */
  async send(userId: string): Promise<void> {
    const settings = this.context.settings();
    const allowed = await this.context.allowRequest(PURPOSE, userId);
    const contact = await this.context.directory().findContact(userId);
    if (!contact || !allowed) return;
    this.context.deliverLater(async () => {
      const data = { uid: contact.userId, email: contact.email };
      const { token, expiresAt } = await this.tokens.issue(PURPOSE, data, settings.verificationTokenTtlMs);
      return { kind: 'email-verification', to: contact.email, userId: contact.userId, token, expiresAt };
    });
  }

  /** Uses a verification token once and marks its address verified; `invalid_request` (400) otherwise. */
  async confirm(token: string): Promise<RecoveryContact> {
    this.context.settings();
    const found = await this.tokens.find(PURPOSE, token);
    if (!found) throw this.invalidLink();
    const { uid, email } = found.data;
    const contact = await this.context.directory().findContact(uid);
    if (!contact || normalizeEmail(contact.email) !== normalizeEmail(email)) {
      await this.tokens.consume(PURPOSE, token, found);
      throw this.invalidLink();
    }
    if (!(await this.tokens.consume(PURPOSE, token, found))) throw this.invalidLink();
    await this.context.directory().markEmailVerified(uid, email);
    return { userId: uid, email };
  }

  private invalidLink(): AuthError {
    return new AuthError('invalid_request', { description: 'The verification link is invalid or has expired' });
  }
}
