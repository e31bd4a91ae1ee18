import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createMongoAbility, subject as asSubject } from '@casl/ability';
import { AbilityAuthority, type CanRequirement } from '../authorization/ability-authority.js';
import { RoleHierarchy } from '../authorization/role-hierarchy.js';
import { AuthError } from '../errors/auth.error.js';
import type { AuthRequest } from '../request/auth-request.js';
import { getPrincipal } from '../request/request-state.js';
import type { Principal } from '../principal/principal.js';
import { isPromise, type MaybePromise } from '../utils/maybe-promise.js';
import { AbilityFactory, type CaslModuleOptions, type RoleRules, type WardenAbility, type WardenRule } from './casl.options.js';
import { explainRefusal } from './explain-refusal.js';

/** The DI token of `CaslModule.forRoot()`'s options. @internal */
export const CASL_OPTIONS = Symbol('nest-warden:casl-options');

const NO_RULES: readonly WardenRule[] = Object.freeze([]);

/** Where the request's ability is cached (a symbol: invisible to JSON and other libraries), with the principal it was built for. */
const ABILITY = Symbol('nest-warden:ability');
interface CachedAbility {
  readonly principal: Principal;
  readonly ability: MaybePromise<WardenAbility>;
}
type AbilityRequest = AuthRequest & { [ABILITY]?: CachedAbility };

/** The ability already built for this request's principal (by the guard for `@Can()`, or by `forRequest`). @internal */
export function builtAbility(request: AuthRequest): MaybePromise<WardenAbility> | undefined {
  const cached = (request as AbilityRequest)[ABILITY];
  return cached && cached.principal === getPrincipal(request) ? cached.ability : undefined;
}

/** What the client reads in a 403 for a refused `@Can()`: no rule, no condition, no value. */
export const CAN_REFUSED = 'Not allowed by the access rules';

/** Where CASL's `subject()` records the subject type on an object. */
const SUBJECT_TYPE_KEY = '__caslSubjectType__';

/** A typed CASL subject: `subject` names the type, `object` is copied so the caller's object is never marked. */
export function subjectOf(type: string, object: unknown): WardenSubject {
  const copy: Record<string, unknown> = object !== null && typeof object === 'object' ? { ...(object as Record<string, unknown>) } : {};
  // A request body could name a subject type of its own: CASL would throw on the cast (a 500).
  delete copy[SUBJECT_TYPE_KEY];
  return asSubject(type, copy);
}

/** An object CASL checks conditions against, tagged with its subject type. */
export type WardenSubject = Record<string, unknown> & { readonly __caslSubjectType__: string };

/**
 * The caller's CASL abilities: built once per request from `CaslModule.forRoot({ roles, authenticated, factory })`
 * and the role hierarchy, cached on the request, and used by the guard for `@Can()`, by the
 * `@PermittedFields()` interceptor, and by your handlers for query filtering (`toMongoQuery`, `toSql`).
 */
@Injectable()
export class CaslAbilities extends AbilityAuthority {
  private hierarchy?: RoleHierarchy;

  /** Created by Nest (`CaslModule.forRoot()`); not part of the public API. @internal */
  constructor(
    @Inject(CASL_OPTIONS) private readonly options: CaslModuleOptions,
    private readonly moduleRef: ModuleRef,
    @Optional() @Inject(AbilityFactory) private readonly factory?: AbilityFactory,
  ) {
    super();
  }

  /**
   * The abilities of the request's principal, built on first use and cached on the request. An
   * anonymous request gets an ability that allows nothing. A promise only when the factory answers with one.
   */
  forRequest(request: AuthRequest): MaybePromise<WardenAbility> {
    const principal = getPrincipal(request);
    if (!principal) return createMongoAbility([]);
    return this.cached(request, principal);
  }

  /** The abilities of a principal, built now (not cached): for jobs, tests and places without a request. */
  forPrincipal(principal: Principal): MaybePromise<WardenAbility> {
    const roles = this.roleHierarchy().expand(principal.roles ?? []);
    const allowed: WardenRule[] = [];
    const denied: WardenRule[] = [];
    const add = (rules: RoleRules | undefined) => {
      if (rules === undefined) return;
      for (const rule of typeof rules === 'function' ? rules(principal) : rules) (rule.inverted ? denied : allowed).push(rule);
    };
    add(this.options.authenticated);
    const byRole = this.options.roles;
    if (byRole) for (const role of roles) if (Object.hasOwn(byRole, role)) add(byRole[role]);
    const own = [...allowed, ...denied];
    const extra = this.factory ? this.factory.rulesFor(principal, roles) : NO_RULES;
    if (isPromise(extra)) return extra.then((rules) => createMongoAbility([...own, ...rules]));
    return createMongoAbility(extra.length ? [...own, ...extra] : own);
  }

  /** Decides `@Can()` for the guard (throws `AuthError('forbidden')`; the hint names the conditions). */
  check(
    request: AuthRequest,
    principal: Principal,
    requirement: CanRequirement,
    resource: { readonly value: unknown } | undefined,
  ): MaybePromise<void> {
    const ability = this.cached(request, principal);
    if (isPromise(ability)) return ability.then((built) => decide(built, principal, requirement, resource));
    decide(ability, principal, requirement, resource);
  }

  private cached(request: AuthRequest, principal: Principal): MaybePromise<WardenAbility> {
    // One ability per request object (HTTP: the adapter's request), kept with the principal it was built for.
    const entry = (request as AbilityRequest)[ABILITY];
    if (entry && entry.principal === principal) return entry.ability;
    const built = this.forPrincipal(principal);
    const ability = isPromise(built)
      ? built.then((settled) => {
          (request as AbilityRequest)[ABILITY] = { principal, ability: settled };
          return settled;
        })
      : built;
    (request as AbilityRequest)[ABILITY] = { principal, ability };
    return ability;
  }

  private roleHierarchy(): RoleHierarchy {
    // AuthModule's, resolved on first use (CaslModule does not import AuthModule).
    return (this.hierarchy ??= this.moduleRef.get(RoleHierarchy, { strict: false }));
  }
}

function decide(
  ability: WardenAbility,
  principal: Principal,
  requirement: CanRequirement,
  resource: { readonly value: unknown } | undefined,
): void {
  const target = resource ? subjectOf(requirement.subject, resource.value) : undefined;
  if (ability.can(requirement.action, target ?? requirement.subject)) return;
  throw new AuthError('forbidden', {
    description: CAN_REFUSED,
    hint: () => explainRefusal(ability, principal, requirement.action, requirement.subject, target),
  });
}
