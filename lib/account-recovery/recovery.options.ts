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

/** Paths of the password-reset and email-verification endpoints (`forRoot({ recoveryEndpoints })`). */
export interface RecoveryEndpoints {
  /** Public `POST { email }` → 202, the same answer for every address. Default `/auth/password-reset`. */
  readonly passwordReset: string | false;
  /** Public `POST { token, password }` → 204. Default `/auth/password-reset/confirm`. */
  readonly passwordResetConfirm: string | false;
  /** Authenticated `POST` → 202: sends a link to the caller's address. Default `/auth/email-verification`. */
  readonly emailVerification: string | false;
  /** Public `POST { token }` → 204. Default `/auth/email-verification/confirm`. */
  readonly emailVerificationConfirm: string | false;
}
