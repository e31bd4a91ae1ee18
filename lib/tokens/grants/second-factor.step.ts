import { Injectable } from '@nestjs/common';
import { AuthError } from '../../errors/auth.error.js';
import type { AuthRequest } from '../../request/auth-request.js';
import { OAuthError } from '../oauth.error.js';
import { PasswordGrantStep } from './password-grant-step.js';
import type { TokenRequestParameters } from './token-request.js';
import type { UserAccount } from '../../users/user-directory.js';
import { TotpService } from '../../mfa/totp.service.js';

/**
 * The password grant's second step when `mfa` is configured and the app provides no
 * `PasswordGrantStep` of its own: a user with TOTP enrolled must send `otp` (or `recovery_code`)
 * with the password, so the token endpoint is not a way around the second factor. Users without
 * TOTP sign in with the password alone (`amr: ['pwd']`).
 */
@Injectable()
export class TotpPasswordGrantStep extends PasswordGrantStep {
  constructor(private readonly totp: TotpService) {
    super();
  }

  async verify(account: UserAccount, parameters: TokenRequestParameters, _request: AuthRequest): Promise<readonly string[]> {
    if (!(await this.totp.isEnrolled(account.id))) return [];
    const code = parameters.get('otp');
    const recoveryCode = parameters.get('recovery_code');
    if (code === undefined && recoveryCode === undefined) {
      throw new OAuthError('invalid_grant', 'This account requires a second factor: send otp (or recovery_code) with the password');
    }
    try {
      await this.totp.verifySecondFactor(account.id, code !== undefined ? { code } : { recoveryCode });
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
    return ['otp'];
  }
}
