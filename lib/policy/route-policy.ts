import type { Type } from '@nestjs/common';
import type { AuthorizationRequirements } from '../authorization/authorizer.js';
import type { OwnershipResolver } from '../authorization/ownership-resolver.js';
import type { CanRequirement } from '../authorization/ability-authority.js';
import {
  ACCESS_METADATA,
  CAN_METADATA,
  ALLOW_FROM_METADATA,
  DPOP_METADATA,
  STEP_UP_METADATA,
  type StepUpMetadata,
  type AccessMetadata,
  MFA_METADATA,
  OWNER_METADATA,
  type OwnerMetadata,
  type RouteHandler,
  PERMISSIONS_METADATA,
  ROLES_METADATA,
  SCOPES_METADATA,
  STRATEGIES_METADATA,
} from './policy-metadata.js';

/**
 * - `public`: nothing is checked.
 * - `optional`: credentials are checked when sent; anonymous callers pass with no principal.
 * - `protected`: a principal is required, then authorization rules apply.
 * - `unguarded`: no nest-warden metadata and `global: false`, so the guard stays out.
 */
export type RouteAccess = 'public' | 'optional' | 'protected' | 'unguarded';

/** The effective security of one route, as the guard enforces it and the OpenAPI document shows it. */
export interface RoutePolicy extends AuthorizationRequirements {
  readonly access: RouteAccess;
  /** Strategy names tried in order (any of). Empty for public and unguarded routes. */
  readonly strategies: readonly string[];
  readonly owner: { readonly resolver: Type<OwnershipResolver>; readonly bypass: readonly string[] } | undefined;
  /** Metadata that contradicts itself, e.g. `@Public()` beside `@Roles()`; strict mode refuses these. */
  readonly conflicts: readonly string[];
  /**
   * Client addresses/CIDR ranges the route accepts (`@AllowFrom()`); empty = any. Applies whatever the
   * access (public routes too), checked before authentication.
   */
  readonly allowFrom: readonly string[];
  /** `@Auth({ dpop })`: DPoP on this route over the strategies' own modes; `undefined`: theirs. */
  readonly dpop?: 'required' | 'allowed';
}

/** Reads metadata; Nest's `Reflector` satisfies it. */
export interface MetadataReader {
  get<T>(key: symbol, target: object): T | undefined;
}

export interface PolicyDefaults {
  /** `forRoot({ global })`. */
  readonly global: boolean;
  /** Strategies for routes that name none. */
  readonly defaultStrategies: readonly string[];
}

const EMPTY: readonly string[] = Object.freeze([]);

/** Keys whose presence makes a route need an authenticated caller. */
const RULE_KEYS = [ROLES_METADATA, PERMISSIONS_METADATA, SCOPES_METADATA, OWNER_METADATA, MFA_METADATA, CAN_METADATA, STEP_UP_METADATA] as const;

/** What one place of declaration says about one metadata key. */
type Site = <T>(key: symbol) => T | undefined;

/**
 * The places where a route's metadata can be declared, most specific first: the handler, the
 * same-named methods it overrides in parent classes, the controller, then its parent classes.
 * A subclass that overrides a protected method without repeating its decorators stays protected
 * (the Spring Security CVE-2025-41248 class of bug), and what a subclass declares beats what it
 * inherits. A class reads its parents' metadata through `Reflect`, so a value equal to the
 * parent's counts as declared on the parent.
 */
function declarationSites(reader: MetadataReader, controller: Type, handler: RouteHandler): Site[] {
  const sites: Site[] = [(key) => reader.get(key, handler)];
  if (handler.name) {
    let proto: object | null = Object.getPrototypeOf(controller.prototype);
    while (proto && proto !== Object.prototype) {
      const parent: unknown = Object.getOwnPropertyDescriptor(proto, handler.name)?.value;
      if (typeof parent === 'function' && parent !== handler) sites.push((key) => reader.get(key, parent));
      proto = Object.getPrototypeOf(proto);
    }
  }
  let cls: object | null = controller;
  while (typeof cls === 'function' && cls !== Function.prototype) {
    const own: object = cls;
    const parent: object | null = Object.getPrototypeOf(own);
    sites.push(<T>(key: symbol) => {
      const value = reader.get<T>(key, own);
      return value !== undefined && parent && reader.get<T>(key, parent) === value ? undefined : value;
    });
    cls = parent;
  }
  return sites;
}

