import { Inject, Injectable, Optional } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { AuthRequest } from '../request/auth-request.js';
import { setOwnedResource } from '../request/request-state.js';
import type { Principal } from '../principal/principal.js';
import { isPromise, type MaybePromise } from '../utils/maybe-promise.js';
import type { AbilityAuthority, CanRequirement, ResourceLoader } from './ability-authority.js';
import type { Ownership, OwnershipResolver } from './ownership-resolver.js';
import { anyGrantCovers, permissionProblem } from './permission-matcher.js';
import { RoleHierarchy } from './role-hierarchy.js';

const EMPTY: readonly string[] = Object.freeze([]);

/** A required permission with the configured roles that grant it, computed once per route. */
interface RequiredPermission {
  readonly name: string;
  readonly grantedByRoles: ReadonlySet<string>;
}

/** What a route requires beyond "who are you", as its decorators say (`RoutePolicy` has these fields). */
export interface AuthorizationRequirements {
  /** Any of these roles (`@Roles()`); the role hierarchy applies. */
  readonly roles: readonly string[];
  /** All of these permissions (`@Permissions()`). */
  readonly permissions: readonly string[];
  /** All of these OAuth2 scopes (`@Scopes()`). */
  readonly scopes: readonly string[];
  /** `@Owner()`: the resolver and the roles that bypass the ownership check. */
  readonly owner: { readonly resolver: abstract new (...args: never[]) => OwnershipResolver; readonly bypass: readonly string[] } | undefined;
  /** A second factor is required (`amr` must show one). */
  readonly mfa: boolean;
  /** `@Can()`: an action on a subject, decided by the `AbilityAuthority` (nest-warden/casl). */
  readonly can?: CanRequirement | undefined;
  /** Step-up (RFC 9470): accepted `acr` values and the longest time since `auth_time`, in seconds. */
  readonly stepUp?: { readonly acr?: readonly string[]; readonly maxAge?: number };
}

/** Everything a route's authorization needs that does not depend on the caller, computed once at boot. */
export interface RouteRules {
  /** Roles that satisfy `@Roles()` (the required ones and every role implying one); `undefined`: no rule. */
  readonly roles: ReadonlySet<string> | undefined;
  readonly permissions: readonly RequiredPermission[];
  readonly scopes: readonly string[];
  readonly mfa: boolean;
  /** The authentication context the route requires (`acr`, `max_age`, and `mfa` as an `amr` requirement); `undefined`: none. */
  readonly authentication: AuthenticationContextRule | undefined;
  /** Roles that bypass `@Owner()` (the listed ones and every role implying one). */
  readonly ownerBypass: ReadonlySet<string>;
  /** `@Can()`, decided by the route's `AbilityAuthority` after everything else. */
  readonly can: CanRequirement | undefined;
}

/** A route as `authorize` needs it: its compiled rules and the collaborators bound at boot. */
export interface AuthorizedRoute {
  readonly rules: RouteRules;
  readonly ownerResolver: OwnershipResolver | undefined;
  /** The `@Can()` resource loader, when the route names one. */
  readonly resourceLoader?: ResourceLoader | undefined;
  /** The `@Can()` decider, bound at boot when the route has `@Can()`. */
  readonly abilities?: AbilityAuthority | undefined;
}

/** `amr` values (RFC 8176) that show a second factor. */
const SECOND_FACTOR: ReadonlySet<string> = new Set(['mfa', 'otp']);

/**
 * How the caller must have authenticated: one mechanism for `mfa` (an `amr` showing a second
 * factor) and RFC 9470 step-up (`acr`, `max_age`). `mfa` keeps its 403 answer; `acr` and
 * `max_age` answer 401 `insufficient_user_authentication` so the client can step up.
 */
export interface AuthenticationContextRule {
  readonly amr: ReadonlySet<string> | undefined;
  readonly acr: ReadonlySet<string> | undefined;
  readonly acrValues: readonly string[] | undefined;
  readonly maxAge: number | undefined;
}

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
export class Authorizer {
  /** Created by Nest (inject it); not part of the public API. @internal */
  constructor(private readonly hierarchy: RoleHierarchy) {}

  /** The time `max_age` is measured against. */
  @Optional() @Inject(Clock) private readonly clock?: Clock;

