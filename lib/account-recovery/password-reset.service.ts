import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../errors/auth.error.js';
import { PasswordHasher, PasswordPolicyError } from '../passwords/password-hasher.js';
import { UserRevocation } from '../revocation/user-revocation.js';
import { OneTimeTokens } from './one-time-tokens.js';
import { normalizeEmail, RecoveryContext } from './recovery-context.js';

const PURPOSE = 'reset';

/** Ties a reset link to the password it replaces: once the password changes, every older link is dead. */
const fingerprint = (passwordHash: string): Buffer => createHash('sha256').update(passwordHash).digest();

/**
 * Password reset by emailed link. `request` does the same work and answers the same whether or
 * not the address has an account; `complete` sets the new password through
 * `UserDirectory.updatePasswordHash` and then ends all the user's sessions and refresh tokens
 * through `UserRevocation`.
 */
@Injectable()
export class PasswordReset {
  /** Created by Nest (inject it); not part of the public API. @internal */
  constructor(
    private readonly context: RecoveryContext,
    private readonly tokens: OneTimeTokens,
    private readonly hasher: PasswordHasher,
    private readonly revocation: UserRevocation,
  ) {}

  /**
   * Sends a reset link if `email` belongs to an account (at most `maxRequestsPerWindow` per
   * address and window). Resolves the same way in every case, before the email is composed.
   */
  async request(email: string): Promise<void> {
    const settings = this.context.settings();
    const allowed = await this.context.allowRequest(PURPOSE, normalizeEmail(email));
    const contact = await this.context.directory().findByEmail(email.trim());
    if (!contact || !allowed) return;
    this.context.deliverLater(async () => {
      const account = await this.context.users().findById(contact.userId);
      if (!account) return null;
      const data = { uid: account.id, fp: fingerprint(account.passwordHash).toString('base64url') };
      const { token, expiresAt } = await this.tokens.issue(PURPOSE, data, settings.resetTokenTtlMs);
      return { kind: 'password-reset', to: contact.email, userId: account.id, token, expiresAt };
    });
  }

  /**
   * Sets a new password with a reset token. The token works once; it also stops working when the
   * password changed since it was issued. Throws `invalid_request` (400) for a bad token or password,
   * `unavailable` (503) if the password changed but signing out elsewhere failed.
   */
  async complete(token: string, newPassword: string): Promise<void> {
    const settings = this.context.settings();
    if ([...newPassword].length < settings.minPasswordLength) {
      throw new AuthError('invalid_request', { description: `The password must have at least ${settings.minPasswordLength} characters` });
    }
    const found = await this.tokens.find(PURPOSE, token);
    if (!found) throw this.invalidLink();
    const users = this.context.users();
    const account = await users.findById(found.data.uid);
    const expected = Buffer.from(String(found.data.fp), 'base64url');
    const current = account ? fingerprint(account.passwordHash) : undefined;
    if (!account || !current || expected.length !== current.length || !timingSafeEqual(expected, current)) {
      await this.tokens.consume(PURPOSE, token, found);
      throw this.invalidLink();
    }
    let passwordHash: string;
    try {
      passwordHash = await this.hasher.hash(newPassword);
    } catch (error) {
      if (error instanceof PasswordPolicyError) throw new AuthError('invalid_request', { description: error.message });
      throw error;
    }
    if (!(await this.tokens.consume(PURPOSE, token, found))) throw this.invalidLink();
    await users.updatePasswordHash(account.id, passwordHash);
    try {
      await this.revocation.revokeUser(account.id, 'password-reset');
    } catch (cause) {
      throw new AuthError('unavailable', {
        description: 'The password was changed, but other sessions could not be ended; sign in and log out everywhere',
        cause,
      });
    }
  }

  private invalidLink(): AuthError {
    return new AuthError('invalid_request', { description: 'The reset link is invalid or has expired' });
  }
}
