import { Injectable, Logger, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { resolverHandlers } from '../graphql/resolver-metadata.js';
import type { RouteHandler } from '../policy/policy-metadata.js';
import { RoutePolicies } from '../policy/route-policies.js';
import { gatewayHandlers, isGateway } from '../websockets/gateway-metadata.js';
import { RoleHierarchy } from '../authorization/role-hierarchy.js';

/**
 * A typo guard for role names. When `roles.hierarchy` is configured, the app has said which roles
 * exist; a role in `@Roles()` or an `@Owner()` bypass that appears nowhere in `roles.hierarchy` or
 * `roles.permissions` (`@Roles('admn')`) then most likely is a typo that silently locks everyone
 * out. It is logged once per role at boot, with every handler that names it, as a warning: a role
 * may legitimately come straight from an identity provider. Without a hierarchy nothing is checked.
 */
@Injectable()
export class UnknownRoles implements OnApplicationBootstrap {
  private readonly logger = new Logger('nest-warden');

  constructor(
    private readonly hierarchy: RoleHierarchy,
    private readonly policies: RoutePolicies,
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.hierarchy.hasHierarchy) return;
    const known = new Set(this.hierarchy.roles);
    const unknown = new Map<string, string[]>();
    for (const { type, handler } of this.handlers()) {
      const policy = this.policies.resolve(type, handler);
      const where = `${type.name}.${handler.name || '<anonymous>'}`;
      for (const role of policy.roles) if (!known.has(role)) this.add(unknown, role, `@Roles() on ${where}`);
      for (const role of policy.owner?.bypass ?? []) if (!known.has(role)) this.add(unknown, role, `@Owner() bypass on ${where}`);
    }
    for (const [role, uses] of unknown) {
      this.logger.warn(
        `Role "${role}" (${uses.join(', ')}) appears nowhere in roles.hierarchy or roles.permissions: ` +
          `a typo? Only callers holding exactly "${role}" will match. Add it to roles.hierarchy if it is real.`,
      );
    }
  }

  private add(unknown: Map<string, string[]>, role: string, use: string): void {
    const uses = unknown.get(role) ?? [];
    if (!uses.includes(use)) uses.push(use);
    unknown.set(role, uses);
  }

  /** Controller routes, GraphQL resolvers and WebSocket gateway handlers: everything the guard protects. */
  private *handlers(): Generator<{ type: Type; handler: RouteHandler }> {
    for (const { controller, handler } of this.policies.routeHandlers()) yield { type: controller, handler };
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype as Type | undefined;
      if (typeof type !== 'function' || !type.prototype) continue;
      const methodNames = this.scanner.getAllMethodNames(type.prototype);
      const handlers = isGateway(this.reflector, type)
        ? gatewayHandlers(this.reflector, type, methodNames)
        : resolverHandlers(this.reflector, type, methodNames);
      for (const { handler } of handlers) yield { type, handler };
    }
  }
}
