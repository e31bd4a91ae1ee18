/** One registered passkey, as the app stores it. */
export interface StoredPasskey {
  /** The credential id (base64url), unique across all users. */
  readonly id: string;
  /** Whose passkey it is. */
  readonly userId: string;
  /** The COSE public key, as `verifyRegistrationResponse` returned it; store the bytes as they are. */
  readonly publicKey: Uint8Array;
  /** The signature counter last seen (0 for authenticators that do not keep one, as most passkeys). */
  readonly counter: number;
  /** Transports the browser reported (`internal`, `hybrid`, `usb`...), passed back as hints. */
  readonly transports: readonly string[];
  /** Backup eligible: `multiDevice` passkeys may be synced; `singleDevice` ones never leave the authenticator. */
  readonly deviceType: 'singleDevice' | 'multiDevice';
  /** Backup state: the passkey is currently synced/backed up (it may change over time). */
  readonly backedUp: boolean;
  /** The user's own label. */
  readonly name: string;
  /** When it was registered (ms since epoch). */
  readonly createdAt: number;
  /** When it was last used to sign in (ms since epoch). */
  readonly lastUsedAt?: number;
}

/** What changes after a successful sign-in with a passkey. */
export interface PasskeyUse {
  /** The signature counter of this assertion (store it). */
  readonly counter: number;
  /** The backup state (BS flag) of this assertion. */
  readonly backedUp: boolean;
  /** When (ms since epoch). */
  readonly usedAt: number;
}

/**
 * Where the app keeps passkeys: durable user data (the `AuthStore` holds only the short-lived
 * challenges), so they live with your users. Provide it in your module:
 * `{ provide: PasskeyDirectory, useClass: UserPasskeyRepository }`.
 */
export abstract class PasskeyDirectory {
  /** The passkey with this credential id (any user's), or `null`. */
  abstract findById(credentialId: string): Promise<StoredPasskey | null>;
  /** The user's passkeys, oldest first. */
  abstract listByUser(userId: string): Promise<StoredPasskey[]>;
  /** Stores a new passkey. The id is unique: refuse (throw) if it exists already. */
  abstract add(passkey: StoredPasskey): Promise<void>;
  /**
   * Records a sign-in: the new counter and backup state. Make it a compare-and-set on the counter
   * (`UPDATE ... WHERE id = ? AND counter = ?`) when your authenticators keep counters, and return
   * `false` when the row changed meanwhile: the sign-in is then refused (a cloned authenticator).
   */
  abstract recordUse(credentialId: string, expectedCounter: number, use: PasskeyUse): Promise<boolean>;
  /** Renames the user's passkey; `false` when the user has no passkey with this id. */
  abstract rename(userId: string, credentialId: string, name: string): Promise<boolean>;
  /** Deletes the user's passkey; `false` when the user has no passkey with this id. */
  abstract delete(userId: string, credentialId: string): Promise<boolean>;
}
