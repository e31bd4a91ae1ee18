import type { TokenClient } from '../token-settings.js';
import type { FormRequest, TokenRequestParameters } from './token-request.js';
import type { TokenSet } from '../issuance/token.service.js';

/** One token request after client authentication. */
export interface TokenGrantContext {
  readonly request: FormRequest;
  readonly parameters: TokenRequestParameters;
  readonly client: TokenClient;
}

/** A `grant_type` the token endpoint implements. */
export abstract class TokenGrant {
  abstract readonly grantType: string;
  abstract handle(context: TokenGrantContext): Promise<TokenSet>;
}
