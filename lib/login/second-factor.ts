import { AuthError } from '../errors/auth.error.js';

/** What a caller sends as a second factor: a one-time code, or one of the account's recovery codes. */
export interface SecondFactorProof {
  readonly code?: string;
  readonly recoveryCode?: string;
}

/**
 * The second factor of the sign-ins that take a password, one policy for all of them (HTTP Basic,
 * the token endpoint's password grant, session login and step-up), applied by `PasswordLogin`.
 * TOTP implements it when `mfa` is configured.
 */
export abstract class SecondFactor {
  /** Whether a second factor is configured at all. */
  abstract get enabled(): boolean;

  /**
   * Whether an enrolled account must send its second factor with its password on every path that
   * takes one (HTTP Basic, the password grant, session login). Default `true`; `false` lets it sign
   * in with the password alone and step up later (`mfa.passwordLogins: 'step-up'`).
   */
  get requiredWithPassword(): boolean {
    return true;
  }

  /** Whether the account has enrolled a second factor (and so must present it). */
  abstract isEnrolled(userId: string): Promise<boolean>;

  /**
   * Checks the proof and resolves the RFC 8176 `amr` values it shows (`['otp']`). Rejects with
   * `AuthError` `invalid_credentials` (wrong or reused), `locked` (too many attempts) or `invalid_request`.
   */
  abstract verifySecondFactor(userId: string, proof: SecondFactorProof): Promise<readonly string[]>;
}

/**
 * A wrong second-factor code on an authenticated route is a 400, not a 401: clients read 401 as
 * "your session is gone" and would drop a perfectly good session over a typo.
 */
export function wrongCodeIsBadRequest(error: unknown): unknown {
  if (AuthError.isAuthError(error) && error.code === 'invalid_credentials') {
    return new AuthError('invalid_request', { description: error.description, cause: error });
  }
  return error;
}
