import { Injectable } from '@nestjs/common';
import { PasswordLogin } from '../../login/password-login.js';
import { RequestPolicy } from '../../network/request-policy.js';
import { AuthorizationCodes } from '../issuance/authorization-codes.js';
import { TokenService, type TokenSet } from '../issuance/token.service.js';
import { OAuthError } from '../oauth.error.js';
import { TokenGrant, type TokenGrantContext } from './token-grant.js';

const REFUSED = 'The authorization code is invalid, expired, already used, or was issued to another client';

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636, S256 only): a code from `GET /auth/authorize` for tokens.
 * The code is single-use across instances, bound to the client, the redirect URI and the code
 * verifier; a code presented again revokes the tokens it issued (RFC 6749 §4.1.2).
 */
@Injectable()
export class AuthorizationCodeGrant extends TokenGrant {
  readonly grantType = 'authorization_code';
  override readonly parameters = [
    { name: 'code', description: 'Required for grant_type=authorization_code.', secret: true },
    { name: 'redirect_uri', description: 'For grant_type=authorization_code: the redirect URI of the authorization request.' },
    { name: 'code_verifier', description: 'For grant_type=authorization_code: the PKCE code verifier (RFC 7636).', secret: true },
  ];

  constructor(
    private readonly codes: AuthorizationCodes,
    private readonly tokens: TokenService,
    private readonly login: PasswordLogin,
    private readonly requestPolicy: RequestPolicy,
  ) {
    super();
  }

  async handle({ request, parameters, client, confirmation }: TokenGrantContext): Promise<TokenSet> {
    const code = parameters.require('code');
    const verifier = parameters.get('code_verifier');
    if (verifier === undefined) throw new OAuthError('invalid_grant', 'The code_verifier (PKCE) is required');
    const outcome = await this.codes.redeem(code, client.id, parameters.get('redirect_uri'), verifier);
    if (outcome.kind === 'replayed') {
      await this.tokens.revokeGrant(outcome.grant.userId, outcome.grant.grantId);
      throw new OAuthError('invalid_grant', REFUSED);
    }
    if (outcome.kind === 'invalid') throw new OAuthError('invalid_grant', REFUSED);
    const { grant } = outcome;
    const account = await this.login.users().findById(grant.userId);
    if (!account || account.disabled) throw new OAuthError('invalid_grant', REFUSED);
    return this.tokens.issue(account, {
      clientId: client.id,
      scopes: grant.scopes,
      amr: grant.amr,
      authTime: grant.authTime,
      grantType: this.grantType,
      grantId: grant.grantId,
      confirmation,
      clientAddress: this.requestPolicy.clientAddress(request),
    });
  }
}
