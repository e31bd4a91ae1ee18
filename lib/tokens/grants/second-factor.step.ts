import { Injectable } from '@nestjs/common';
import { AuthError } from '../../errors/auth.error.js';
import { SecondFactor } from '../../login/second-factor.js';
import type { AuthRequest } from '../../request/auth-request.js';
import type { UserAccount } from '../../users/user-directory.js';
import { OAuthError } from '../oauth.error.js';
import { PasswordGrantStep } from './password-grant-step.js';
import type { TokenRequestParameters } from './token-request.js';

/**
 * The password grant's second step when a second factor is configured (`mfa`) and the app provides
 * no `PasswordGrantStep` of its own: an account with a second factor enrolled must send `otp` (or
 * `recovery_code`) with the password, so the token endpoint is not a way around it. Accounts
 * without one sign in with the password alone (`amr: ['pwd']`).
 */
@Injectable()
export class SecondFactorGrantStep extends PasswordGrantStep {
  constructor(private readonly secondFactor: SecondFactor) {
    super();
  }

  get enabled(): boolean {
    return this.secondFactor.enabled;
  }

  async verify(account: UserAccount, parameters: TokenRequestParameters, _request: AuthRequest): Promise<readonly string[]> {
    if (!(await this.secondFactor.isEnrolled(account.id))) return [];
    const code = parameters.get('otp');
    const recoveryCode = parameters.get('recovery_code');
    if (code === undefined && recoveryCode === undefined) {
      throw new OAuthError('invalid_grant', 'This account requires a second factor: send otp (or recovery_code) with the password');
    }
    try {
      return await this.secondFactor.verifySecondFactor(account.id, code !== undefined ? { code } : { recoveryCode });
    } catch (error) {
      if (!AuthError.isAuthError(error)) throw error;
      if (error.code === 'locked') {
        throw new OAuthError('invalid_grant', 'Too many wrong codes; try again later', {
          tooManyAttempts: true,
          retryAfterSeconds: error.retryAfterSeconds,
        });
      }
      if (error.code === 'invalid_credentials') {
        throw new OAuthError('invalid_grant', 'The one-time code is wrong or was already used');
      }
      throw error;
    }
  }
}
