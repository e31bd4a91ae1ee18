import type { SwaggerDocumentOptions } from '@nestjs/swagger';

/**
 * An OAuth2 password-flow scheme (RFC 6749 §4.3) pointing at your token endpoint, so Swagger UI's
 * Authorize dialog can sign a person in. The tokens it issues are bearer tokens that one of your
 * strategies verifies (`strategies`, default `['jwt']`): every route accepting that strategy lists
 * this scheme too, with the scopes `@Scopes()` demands.
 *
 * When the module mounts its own token endpoint (`tokenEndpoints`) with the password grant, the
 * scheme is derived from the module: the endpoint's path, the refresh URL when refresh tokens are
 * on, `tokens.scopes` with their descriptions. Fields given here override what is derived.
 */
export interface OAuth2PasswordFlowOptions {
  /** The token endpoint, e.g. `/auth/token` (relative URLs resolve against the server URL). Default: the mounted one. */
  readonly tokenUrl?: string;
  /** Where refresh tokens are exchanged; usually the token endpoint too. */
  readonly refreshUrl?: string;
  /**
   * The authorization endpoint, e.g. `/auth/authorize`: the dialog then offers the authorization
   * code flow (with PKCE when Swagger UI is set up with `usePkceWithAuthorizationCodeGrant`).
   * Default: the mounted one, when the authorization code grant is on and a client has redirect URIs.
   */
  readonly authorizationUrl?: string;
  /** Offer the password flow. Default: when the token endpoint has the password grant (`tokens.passwordGrant`), else `false`. */
  readonly passwordFlow?: boolean;
  /**
   * Scope → description, shown as check boxes in the dialog. Scopes that routes demand with
   * `@Scopes()` but are missing here are listed with an empty description.
   */
  readonly scopes?: Readonly<Record<string, string>>;
  /** Name in `components.securitySchemes`. Default `oauth2`. */
  readonly schemeName?: string;
  /** Strategies that verify the tokens the endpoint issues. Default `['jwt']`. */
  readonly strategies?: readonly string[];
  readonly description?: string;
}

/** Options of {@link createAuthDocument}. */
export interface AuthDocumentOptions {
  /**
   * The OAuth2 scheme of the Authorize dialog. Default: derived from the module when it mounts its
   * token endpoint with the password grant (nothing otherwise); `false` leaves it out.
   */
  readonly oauth2?: OAuth2PasswordFlowOptions | false;
  /** Passed to `SwaggerModule.createDocument` as they are. */
  readonly swagger?: SwaggerDocumentOptions;
}
