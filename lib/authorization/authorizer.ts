import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { AuthRequest } from '../request/auth-request.js';
import { setOwnedResource } from '../request/request-state.js';
import { type CompiledRoutePolicy, RoutePolicies } from '../policy/route-policies.js';
import type { RoutePolicy } from '../policy/route-policy.js';
import type { Principal } from '../principal/principal.js';
import type { MaybePromise } from '../strategies/auth-strategy.js';
import type { OwnedResource } from './ownership-resolver.js';
import { anyGrantCovers, permissionProblem } from './permission-matcher.js';
import { RoleHierarchy } from './role-hierarchy.js';

const EMPTY: readonly string[] = Object.freeze([]);

/** A required permission with the configured roles that grant it, computed once per route. */
interface RequiredPermission {
  readonly name: string;
  readonly grantedByRoles: ReadonlySet<string>;
}

/** Everything a route's authorization needs that does not depend on the caller. */
interface RouteRules {
  /** Roles that satisfy `@Roles()` (the required ones and every role implying one); `undefined`: no rule. */
  readonly roles: ReadonlySet<string> | undefined;
  readonly permissions: readonly RequiredPermission[];
  readonly scopes: readonly string[];
  readonly mfa: boolean;
  /** Roles that bypass `@Owner()` (the listed ones and every role implying one). */
  readonly ownerBypass: ReadonlySet<string>;
}

/** `amr` values (RFC 8176) that show a second factor. */
const SECOND_FACTOR = new Set(['mfa', 'otp']);

function holdsAny(held: readonly string[] | undefined, wanted: ReadonlySet<string>): boolean {
  if (!held || wanted.size === 0) return false;
  for (let i = 0; i < held.length; i++) if (wanted.has(held[i])) return true;
  return false;
}

/**
 * Step 3 of the request path, in this order: roles → permissions → scopes → second factor →
 * ownership. Throws `AuthError` (403 `forbidden`, 403 `insufficient_scope`, 404 `not_found` for a
 * missing owned resource); returns when access is granted. Synchronous unless the route's
 * ownership resolver answers with a promise.
 *
 * What depends only on the route and the options (which roles satisfy `@Roles()`, which roles
 * grant each required permission) is computed once per route, at boot; a request costs a few
 * `Set.has` calls plus a scan of the permissions the principal holds directly.
 */
@Injectable()
export class Authorizer implements OnApplicationBootstrap {
  private readonly rules = new WeakMap<RoutePolicy, RouteRules>();

  constructor(
    protected readonly hierarchy: RoleHierarchy,
    protected readonly policies: RoutePolicies,
  ) {}

  /** Compiles the rules of every route, so a bad requirement fails `app.init()` naming the route. */
  onApplicationBootstrap(): void {
    for (const { controller, handler, methodName } of this.policies.routeHandlers()) {
      this.rulesFor(this.policies.get(controller, handler), `${controller.name}.${methodName}`);
    }
  }

  authorize(principal: Principal, policy: CompiledRoutePolicy, request: AuthRequest): MaybePromise<void> {
    const rules = this.rules.get(policy) ?? this.rulesFor(policy, 'a route');
    if (rules.roles && !holdsAny(principal.roles, rules.roles)) {
      throw new AuthError('forbidden', { description: 'Insufficient role' });
    }
    for (let i = 0; i < rules.permissions.length; i++) {
      const required = rules.permissions[i];
      if (!holdsAny(principal.roles, required.grantedByRoles) && !anyGrantCovers(principal.permissions ?? EMPTY, required.name)) {
        throw new AuthError('forbidden', { description: 'Insufficient permissions' });
      }
    }
    if (rules.scopes.length) {
      const held = principal.scopes ?? EMPTY;
      for (let i = 0; i < rules.scopes.length; i++) {
        if (!held.includes(rules.scopes[i])) {
          throw new AuthError('insufficient_scope', { scopes: rules.scopes, strategy: principal.strategy });
        }
      }
    }
    if (rules.mfa && !(principal.amr ?? EMPTY).some((method) => SECOND_FACTOR.has(method))) {
      throw new AuthError('forbidden', { description: 'A second authentication factor is required' });
    }
    const resolver = policy.ownerResolver;
    if (!resolver) return;
    const mustBeOwnedBy = holdsAny(principal.roles, rules.ownerBypass) ? undefined : principal.id;
    return this.attach(resolver.resolve(request, principal), request, mustBeOwnedBy);
  }

  /** Whether the principal holds any of `roles`, directly or through the hierarchy (as `@Roles()`). */
  hasRole(principal: Principal, ...roles: string[]): boolean {
    for (const role of principal.roles ?? EMPTY) for (const wanted of roles) if (this.hierarchy.implies(role, wanted)) return true;
    return false;
  }

  /**
   * Whether the principal holds all of `permissions`, through its roles or its own grants
   * (as `@Permissions()`). Throws `TypeError` for a malformed permission.
   */
  hasPermission(principal: Principal, ...permissions: string[]): boolean {
    return permissions.every((permission) => {
      const problem = permissionProblem(permission, 'requirement');
      if (problem) throw new TypeError(`hasPermission(): ${problem}.`);
      if (anyGrantCovers(principal.permissions ?? EMPTY, permission)) return true;
      return (principal.roles ?? EMPTY).some((role) => anyGrantCovers(this.hierarchy.grantsOf(role), permission));
    });
  }

  private rulesFor(policy: RoutePolicy, where: string): RouteRules {
    const cached = this.rules.get(policy);
    if (cached) return cached;
    const permissions = policy.permissions.map((name): RequiredPermission => {
      const problem = permissionProblem(name, 'requirement');
      if (problem) {
        throw AuthConfigurationError.create(
          `@Permissions() on ${where}: ${problem}.`,
          'Name concrete permissions, e.g. @Permissions("posts:delete"); give wildcards to roles or principals instead.',
        );
      }
      return { name, grantedByRoles: this.hierarchy.rolesGranting(name) };
    });
    const rules: RouteRules = {
      roles: policy.roles.length ? this.hierarchy.rolesSatisfying(policy.roles) : undefined,
      permissions,
      scopes: policy.scopes,
      mfa: policy.mfa,
      ownerBypass: this.hierarchy.rolesSatisfying(policy.owner?.bypass ?? EMPTY),
    };
    this.rules.set(policy, rules);
    return rules;
  }

  private attach(
    found: MaybePromise<OwnedResource | null>,
    request: AuthRequest,
    mustBeOwnedBy: string | undefined,
  ): MaybePromise<void> {
    if (typeof (found as Promise<unknown> | null)?.then === 'function') {
      return (found as Promise<OwnedResource | null>).then((value) => this.attach(value, request, mustBeOwnedBy));
    }
    found = found as OwnedResource | null;
    if (found === null || found === undefined) throw new AuthError('not_found');
    if (mustBeOwnedBy !== undefined && found.ownerId !== mustBeOwnedBy) {
      throw new AuthError('forbidden', { description: 'Only the owner may do this' });
    }
    setOwnedResource(request, found.resource);
  }
}
