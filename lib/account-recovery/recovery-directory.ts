/** A user and the address nest-warden may write to. */
export interface RecoveryContact {
  readonly userId: string;
  readonly email: string;
}

/**
 * How nest-warden finds the address of an account, for password reset and email verification.
 * Provide it in your module: `{ provide: RecoveryDirectory, useClass: UsersService }`. New
 * passwords are stored through `UserDirectory.updatePasswordHash`.
 */
export abstract class RecoveryDirectory {
  /**
   * The account registered under this address (compare as your sign-up does, usually
   * case-insensitively), or `null`. Make it cost the same whether or not the account exists
   * (one indexed query either way): the reset endpoint's timing must not tell them apart.
   */
  abstract findByEmail(email: string): Promise<RecoveryContact | null>;
  /** The user's current address, or `null` when there is none to verify. */
  abstract findContact(userId: string): Promise<RecoveryContact | null>;
  /** Records that the user proved control of `email` (only ever the address the link was sent to). */
  abstract markEmailVerified(userId: string, email: string): Promise<void>;
}
