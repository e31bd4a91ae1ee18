import type { Type } from '@nestjs/common';
import type { OwnershipResolver } from '../authorization/ownership-resolver.js';
import {
  ACCESS_METADATA,
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
export interface RoutePolicy {
  readonly access: RouteAccess;
  /** Strategy names tried in order (any of). Empty for public and unguarded routes. */
  readonly strategies: readonly string[];
  /** Any of these roles (after hierarchy expansion). */
  readonly roles: readonly string[];
  /** All of these permissions. */
  readonly permissions: readonly string[];
  /** All of these OAuth2 scopes. */
  readonly scopes: readonly string[];
  readonly owner: { readonly resolver: Type<OwnershipResolver>; readonly bypass: readonly string[] } | undefined;
  /** A second factor is required (`amr` must show one). */
  readonly mfa: boolean;
  /** Metadata that contradicts itself, e.g. `@Public()` beside `@Roles()`; strict mode refuses these. */
  readonly conflicts: readonly string[];
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

/**
 * Metadata of a method, looking through overridden methods of parent classes too: a subclass
 * that overrides a protected method without repeating its decorators stays protected
 * (the Spring Security CVE-2025-41248 class of bug).
 */
function methodMetadata<T>(reader: MetadataReader, key: symbol, controller: Type, handler: RouteHandler): T | undefined {
  const own = reader.get<T>(key, handler);
  if (own !== undefined || !handler.name) return own;
  let proto: object | null = Object.getPrototypeOf(controller.prototype);
  while (proto && proto !== Object.prototype) {
    const parent = Object.getOwnPropertyDescriptor(proto, handler.name)?.value;
    if (typeof parent === 'function' && parent !== handler) {
      const inherited = reader.get<T>(key, parent);
      if (inherited !== undefined) return inherited;
    }
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

/**
 * The one reader of nest-warden's metadata. Method-level metadata wins over class-level
 * (as `Reflector.getAllAndOverride`); class metadata is inherited from parent classes.
 */
export function resolveRoutePolicy(
  reader: MetadataReader,
  controller: Type,
  handler: RouteHandler,
  defaults: PolicyDefaults,
): RoutePolicy {
  const read = <T>(key: symbol) => {
    const onMethod = methodMetadata<T>(reader, key, controller, handler);
    return { onMethod, value: onMethod !== undefined ? onMethod : reader.get<T>(key, controller) };
  };
  const access = read<AccessMetadata>(ACCESS_METADATA);
  const strategies = read<readonly string[]>(STRATEGIES_METADATA).value;
  const mfa = read<boolean>(MFA_METADATA);
  const roles = read<readonly string[]>(ROLES_METADATA);
  const permissions = read<readonly string[]>(PERMISSIONS_METADATA);
  const scopes = read<readonly string[]>(SCOPES_METADATA);
  const owner = read<OwnerMetadata>(OWNER_METADATA);

  const rules = [roles, permissions, scopes, owner, mfa];
  const methodHasRules = rules.some((rule) => rule.onMethod !== undefined);
  const hasRules = rules.some((rule) => rule.value !== undefined);

  // A rule written on the method is more specific than `@Public()` on its class: protect it.
  let effective: RouteAccess;
  if (access.onMethod !== undefined) effective = access.onMethod;
  else if (methodHasRules) effective = 'protected';
  else if (access.value !== undefined) effective = access.value;
  else if (hasRules) effective = 'protected';
  else effective = defaults.global ? 'protected' : 'unguarded';

  const conflicts: string[] = [];
  if (effective === 'public' && hasRules) {
    conflicts.push('@Public() together with authorization rules (@Roles, @Permissions, @Scopes, @Owner, mfa)');
  }
  if (effective === 'optional' && hasRules) {
    conflicts.push('@OptionalAuth() together with authorization rules: anonymous callers would skip them');
  }

  const guarded = effective === 'protected' || effective === 'optional';
  const enforced = effective === 'protected' || effective === 'optional';
  return Object.freeze({
    access: effective,
    strategies: guarded ? Object.freeze([...(strategies ?? defaults.defaultStrategies)]) : EMPTY,
    roles: enforced ? freezeList(roles.value) : EMPTY,
    permissions: enforced ? freezeList(permissions.value) : EMPTY,
    scopes: enforced ? freezeList(scopes.value) : EMPTY,
    owner: enforced && owner.value ? Object.freeze({ ...owner.value }) : undefined,
    mfa: enforced && mfa.value === true,
    conflicts: Object.freeze(conflicts),
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
    policy.mfa
  );
}
