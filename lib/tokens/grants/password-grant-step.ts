import type { AuthRequest } from '../../request/auth-request.js';
import type { UserAccount } from '../../users/user-directory.js';
import type { TokenRequestParameters } from './token-request.js';

/**
 * A further step of the password grant, after the password is verified and before tokens are
 * issued — e.g. a one-time code. Provide one in any module (`{ provide: PasswordGrantStep,
 * useClass: ... }`) and the token endpoint runs it on every password grant. It reads its own
 * request parameters, returns the RFC 8176 `amr` values it adds (e.g. `['otp']`), and throws an
 * `OAuthError` (e.g. `invalid_grant`) to refuse.
 */
export abstract class PasswordGrantStep {
  abstract verify(account: UserAccount, parameters: TokenRequestParameters, request: AuthRequest): Promise<readonly string[]>;
}