  /**
   * Step 3 for one request: throws `AuthError` when access is refused. `route` holds the rules
   * compiled at boot and the route's ownership resolver.
   * @internal
   */
  authorize(principal: Principal, route: AuthorizedRoute, request: AuthRequest): MaybePromise<void> {
    const rules = route.rules;
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
    if (rules.authentication) this.checkAuthentication(principal, rules.authentication);
    const resolver = route.ownerResolver;
    if (resolver) {
      const mustBeOwnedBy = holdsAny(principal.roles, rules.ownerBypass) ? undefined : principal.id;
      const owned = this.attach(resolver.resolve(request, principal), request, mustBeOwnedBy);
      // Without @Can(), as before: no promise beyond the resolver's (the guard ignores the resolved value).
      if (!rules.can) return isPromise(owned) ? (owned as Promise<void>) : undefined;
      return then(owned, (resource) => this.checkCan(route, principal, request, { value: resource }));
    }
    if (!rules.can) return;
    const loader = route.resourceLoader;
    if (!loader) return this.checkCan(route, principal, request, undefined);
    return then(loader.load(request, principal), (resource) => {
      if (resource === null || resource === undefined) throw new AuthError('not_found');
      setOwnedResource(request, resource);
      return this.checkCan(route, principal, request, { value: resource });
    });
  }

  /** The authentication context: a second factor (`mfa`, 403), then `acr` and `auth_time` (RFC 9470, 401). */
  private checkAuthentication(principal: Principal, rule: AuthenticationContextRule): void {
    if (rule.amr && !holdsAny(principal.amr, rule.amr)) {
      throw new AuthError('forbidden', { description: 'A second authentication factor is required' });
    }
    const claims = principal.claims;
    const stepUp = (description: string) =>
      new AuthError('insufficient_user_authentication', { description, acrValues: rule.acrValues, maxAge: rule.maxAge, strategy: principal.strategy });
    if (rule.acr) {
      const acr = claims?.acr;
      if (typeof acr !== 'string' || !rule.acr.has(acr)) throw stepUp('A stronger authentication is required');
    }
    if (rule.maxAge !== undefined) {
      const authTime = claims?.auth_time;
      const now = (this.clock?.now() ?? Date.now()) / 1000;
      if (typeof authTime !== 'number' || !Number.isFinite(authTime) || now - authTime > rule.maxAge) {
        throw stepUp('A more recent authentication is required');
      }
    }
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

  /**
   * A route's requirements as the request path checks them; a malformed requirement fails the boot
   * naming the route (`where`).
   * @internal
   */
  compile(policy: AuthorizationRequirements, where: string): RouteRules {
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
    return Object.freeze({
      roles: policy.roles.length ? this.hierarchy.rolesSatisfying(policy.roles) : undefined,
      permissions: Object.freeze(permissions),
      scopes: policy.scopes,
      mfa: policy.mfa,
      authentication:
        policy.mfa || policy.stepUp
          ? Object.freeze({
              amr: policy.mfa ? SECOND_FACTOR : undefined,
              acr: policy.stepUp?.acr ? new Set(policy.stepUp.acr) : undefined,
              acrValues: policy.stepUp?.acr,
              maxAge: policy.stepUp?.maxAge,
            })
          : undefined,
      ownerBypass: this.hierarchy.rolesSatisfying(policy.owner?.bypass ?? EMPTY),
      can: policy.can,
    });
  }

  private checkCan(
    route: AuthorizedRoute,
    principal: Principal,
    request: AuthRequest,
    resource: { readonly value: unknown } | undefined,
  ): MaybePromise<void> {
    if (!route.abilities) throw new AuthError('forbidden', { description: 'Forbidden' }); // never bound: fail closed
    return route.abilities.check(request, principal, route.rules.can!, resource);
  }

  private attach(
    found: MaybePromise<Ownership | null>,
    request: AuthRequest,
    mustBeOwnedBy: string | undefined,
  ): MaybePromise<unknown> {
    if (typeof (found as Promise<unknown> | null)?.then === 'function') {
      return (found as Promise<Ownership | null>).then((value) => this.attach(value, request, mustBeOwnedBy));
    }
    found = found as Ownership | null;
    if (found === null || found === undefined) throw new AuthError('not_found');
    if (mustBeOwnedBy !== undefined && found.ownerId !== mustBeOwnedBy) {
      throw new AuthError('forbidden', { description: 'Only the owner may do this' });
    }
    setOwnedResource(request, found.resource);
    return found.resource;
  }
}

/** `next(value)` now when `value` is not a promise, after it settles otherwise (no promise allocated on the sync path). */
function then<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise(value) ? value.then(next) : next(value);
}
