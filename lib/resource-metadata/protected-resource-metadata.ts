import { Inject, Injectable } from '@nestjs/common';
import { RoutePolicies } from '../policy/route-policies.js';
import { ProtectedResourceSettings } from '../settings/protected-resource-settings.js';
import { DpopSettings } from '../strategies/dpop/dpop-settings.js';
import { OidcSettings } from '../strategies/oidc/oidc-settings.js';
import { StrategyRegistry } from '../strategies/strategy-registry.js';
import { TokenSettings } from '../tokens/token-settings.js';

/** The RFC 9728 §2 document (the members nest-warden writes). */
export interface ProtectedResourceMetadataDocument {
  readonly resource: string;
  readonly authorization_servers?: readonly string[];
  readonly scopes_supported?: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly resource_name?: string;
  readonly resource_documentation?: string;
  readonly dpop_signing_alg_values_supported?: readonly string[];
  readonly dpop_bound_access_tokens_required?: boolean;
}

/**
 * Builds the RFC 9728 protected resource metadata from the configuration (`protectedResource`,
 * `oidc`, `tokens`, `dpop`) and the routes (every `@Scopes()`), once, on first use after boot.
 */
@Injectable()
export class ProtectedResourceMetadata {
  private document: ProtectedResourceMetadataDocument | undefined;

  @Inject(ProtectedResourceSettings) private readonly settings!: ProtectedResourceSettings;
  @Inject(RoutePolicies) private readonly policies!: RoutePolicies;
  @Inject(StrategyRegistry) private readonly registry!: StrategyRegistry;
  @Inject(DpopSettings) private readonly dpop!: DpopSettings;
  @Inject(OidcSettings) private readonly oidc!: OidcSettings;
  @Inject(TokenSettings) private readonly tokens!: TokenSettings;

  /** The document, e.g. `{ resource, authorization_servers, scopes_supported, bearer_methods_supported: ['header'], ... }`. */
  describe(): ProtectedResourceMetadataDocument {
    return (this.document ??= Object.freeze(this.build()));
  }

  private build(): ProtectedResourceMetadataDocument {
    const config = this.settings.require();
    const servers = config.authorizationServers ?? [
      ...(this.oidc.config ? [this.oidc.config.issuer] : []),
      ...(this.tokens.configured ? [this.tokens.issuer] : []),
    ];
    const scopes = config.scopesSupported ?? this.routeScopes();
    const modes = this.registry
      .names()
      .map((name) => this.registry.get(name)?.dpopMode)
      .filter((mode) => mode !== undefined);
    const document: Record<string, unknown> = {
      resource: config.resource,
      ...(servers.length ? { authorization_servers: [...new Set(servers)] } : {}),
      ...(scopes.length ? { scopes_supported: scopes } : {}),
      bearer_methods_supported: ['header'],
      ...(config.resourceName !== undefined ? { resource_name: config.resourceName } : {}),
      ...(config.resourceDocumentation !== undefined ? { resource_documentation: config.resourceDocumentation } : {}),
    };
    if (modes.length) {
      document.dpop_signing_alg_values_supported = [...this.dpop.algorithms];
      document.dpop_bound_access_tokens_required = modes.every((mode) => mode === 'required');
    }
    return document as unknown as ProtectedResourceMetadataDocument;
  }

  private routeScopes(): string[] {
    const scopes = new Set<string>();
    for (const { controller, handler } of this.policies.routeHandlers()) {
      for (const scope of this.policies.resolve(controller, handler).scopes) scopes.add(scope);
    }
    return [...scopes].sort();
  }
}
