import { Injectable } from '@nestjs/common';
import { OAuthError } from '../oauth.error.js';
import { parseScope } from '../scopes.js';
import { TokenGrant, type TokenGrantContext } from './token-grant.js';
import { isConfidential } from '../token-settings.js';
import { TokenService, type TokenSet } from '../issuance/token.service.js';
import { RequestPolicy } from '../../network/request-policy.js';

/**
 * RFC 6749 §4.4, the client credentials grant: a confidential client obtains an access token for
 * itself, for the scopes listed for it (`tokens.clients[].scopes`). The token's `sub` and
 * `client_id` are the client (RFC 9068 §2.2), its principal has `kind: 'client'`, and no refresh
 * token is issued (RFC 6749 §4.4.3). A public client is `unauthorized_client`.
 */
@Injectable()
export class ClientCredentialsGrant extends TokenGrant {
  readonly grantType = 'client_credentials';

  constructor(
    private readonly tokens: TokenService,
    private readonly requestPolicy: RequestPolicy,
  ) {
    super();
  }

  async handle({ request, parameters, client, confirmation }: TokenGrantContext): Promise<TokenSet> {
    if (!isConfidential(client)) {
      throw new OAuthError('unauthorized_client', 'Only a confidential client may use the client_credentials grant');
    }
    const scope = parameters.get('scope');
    const scopes = scope === undefined ? undefined : parseScope(scope);
    if (scope !== undefined && !scopes) throw new OAuthError('invalid_scope', 'The scope parameter is malformed');
    return this.tokens.issueForClient(client, { scopes, confirmation, clientAddress: this.requestPolicy.clientAddress(request) });
  }
}
