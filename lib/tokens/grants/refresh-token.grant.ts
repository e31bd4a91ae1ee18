import { Injectable } from '@nestjs/common';
import { OAuthError } from '../oauth.error.js';
import { parseScope } from '../scopes.js';
import { TokenGrant, type TokenGrantContext } from './token-grant.js';
import { TokenService, type TokenSet } from '../issuance/token.service.js';
import { RequestPolicy } from '../../network/request-policy.js';

/** RFC 6749 §6: a refresh token for a new access token, rotating the refresh token every time (RFC 9700). */
@Injectable()
export class RefreshTokenGrant extends TokenGrant {
  readonly grantType = 'refresh_token';
  override readonly parameters = [{ name: 'refresh_token', description: 'Required for grant_type=refresh_token.', secret: true }];

  constructor(
    private readonly tokens: TokenService,
    private readonly requestPolicy: RequestPolicy,
  ) {
    super();
  }

  async handle({ request, parameters, client, confirmation }: TokenGrantContext): Promise<TokenSet> {
    const refreshToken = parameters.require('refresh_token');
    const scope = parameters.get('scope');
    const scopes = scope === undefined ? undefined : parseScope(scope);
    if (scopes === undefined && scope !== undefined) throw new OAuthError('invalid_scope', 'The scope parameter is malformed');
    return this.tokens.refresh(refreshToken, client, { scopes, clientAddress: this.requestPolicy.clientAddress(request), confirmation });
  }
}
