import type { TokenConfirmation } from '../issuance/access-tokens.js';
import type { TokenSet } from '../issuance/token.service.js';
import type { TokenClient } from '../token-settings.js';
import type { FormRequest, TokenRequestParameters } from './token-request.js';

/** One token request after client authentication. */
export interface TokenGrantContext {
  readonly request: FormRequest;
  /** The form parameters, each at most once (a repeated parameter is refused before a grant runs). */
  readonly parameters: TokenRequestParameters;
  /** The authenticated client, already allowed to use this grant. */
  readonly client: TokenClient;
  /**
   * The key of the request's verified DPoP proof (RFC 9449), when it carries one: pass it to
   * `TokenService` (`confirmation`) so the tokens are bound to it and answered as `token_type: DPoP`.
   */
  readonly confirmation?: TokenConfirmation;
}

/** Parameters of a grant for the OpenAPI document of the token endpoint. */
export interface TokenGrantParameter {
  readonly name: string;
  readonly description: string;
  /** Shown masked in Swagger UI. */
  readonly secret?: boolean;
}

/**
 * A `grant_type` of the token endpoint (RFC 6749 §4). The built-in grants implement it, and so can
 * yours: an `@Injectable()` provided in one of your modules and listed in
 * `AuthModule.forRoot({ grants: [MyGrant] })`. The endpoint authenticates the client, checks that it
 * may use the grant, runs `handle`, and writes the RFC 6749 §5.1 answer; throw an `OAuthError`
 * (e.g. `invalid_grant`) to refuse with an RFC 6749 §5.2 error body.
 */
export abstract class TokenGrant {
  /** The `grant_type` value: a registered name or an absolute URI (RFC 6749 §4.5). */
  abstract readonly grantType: string;

  /** Request parameters the grant reads, for the OpenAPI document. */
  readonly parameters: readonly TokenGrantParameter[] = [];

  abstract handle(context: TokenGrantContext): Promise<TokenSet>;

  /**
   * Whether the grant is offered at all (e.g. the password grant only with `tokens.passwordGrant`).
   * A grant that is not enabled is left out of the endpoint, the metadata and the OpenAPI document.
   */
  isEnabled(): boolean {
    return true;
  }

  /**
   * Called at boot when the token endpoint is mounted: throw an `AuthConfigurationError` naming what
   * the grant is missing (the password grant: a `UserDirectory`), so a gap fails `app.init()`.
   */
  assertUsable(): void {}
}