/**
 * The one reader of nest-warden's metadata. The most specific declaration of each key wins
 * (method over class, as `Reflector.getAllAndOverride`; a subclass over its parent). Access is
 * decided at the most specific place that says anything: `@Public()`/`@OptionalAuth()`/`@Auth()`
 * there, or, when that place only has rules (`@Roles()`, `@Scopes()`...), `protected` — so a rule
 * on a method of a `@Public()` controller protects that method, and `@Public()` on a method of a
 * `@Roles()` controller opens that method.
 */
export function resolveRoutePolicy(
  reader: MetadataReader,
  controller: Type,
  handler: RouteHandler,
  defaults: PolicyDefaults,
): RoutePolicy {
  const sites = declarationSites(reader, controller, handler);
  const read = <T>(key: symbol): T | undefined => {
    for (const site of sites) {
      const value = site<T>(key);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const strategies = read<readonly string[]>(STRATEGIES_METADATA);
  const mfa = read<boolean>(MFA_METADATA);
  const roles = read<readonly string[]>(ROLES_METADATA);
  const permissions = read<readonly string[]>(PERMISSIONS_METADATA);
  const scopes = read<readonly string[]>(SCOPES_METADATA);
  const owner = read<OwnerMetadata>(OWNER_METADATA);
  const allowFrom = read<readonly string[]>(ALLOW_FROM_METADATA);
  const can = read<CanRequirement>(CAN_METADATA);
  const dpop = read<'required' | 'allowed'>(DPOP_METADATA);
  const stepUp = read<StepUpMetadata>(STEP_UP_METADATA);
  const hasRules = [roles, permissions, scopes, owner, mfa, can, stepUp].some((rule) => rule !== undefined);

  let effective: RouteAccess | undefined;
  let publicBesideRules = false;
  for (const site of sites) {
    const access = site<AccessMetadata>(ACCESS_METADATA);
    const rulesHere = RULE_KEYS.some((key) => site(key) !== undefined);
    if (access !== undefined) {
      effective = access;
      publicBesideRules = access === 'public' && rulesHere;
      break;
    }
    if (rulesHere) {
      effective = 'protected';
      break;
    }
  }
  effective ??= defaults.global ? 'protected' : 'unguarded';

  const conflicts: string[] = [];
  if (publicBesideRules) {
    conflicts.push('@Public() together with authorization rules (@Roles, @Permissions, @Scopes, @Owner, mfa)');
  }
  if (effective === 'optional' && hasRules) {
    conflicts.push('@OptionalAuth() together with authorization rules: anonymous callers would skip them');
  }

  const enforced = effective === 'protected' || effective === 'optional';
  return Object.freeze({
    access: effective,
    strategies: enforced ? Object.freeze([...(strategies ?? defaults.defaultStrategies)]) : EMPTY,
    roles: enforced ? freezeList(roles) : EMPTY,
    permissions: enforced ? freezeList(permissions) : EMPTY,
    scopes: enforced ? freezeList(scopes) : EMPTY,
    owner: enforced && owner ? Object.freeze({ ...owner }) : undefined,
    mfa: enforced && mfa === true,
    can: enforced && can ? can : undefined,
    conflicts: Object.freeze(conflicts),
    allowFrom: freezeList(allowFrom),
    ...(enforced && dpop !== undefined ? { dpop } : {}),
    ...(enforced && stepUp !== undefined ? { stepUp } : {}),
  });
}

function freezeList(list: readonly string[] | undefined): readonly string[] {
  return list && list.length ? Object.freeze([...new Set(list)]) : EMPTY;
}

/** True when the route has rules beyond "who are you" (so 403 is a possible answer). */
export function hasAuthorizationRules(policy: RoutePolicy): boolean {
  return (
    policy.roles.length > 0 ||
    policy.permissions.length > 0 ||
    policy.scopes.length > 0 ||
    policy.owner !== undefined ||
    policy.can !== undefined ||
    policy.mfa ||
    policy.stepUp !== undefined
  );
}
