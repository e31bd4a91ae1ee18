/** TOTP two-factor authentication (`forRoot({ mfa: {...} })`); needs an `MfaDirectory` provider. */
export interface MfaOptions {
  /** Shown in authenticator apps (`issuer` of the `otpauth://` URI). Default: the module's `realm`. */
  readonly issuer?: string;
  /** Time steps accepted either side of the current one (clock drift). Default 1 (±30 s); at most 2. */
  readonly window?: number;
  /** How long a started enrollment waits for its confirming code. Default 10 minutes. */
  readonly enrollmentTtlMs?: number;
  /** Recovery codes issued at enrollment. Default 10. */
  readonly recoveryCodes?: number;
  /**
   * Codes (TOTP or recovery) checked per user per `lockoutMs` window; each is counted before it is
   * checked, so parallel requests cannot exceed it. A correct code starts a new window. Default 5.
   */
  readonly maxAttempts?: number;
  /** The window in which attempts are counted, from the first one; verification stays locked until it ends. Default 15 minutes. */
  readonly lockoutMs?: number;
  /**
   * What an account that has enrolled a second factor needs on the paths that take a password (HTTP
   * Basic, the password grant, session login): one policy for all of them.
   * - `'require'` (default): the second factor, in the same request as the password (`otp` or
   *   `recovery_code` on the password grant, `code` or `recoveryCode` on the session login; HTTP
   *   Basic cannot carry one, so enrolled accounts cannot use it). A missing or wrong one gets the
   *   wrong-password answer, so no answer confirms the password alone.
   * - `'step-up'`: the password alone signs in (`amr: ['pwd']`); routes with `@Auth({ mfa: true })`
   *   ask for the second factor (session step-up). The login's answer then tells a right password
   *   from a wrong one, as it does for accounts without a second factor.
   */
  readonly passwordLogins?: 'require' | 'step-up';
}

/** Paths of the TOTP management endpoints (`forRoot({ mfaEndpoints })`); `false` leaves one out. */
export interface MfaEndpoints {
  /** `POST` starts an enrollment (`{ secret, uri, expiresAt }`); `DELETE` turns TOTP off (needs a second factor). Default `/auth/mfa/totp`. */
  readonly totp: string | false;
  /** `POST { code }` confirms the enrollment → `{ recoveryCodes }`. Default `/auth/mfa/totp/confirm`. */
  readonly confirm: string | false;
  /** `POST` replaces the recovery codes (needs a second factor) → `{ recoveryCodes }`. Default `/auth/mfa/recovery-codes`. */
  readonly recoveryCodes: string | false;
}
