/**
 * Password reset and email verification (`forRoot({ recovery: {...} })`). Needs a
 * `RecoveryDirectory` and an `AccountMailer` provider, and `UserDirectory.updatePasswordHash`.
 */
export interface RecoveryOptions {
  /** How long a password-reset link works. Default 30 minutes. */
  readonly resetTokenTtlMs?: number;
  /** How long an email-verification link works. Default 24 hours. */
  readonly verificationTokenTtlMs?: number;
  /** Shortest new password accepted on reset (NIST SP 800-63B asks for at least 8). Default 8. */
  readonly minPasswordLength?: number;
  /**
   * Emails sent per address (reset) or per user (verification) per `requestWindowMs`; more are
   * dropped silently (the answer does not change). It stops mail bombing; the price is that
   * someone spamming a victim's address also uses up the victim's allowance for the window. Default 5.
   */
  readonly maxRequestsPerWindow?: number;
  /** Default 1 hour. */
  readonly requestWindowMs?: number;
}
