import type { SwaggerDocumentOptions } from '@nestjs/swagger';

/**
 * An OAuth2 password-flow scheme (RFC 6749 §4.3) pointing at your token endpoint, so Swagger UI's
 * Authorize dialog can sign a person in. The tokens it issues are bearer tokens that one of your
 * strategies verifies (`strategies`, default `['jwt']`): every route accepting that strategy lists
 * this scheme too, with the scopes `@Scopes()` demands.
 */
export interface OAuth2PasswordFlowOptions {
  /** The token endpoint, e.g. `/auth/token` (relative URLs resolve against the server URL). */
  readonly tokenUrl: string;
  /** Where refresh tokens are exchanged; usually the token endpoint too. */
  readonly refreshUrl?: string;
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
  readonly oauth2?: OAuth2PasswordFlowOptions;
  /** Passed to `SwaggerModule.createDocument` as they are. */
  readonly swagger?: SwaggerDocumentOptions;
}
