import { Injectable, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { GRAPHQL_MODULE_OPTIONS, resolverHandlers } from '../graphql/resolver-metadata.js';
import type { RouteHandler } from '../policy/policy-metadata.js';
import { resolveRoutePolicy } from '../policy/route-policy.js';
import { RoutePolicies } from '../policy/route-policies.js';
import { gatewayHandlers, isGateway } from '../websockets/gateway-metadata.js';

/**
 * Does for GraphQL resolvers and WebSocket gateways what `RoutePolicies` does for controllers at
 * bootstrap: compiles every handler's policy, so `@Auth('typo')` fails `app.init()` with the
 * handler's name instead of the first call. It also refuses a field resolver whose nest-warden
 * rules Nest would silently skip (guards run on `@ResolveField()` only with `fieldResolverEnhancers`).
 */
@Injectable()
export class ContextHandlers implements OnApplicationBootstrap {
  constructor(
    private readonly policies: RoutePolicies,
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    let unguardedFields: boolean | undefined;
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype as Type | undefined;
      if (typeof type !== 'function' || !type.prototype) continue;
      const methodNames = this.scanner.getAllMethodNames(type.prototype);
      if (isGateway(this.reflector, type)) {
        for (const { handler } of gatewayHandlers(this.reflector, type, methodNames))
          this.policies.get(type, handler);
        continue;
      }
      for (const { handler, methodName, field } of resolverHandlers(this.reflector, type, methodNames)) {
        this.policies.get(type, handler);
        if (!field) continue;
        unguardedFields ??= this.fieldResolversUnguarded();
        if (unguardedFields && this.hasExplicitProtection(type, handler)) {
          throw AuthConfigurationError.create(
            `${type.name}.${methodName} is a field resolver with nest-warden rules, but Nest does not run guards on field resolvers by default, so they would be ignored.`,
            "Add fieldResolverEnhancers: ['guards'] to GraphQLModule.forRoot(), or mark the field @Public() if it needs no check of its own.",
          );
        }
      }
    }
  }

  /**
   * Whether GraphQL runs without guards on field resolvers: `GraphQLModule.forRoot()` is there and
   * its `fieldResolverEnhancers` lack `'guards'`. Without a GraphQL module no resolver runs at all.
   */
  private fieldResolversUnguarded(): boolean {
    let options: { fieldResolverEnhancers?: readonly string[] } | undefined;
    try {
      options = this.moduleRef.get(GRAPHQL_MODULE_OPTIONS, { strict: false });
    } catch {
      return false;
    }
    return options?.fieldResolverEnhancers?.includes('guards') !== true;
  }

  /** Rules written on the method or its class (not the module-wide default) that would need a guard. */
  private hasExplicitProtection(type: Type, handler: RouteHandler): boolean {
    const policy = resolveRoutePolicy(this.reflector, type, handler, {
      global: false,
      defaultStrategies: [],
    });
    return policy.access === 'protected' || policy.access === 'optional';
  }
}
