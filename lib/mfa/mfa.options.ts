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
