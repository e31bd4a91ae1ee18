import { Injectable } from '@nestjs/common';
import { PasskeyDirectory, type PasskeyUse, type StoredPasskey } from '../../lib/index.js';

/**
 * The sample's passkeys, in memory (a restart forgets them, and each instance has its own). A real
 * app keeps them in its database beside its users: a `passkeys` table keyed by credential id.
 */
@Injectable()
export class DemoPasskeys extends PasskeyDirectory {
  /** By credential id (the tests read it). */
  readonly passkeys = new Map<string, StoredPasskey>();

  async findById(credentialId: string): Promise<StoredPasskey | null> {
    return this.passkeys.get(credentialId) ?? null;
  }

  async listByUser(userId: string): Promise<StoredPasskey[]> {
    return [...this.passkeys.values()].filter((passkey) => passkey.userId === userId);
  }

  async add(passkey: StoredPasskey): Promise<void> {
    if (this.passkeys.has(passkey.id)) throw new Error('This credential id is registered already');
    this.passkeys.set(passkey.id, passkey);
  }

  async recordUse(credentialId: string, expectedCounter: number, use: PasskeyUse): Promise<boolean> {
    const passkey = this.passkeys.get(credentialId);
    if (!passkey || passkey.counter !== expectedCounter) return false; // compare-and-set on the counter
    this.passkeys.set(credentialId, { ...passkey, counter: use.counter, backedUp: use.backedUp, lastUsedAt: use.usedAt });
    return true;
  }

  async rename(userId: string, credentialId: string, name: string): Promise<boolean> {
    const passkey = this.passkeys.get(credentialId);
    if (passkey?.userId !== userId) return false;
    this.passkeys.set(credentialId, { ...passkey, name });
    return true;
  }

  async delete(userId: string, credentialId: string): Promise<boolean> {
    return this.passkeys.get(credentialId)?.userId === userId && this.passkeys.delete(credentialId);
  }
}
