import { Injectable } from '@nestjs/common';
import { type AccountMail, AccountMailer, type RecoveryContact, RecoveryDirectory } from '../../lib/index.js';

/** Captures what nest-warden asks to send: `{ provide: AccountMailer, useExisting: CapturingMailer }`. */
@Injectable()
export class CapturingMailer extends AccountMailer {
  readonly sent: AccountMail[] = [];

  async send(mail: AccountMail): Promise<void> {
    this.sent.push(mail);
  }

  /** Removes and returns everything sent so far. */
  drain(): AccountMail[] {
    return this.sent.splice(0, this.sent.length);
  }
}

/** Addresses for the test users: `{ provide: RecoveryDirectory, useExisting: InMemoryContacts }`. */
@Injectable()
export class InMemoryContacts extends RecoveryDirectory {
  readonly emails = new Map<string, string>();
  readonly verified = new Set<string>();

  async findByEmail(email: string): Promise<RecoveryContact | null> {
    for (const [userId, address] of this.emails) if (address.toLowerCase() === email.toLowerCase()) return { userId, email: address };
    return null;
  }

  async findContact(userId: string): Promise<RecoveryContact | null> {
    const email = this.emails.get(userId);
    return email === undefined ? null : { userId, email };
  }

  async markEmailVerified(userId: string, email: string): Promise<void> {
    this.verified.add(`${userId}:${email}`);
  }
}
