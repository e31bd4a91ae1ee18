import type { INestApplication, Type } from '@nestjs/common';
import { type OpenAPIObject, type OperationObject, type PathItemObject, SwaggerModule } from '@nestjs/swagger';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { CoreSettings } from '../settings/core-settings.js';
import type { RouteHandler } from '../policy/policy-metadata.js';
import { RoutePolicies } from '../policy/route-policies.js';
import type { RoutePolicy } from '../policy/route-policy.js';
import type { AuthStrategy } from '../strategies/auth-strategy.js';
import { StrategyRegistry } from '../strategies/strategy-registry.js';
import { TokenGrants } from '../tokens/grants/token-grants.js';
import { TokenSettings } from '../tokens/token-settings.js';
import { RouteManifest } from '../manifest/route-manifest.js';
import type { AuthDocumentOptions, OAuth2PasswordFlowOptions } from './auth-document.options.js';
import { applyOperationAuth, describeOperation, type StrategyFacts } from './operation-security.js';
import { RouteMarkers } from './route-markers.js';
import { describeSecuritySchemes } from './security-schemes.js';
import { documentTokenEndpoint, tokenEndpointOperation } from './token-endpoint-operations.js';

const OPERATION_KEYS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'query'] as const;

interface Route {
  readonly controller: Type;
  readonly handler: RouteHandler;
  readonly policy: RoutePolicy;
}

/**
 * `SwaggerModule.createDocument` with nest-warden's security written in: a security scheme per
 * configured strategy (plus the OAuth2 password flow when `oauth2` is given), and on every
 * operation the requirement, 401/403 responses and `x-required-*` extensions of the policy the
 * guard enforces on that route; the mounted token endpoints (`tokenEndpoints`) with their
 * form-encoded bodies and RFC 6749 answers. Works before and after `app.init()`.
 *
 * @example
 * const config = new DocumentBuilder().setTitle('Notes').build();
 * const document = createAuthDocument(app, config, { oauth2: { tokenUrl: '/auth/token' } });
 * SwaggerModule.setup('docs', app, document);
 */
export function createAuthDocument(
  app: INestApplication,
  config: Omit<OpenAPIObject, 'paths'>,
  options: AuthDocumentOptions = {},
): OpenAPIObject {
  const { policies, registry, authOptions, grants, manifest, tokenSettings } = services(app);
  registry.onModuleInit();
  const strategies = registry.names().map((name) => registry.get(name)!);
  const routes = policies.routeHandlers().map(({ controller, handler }): Route => {
    const policy = policies.resolve(controller, handler);
    for (const name of policy.strategies) registry.assertKnown(name, `@Auth() on ${controller.name}.${handler.name}`);
    return { controller, handler, policy };
  });

  const oauth2 = options.oauth2 === false ? undefined : withModuleDefaults(options.oauth2, { routes, grants, manifest, tokenSettings, registry });
  const schemes = describeSecuritySchemes(
    strategies,
    oauth2,
    routes.flatMap((route) => route.policy.scopes),
  );
  const facts: StrategyFacts = { schemes: schemes.byStrategy, challenging: challengingStrategies(strategies, authOptions.realm) };

  const markers = new RouteMarkers(routes);
  let document: OpenAPIObject;
  markers.write();
  try {
    document = SwaggerModule.createDocument(app, config, options.swagger);
  } finally {
    markers.restore();
  }

  const globallySecured = (document.security ?? []).some((requirement) => Object.keys(requirement).length > 0);
  for (const operation of operations(document)) {
    const route = markers.take(operation);
    if (!route) continue;
    const tokenEndpoint = tokenEndpointOperation(route.handler);
    if (tokenEndpoint) documentTokenEndpoint(operation, tokenEndpoint, grants.all());
    const auth = describeOperation(route.policy, facts);
    if (auth) applyOperationAuth(operation, auth);
    // A document-wide requirement would otherwise claim that public routes need credentials.
    else if (route.policy.access === 'public' && globallySecured && !operation.security) operation.security = [];
  }

  const declared = document.components?.securitySchemes ?? {};
  const securitySchemes = { ...declared };
  for (const [name, scheme] of Object.entries(schemes.components)) {
    const previous = declared[name];
    const description = previous && 'type' in previous ? previous.description : undefined;
    securitySchemes[name] = scheme.description === undefined && description !== undefined ? { ...scheme, description } : scheme;
  }
  document.components = { ...document.components, securitySchemes };
  return document;
}

function services(app: INestApplication) {
  try {
    return {
      policies: app.get(RoutePolicies, { strict: false }),
      registry: app.get(StrategyRegistry, { strict: false }),
      authOptions: app.get(CoreSettings, { strict: false }),
      grants: app.get(TokenGrants, { strict: false }),
      manifest: app.get(RouteManifest, { strict: false }),
      tokenSettings: app.get(TokenSettings, { strict: false }),
    };
  } catch (cause) {
    throw new AuthConfigurationError(
      'nest-warden: createAuthDocument() found no AuthModule in this application. ' +
        'Import AuthModule.forRoot(...) in the application module before building the document.',
      { cause },
    );
  }
}

function challengingStrategies(strategies: readonly AuthStrategy[], realm: string): Set<string> {
  return new Set(strategies.filter((strategy) => Boolean(strategy.challenge?.(realm))).map((strategy) => strategy.name));
}

function* operations(document: OpenAPIObject): Generator<OperationObject> {
  for (const items of [document.paths, document.webhooks]) {
    for (const item of Object.values<PathItemObject>(items ?? {})) {
      for (const key of OPERATION_KEYS) {
        const operation = item[key];
        if (operation) yield operation;
      }
    }
  }
}

interface ModuleFacts {
  readonly routes: readonly Route[];
  readonly grants: TokenGrants;
  readonly manifest: RouteManifest;
  readonly tokenSettings: TokenSettings;
  readonly registry: StrategyRegistry;
}

/**
 * The password flow of the module's own token endpoint, when it mounts one with the password grant
 * and a strategy verifies its tokens; `given` fields win. `undefined` when nothing is given and
 * nothing can be derived.
 */
function withModuleDefaults(given: OAuth2PasswordFlowOptions | undefined, facts: ModuleFacts): OAuth2PasswordFlowOptions | undefined {
  const route = facts.routes.find((candidate) => tokenEndpointOperation(candidate.handler) === 'token');
  const tokenUrl = route ? facts.manifest.pathsOf(route.controller, route.handler)[0] : undefined;
  const authorizeRoute = facts.routes.find((candidate) => tokenEndpointOperation(candidate.handler) === 'authorize');
  const codeFlow =
    authorizeRoute !== undefined &&
    facts.grants.get('authorization_code') !== undefined &&
    [...facts.tokenSettings.clients.values()].some((client) => client.redirectUris.length > 0);
  const passwordFlow = facts.grants.get('password') !== undefined;
  const derivable = tokenUrl !== undefined && (passwordFlow || codeFlow) && facts.registry.has('jwt');
  if (!derivable) return given;
  const refresh = facts.grants.get('refresh_token') !== undefined && facts.tokenSettings.refreshTtlMs > 0;
  return {
    tokenUrl,
    passwordFlow,
    ...(codeFlow ? { authorizationUrl: facts.manifest.pathsOf(authorizeRoute.controller, authorizeRoute.handler)[0] } : {}),
    ...(refresh ? { refreshUrl: tokenUrl } : {}),
    scopes: facts.tokenSettings.scopeDescriptions,
    strategies: ['jwt'],
    ...given,
  };
}
