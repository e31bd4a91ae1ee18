import type { SecuritySchemeObject } from '@nestjs/swagger';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { AuthStrategy } from '../strategies/auth-strategy.js';
import type { OAuth2PasswordFlowOptions } from './auth-document.options.js';

/** OpenAPI 3 component names (`components` keys must match this). */
const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/;

/** A scheme a strategy's credentials satisfy, as it appears in security requirements. */
export interface DocumentedScheme {
  readonly name: string;
  /** Whether `@Scopes()` belong in the requirement (OpenAPI: only `oauth2` and `openIdConnect`). */
  readonly carriesScopes: boolean;
}

export interface SecuritySchemes {
  /** For `components.securitySchemes`, in registry order (the OAuth2 scheme last). */
  readonly components: Readonly<Record<string, SecuritySchemeObject>>;
  /** Strategy name → the schemes its credentials satisfy, in requirement order. */
  readonly byStrategy: ReadonlyMap<string, readonly DocumentedScheme[]>;
}

/**
 * One security scheme per enabled strategy that describes itself, plus the OAuth2 password flow
 * when configured. `scopesInUse` are the scopes routes demand (listed in the flow's scopes).
 */
export function describeSecuritySchemes(
  strategies: readonly AuthStrategy[],
  oauth2: OAuth2PasswordFlowOptions | undefined,
  scopesInUse: Iterable<string>,
): SecuritySchemes {
  const components: Record<string, SecuritySchemeObject> = {};
  const owner = new Map<string, string>();
  const byStrategy = new Map<string, DocumentedScheme[]>();

  for (const strategy of strategies) {
    // `?.`: fakes given to `overrideProvider(...).useValue()` may implement only `authenticate`.
    const description = strategy.securityScheme?.();
    if (!description) continue;
    const name = strategy.securitySchemeName ?? strategy.name;
    assertComponentName(name, `the security scheme name of strategy "${strategy.name}"`, 'Override `securitySchemeName`');
    const scheme = structuredClone(description) as SecuritySchemeObject;
    const previous = owner.get(name);
    if (previous !== undefined && JSON.stringify(components[name]) !== JSON.stringify(scheme)) {
      throw AuthConfigurationError.create(
        `strategies "${previous}" and "${strategy.name}" describe different OpenAPI security schemes under one name "${name}".`,
        'Give one of them its own `securitySchemeName`.',
      );
    }
    owner.set(name, strategy.name);
    components[name] = scheme;
    byStrategy.set(strategy.name, [{ name, carriesScopes: strategy.carriesScopes === true }]);
  }

  if (oauth2) {
    const { name, scheme, strategies: backing } = describeOAuth2(oauth2, scopesInUse);
    if (owner.has(name)) {
      throw AuthConfigurationError.create(
        `the OAuth2 scheme name "${name}" is already the security scheme of strategy "${owner.get(name)}".`,
        'Set `oauth2.schemeName` to another name.',
      );
    }
    for (const strategyName of backing) {
      if (!strategies.some((s) => s.name === strategyName)) {
        throw AuthConfigurationError.create(
          `oauth2.strategies names "${strategyName}", which is not configured, so no route would accept the tokens Swagger UI gets.`,
          `Configure it, or list the strategy that verifies your token endpoint's tokens (configured: ${strategies.map((s) => `"${s.name}"`).join(', ') || 'none'}).`,
        );
      }
      byStrategy.set(strategyName, [...(byStrategy.get(strategyName) ?? []), { name, carriesScopes: true }]);
    }
    components[name] = scheme;
  }
  return { components, byStrategy };
}

function describeOAuth2(
  options: OAuth2PasswordFlowOptions,
  scopesInUse: Iterable<string>,
): { name: string; scheme: SecuritySchemeObject; strategies: readonly string[] } {
  const name = options.schemeName ?? 'oauth2';
  assertComponentName(name, 'oauth2.schemeName', 'Change `oauth2.schemeName`');
  if (typeof options.tokenUrl !== 'string' || options.tokenUrl.trim() === '') {
    throw AuthConfigurationError.create(
      'oauth2.tokenUrl is missing, and the module mounts no token endpoint with the password grant to take it from.',
      'Set it to your token endpoint, e.g. "/auth/token", or mount the module\'s own (tokenEndpoints: true).',
    );
  }
  if (options.refreshUrl !== undefined && (typeof options.refreshUrl !== 'string' || options.refreshUrl.trim() === '')) {
    throw AuthConfigurationError.create('oauth2.refreshUrl is empty.', 'Set it to your token endpoint or leave it out.');
  }
  const scopes: Record<string, string> = {};
  for (const [scope, description] of Object.entries(options.scopes ?? {})) {
    if (typeof description !== 'string') {
      throw AuthConfigurationError.create(
        `oauth2.scopes["${scope}"] is not a string.`,
        'Map each scope to a short description: { "items:read": "Read items" }.',
      );
    }
    scopes[scope] = description;
  }
  for (const scope of scopesInUse) scopes[scope] ??= '';
  const strategies = options.strategies ?? ['jwt'];
  if (strategies.length === 0) {
    throw AuthConfigurationError.create('oauth2.strategies is empty.', 'Name the strategy that verifies the tokens, e.g. ["jwt"].');
  }
  const refresh = options.refreshUrl !== undefined ? { refreshUrl: options.refreshUrl } : {};
  const flows: SecuritySchemeObject['flows'] = {};
  if (options.passwordFlow !== false) flows.password = { tokenUrl: options.tokenUrl, ...refresh, scopes };
  if (options.authorizationUrl !== undefined) {
    if (typeof options.authorizationUrl !== 'string' || options.authorizationUrl.trim() === '') {
      throw AuthConfigurationError.create('oauth2.authorizationUrl is empty.', 'Set it to your authorization endpoint (e.g. "/auth/authorize") or leave it out.');
    }
    flows.authorizationCode = { authorizationUrl: options.authorizationUrl, tokenUrl: options.tokenUrl, ...refresh, scopes: { ...scopes } };
  }
  if (!flows.password && !flows.authorizationCode) {
    throw AuthConfigurationError.create('the oauth2 scheme has no flow.', 'Set oauth2.authorizationUrl, or leave passwordFlow on.');
  }
  const scheme: SecuritySchemeObject = {
    type: 'oauth2',
    flows,
    ...(options.description !== undefined ? { description: options.description } : {}),
  };
  return { name, scheme, strategies };
}

function assertComponentName(name: unknown, what: string, fix: string): asserts name is string {
  if (typeof name !== 'string' || !COMPONENT_NAME.test(name)) {
    throw AuthConfigurationError.create(
      `${what} is ${JSON.stringify(name)}, which is not a valid OpenAPI component name.`,
      `${fix}: letters, digits, ".", "-" and "_" only.`,
    );
  }
}
