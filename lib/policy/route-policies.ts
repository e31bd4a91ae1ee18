import { Injectable, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import { Authorizer, type RouteRules } from '../authorization/authorizer.js';
import { AbilityAuthority, type ResourceLoader } from '../authorization/ability-authority.js';
import type { OwnershipResolver } from '../authorization/ownership-resolver.js';
import { withResourceMetadata } from '../errors/challenge.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { type RequestCheck, RequestPolicy } from '../network/request-policy.js';
import { ProtectedResourceSettings } from '../settings/protected-resource-settings.js';
import { CoreSettings } from '../settings/core-settings.js';
import type { AuthStrategy } from '../strategies/auth-strategy.js';
import { StrategyRegistry } from '../strategies/strategy-registry.js';
import type { RouteHandler } from './policy-metadata.js';
import { resolveRoutePolicy, type RoutePolicy } from './route-policy.js';

/** A route policy bound to live collaborators, ready for the guard's hot path. */
export interface CompiledRoutePolicy extends RoutePolicy {
  readonly strategyInstances: readonly AuthStrategy[];
  readonly ownerResolver: OwnershipResolver | undefined;
  /** The `@Can()` resource loader, when the route names one. */
  readonly resourceLoader: ResourceLoader | undefined;
  /** The `@Can()` decider (`CaslModule` from nest-warden/casl), bound when the route has `@Can()`. */
  readonly abilities: AbilityAuthority | undefined;
  /** The authorization rules, compiled once (`Authorizer.compile`). */
  readonly rules: RouteRules;
  /** `WWW-Authenticate` values for a 401 without credentials, computed once. */
  readonly missingChallenges: readonly string[];
  /** `requireHttps` and `@AllowFrom()`, checked before anything else; `undefined` when the route has neither. */
  readonly checkRequest: RequestCheck | undefined;
  /** Strategies whose principals must hold a DPoP-bound token here (route `dpop`, else the strategy's mode). */
  readonly dpopRequired: ReadonlySet<string>;
}

/** Nest stores the HTTP method of a route handler under this key (`@Get()`, `@Post()`...). */
const ROUTE_METHOD_METADATA = 'method';

/**
 * Resolves and caches every route's policy. Controllers are compiled at bootstrap, so a typo in
 * `@Auth('x')` fails `app.init()` with the route's name; anything else is compiled on first use.
 */
@Injectable()
export class RoutePolicies implements OnApplicationBootstrap {
  private readonly cache = new WeakMap<RouteHandler, WeakMap<Type, CompiledRoutePolicy>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly registry: StrategyRegistry,
    private readonly options: CoreSettings,
    private readonly moduleRef: ModuleRef,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly requestPolicy: RequestPolicy,
    private readonly authorizer: Authorizer,
    private readonly resourceMetadata: ProtectedResourceSettings,
  ) {}

  onApplicationBootstrap(): void {
    for (const { controller, handler } of this.routeHandlers()) this.get(controller, handler);
  }

  /** Every controller route handler in the application (`module`: the module declaring the controller). */
  routeHandlers(): { controller: Type; handler: RouteHandler; methodName: string; module?: Type }[] {
    const routes: { controller: Type; handler: RouteHandler; methodName: string; module?: Type }[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Type | undefined;
      if (!controller?.prototype) continue;
      const hostModule = wrapper.host?.metatype as Type | undefined;
      for (const methodName of this.scanner.getAllMethodNames(controller.prototype)) {
        const handler = controller.prototype[methodName] as RouteHandler;
        if (this.reflector.get(ROUTE_METHOD_METADATA, handler) === undefined) continue;
        routes.push({ controller, handler, methodName, module: hostModule });
      }
    }
    return routes;
  }

  /** The policy for a handler on a class, resolved on first use and cached. */
  get(controller: Type, handler: RouteHandler): CompiledRoutePolicy {
    let byClass = this.cache.get(handler);
    const cached = byClass?.get(controller);
    if (cached) return cached;
    const compiled = this.compile(controller, handler);
    if (!byClass) this.cache.set(handler, (byClass = new WeakMap()));
    byClass.set(controller, compiled);
    return compiled;
  }

  /** The policy as metadata describes it, without binding strategies (for manifests and OpenAPI). */
  resolve(controller: Type, handler: RouteHandler): RoutePolicy {
    return resolveRoutePolicy(this.reflector, controller, handler, {
      global: this.options.global,
      defaultStrategies: this.registry.defaultStrategies,
    });
  }

  private compile(controller: Type, handler: RouteHandler): CompiledRoutePolicy {
    const policy = this.resolve(controller, handler);
    const where = `${controller.name}.${handler.name || '<anonymous>'}`;
    for (const name of policy.strategies) this.registry.assertKnown(name, `@Auth() on ${where}`);
    const strategyInstances = policy.strategies.map((name) => this.registry.get(name)!);
    let ownerResolver: OwnershipResolver | undefined;
    if (policy.owner) {
      try {
        ownerResolver = this.moduleRef.get(policy.owner.resolver, { strict: false });
      } catch (cause) {
        throw new AuthConfigurationError(
          `nest-warden: @Owner(${policy.owner.resolver.name}) on ${where} cannot be resolved. ` +
            `Add ${policy.owner.resolver.name} to the providers of the module that declares the controller.`,
          { cause },
        );
      }
    }
    const { resourceLoader, abilities } = this.bindCan(policy, where);
    const missingChallenges: string[] = [];
    for (const strategy of strategyInstances) {
      const challenge = strategy.challenge?.(this.options.realm);
      if (typeof challenge === 'string') missingChallenges.push(challenge);
      else if (challenge) missingChallenges.push(...challenge);
    }
    const dpopRequired = new Set<string>();
    for (const strategy of strategyInstances) {
      const mode = strategy.dpopMode;
      if (mode !== undefined && (policy.dpop ?? mode) === 'required') dpopRequired.add(strategy.name);
    }
    if (policy.dpop !== undefined && !strategyInstances.some((strategy) => strategy.dpopMode !== undefined)) {
      throw AuthConfigurationError.create(
        `@Auth({ dpop: '${policy.dpop}' }) on ${where}, but none of its strategies (${policy.strategies.join(', ') || 'none'}) takes DPoP.`,
        'Add a dpop section to AuthModule.forRoot() (or dpop on the jwt/oidc section), or remove the route option.',
      );
    }
    return Object.freeze({
      ...policy,
      strategyInstances: Object.freeze(strategyInstances),
      ownerResolver,
      resourceLoader,
      abilities,
      rules: this.authorizer.compile(policy, where),
      missingChallenges: Object.freeze([...withResourceMetadata(missingChallenges, this.resourceMetadata.metadataUrl)]),
      dpopRequired,
      checkRequest: this.requestPolicy.compile(policy.allowFrom, where),
    });
  }

  /** `@Can()`: the decider and the resource loader, resolved once; a route that cannot be checked fails the boot. */
  private bindCan(policy: RoutePolicy, where: string): { resourceLoader?: ResourceLoader; abilities?: AbilityAuthority } {
    const can = policy.can;
    if (!can) return {};
    let abilities: AbilityAuthority;
    try {
      abilities = this.moduleRef.get(AbilityAuthority, { strict: false });
    } catch (cause) {
      throw new AuthConfigurationError(
        `nest-warden: @Can('${can.action}', '${can.subject}') on ${where} has nothing to decide it. ` +
          "Import CaslModule.forRoot({ roles: { ... } }) from 'nest-warden/casl' in your application module.",
        { cause },
      );
    }
    if (!can.resource) return { abilities };
    if (policy.owner) {
      throw AuthConfigurationError.create(
        `${where} has both @Owner(${policy.owner.resolver.name}) and @Can(..., { resource: ${can.resource.name} }): two loaders for one resource.`,
        'Keep one: without { resource }, @Can() checks the resource the @Owner() resolver loaded.',
      );
    }
    try {
      return { abilities, resourceLoader: this.moduleRef.get(can.resource, { strict: false }) };
    } catch (cause) {
      throw new AuthConfigurationError(
        `nest-warden: @Can(..., { resource: ${can.resource.name} }) on ${where} cannot be resolved. ` +
          `Add ${can.resource.name} to the providers of the module that declares the controller.`,
        { cause },
      );
    }
  }
}
