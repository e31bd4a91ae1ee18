/** A confirmed TOTP enrollment, as the app stores it. */
export interface TotpEnrollment {
  /**
   * The shared secret (base32). It lets anyone compute the user's codes: encrypt it at rest
   * (e.g. with a key from your KMS) in `saveTotp` and decrypt it in `findTotp`.
   */
  readonly secret: string;
  /** SHA-256 hashes (base64url) of the unused recovery codes; the codes themselves are never stored. */
  readonly recoveryCodeHashes: readonly string[];
}

/**
 * Where the app keeps second-factor enrollments: they are durable user data (the `AuthStore`
 * holds only expiring state), so they live with your users. Provide it in your module:
 * `{ provide: MfaDirectory, useClass: UserMfaRepository }`.
 */
export abstract class MfaDirectory {
  /** The user's confirmed TOTP enrollment, or `null`. */
  abstract findTotp(userId: string): Promise<TotpEnrollment | null>;
  /** Stores (creates or replaces) the user's enrollment. */
  abstract saveTotp(userId: string, enrollment: TotpEnrollment): Promise<void>;
  /** Removes the user's enrollment (TOTP off). */
  abstract deleteTotp(userId: string): Promise<void>;
  /**
   * Removes one recovery-code hash and says whether it was there. Make it atomic (e.g.
   * `DELETE ... WHERE user_id = ? AND hash = ?` and check the row count), so a code works once.
   */
  abstract consumeRecoveryCode(userId: string, codeHash: string): Promise<boolean>;
}
