/**
 * RFC 9728 protected resource metadata: what this API tells clients about itself at
 * `/.well-known/oauth-protected-resource`, and the `resource_metadata` parameter of every
 * `Bearer` and `DPoP` challenge that points there.
 */
export interface ProtectedResourceOptions {
  /**
   * The resource identifier: this API's public URL (`https://api.example.com`), https (http only
   * for loopback hosts). The document's `resource`; tokens for it carry it as their audience.
   */
  readonly resource: string;
  /**
   * Issuers of the authorization servers whose tokens this API accepts. Default: the `oidc`
   * issuer and the issuer of the module's own tokens (`tokens.issuer`), those configured.
   */
  readonly authorizationServers?: readonly string[];
  /** Scopes the API uses. Default: every scope named by `@Scopes()` on a route. */
  readonly scopesSupported?: readonly string[];
  /** A page for developers (`resource_documentation`), e.g. the OpenAPI UI. */
  readonly resourceDocumentation?: string;
  /** Human-readable name of the API (`resource_name`). */
  readonly resourceName?: string;
  /**
   * Where the document is served. Default: `/.well-known/oauth-protected-resource` on the
   * resource's origin, followed by the resource's path (RFC 9728 §3.1).
   */
  readonly metadataUrl?: string;
}
